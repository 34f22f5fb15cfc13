/**
 * NumPy's float64 reductions, reproduced so means/variances round like numpy 1.24: `np.add.reduce`
 * on a contiguous array uses pairwise summation (numpy/core/src/umath/loops_utils.h.src,
 * `pairwise_sum`): blocks of at most 128 values summed with 8 interleaved accumulators.
 * The term is v (mode 0) or (v - shift)^2 (mode 1), specialised inline for speed.
 */
const PW_BLOCKSIZE = 128;

function term(v: number, shift: number, squared: boolean): number {
  return squared ? (v - shift) * (v - shift) : v;
}

function pairwiseSum(x: ArrayLike<number>, start: number, n: number, shift: number, squared: boolean): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += term(x[start + i], shift, squared);
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    let r0 = term(x[start], shift, squared),
      r1 = term(x[start + 1], shift, squared);
    let r2 = term(x[start + 2], shift, squared),
      r3 = term(x[start + 3], shift, squared);
    let r4 = term(x[start + 4], shift, squared),
      r5 = term(x[start + 5], shift, squared);
    let r6 = term(x[start + 6], shift, squared),
      r7 = term(x[start + 7], shift, squared);
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const p = start + i;
      r0 += term(x[p], shift, squared);
      r1 += term(x[p + 1], shift, squared);
      r2 += term(x[p + 2], shift, squared);
      r3 += term(x[p + 3], shift, squared);
      r4 += term(x[p + 4], shift, squared);
      r5 += term(x[p + 5], shift, squared);
      r6 += term(x[p + 6], shift, squared);
      r7 += term(x[p + 7], shift, squared);
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += term(x[start + i], shift, squared);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(x, start, n2, shift, squared) + pairwiseSum(x, start + n2, n - n2, shift, squared);
}

/** np.sum(x) for a contiguous float64 array. */
export function npSum(x: ArrayLike<number>): number {
  return pairwiseSum(x, 0, x.length, 0, false);
}

/** Pairwise sum of (x - shift)^2 (np.sum(abs(x - shift)**2) for real x). */
export function npSumSquares(x: ArrayLike<number>, shift = 0): number {
  return pairwiseSum(x, 0, x.length, shift, true);
}

/** np.mean(x) = np.sum(x) / n. */
export function npMean(x: ArrayLike<number>): number {
  return npSum(x) / x.length;
}

/** np.std(x) (ddof = 0): sqrt(mean(|x - mean|^2)), as numpy's _var computes it. */
export function npStd(x: ArrayLike<number>): number {
  return Math.sqrt(npSumSquares(x, npMean(x)) / x.length);
}
