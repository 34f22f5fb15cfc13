/**
 * `np.argsort(v)` with NumPy's default kind ('quicksort'), reproducing its exact order of ties.
 *
 * scipy.signal.find_peaks (distance filter) and skimage.feature.peak_local_max order candidates
 * with np.argsort, and equal values come out in the order of NumPy's *unstable* introsort. To give
 * the same peaks as the references we port that algorithm: numpy/core/src/npysort/quicksort.cpp
 * `aquicksort_` (NumPy <= 1.24, or any CPU without the AVX-512 / x86-simd-sort dispatch): median-of-3
 * quicksort, insertion sort for partitions of <= 16 elements (pr - pl <= 15), heapsort (`aheapsort_`) when the
 * recursion depth exceeds 2*floor(log2 n). NaN sorts last, as in NumPy's `Tag::less` for floats.
 */

// npysort_common.h: `#define SMALL_QUICKSORT 15`; a partition of <= 16 elements is insertion-sorted (stable).
const SMALL_QUICKSORT = 15;

type Values = ArrayLike<number>;

/** NumPy's float ordering: a < b, with NaN greater than everything (and not less than NaN). */
function less(a: number, b: number): boolean {
  return a < b || (b !== b && a === a);
}

/** floor(log2(n)) for n >= 1, as npy_get_msb. */
function msb(n: number): number {
  let depth = 0;
  while ((n = Math.floor(n / 2)) > 0) depth++;
  return depth;
}

function aheapsort(v: Values, idx: Int32Array, start: number, n: number): void {
  // 1-based heap over idx[start .. start+n-1], exactly as NumPy's aheapsort_ (a = tosort - 1).
  const a = (i: number) => idx[start + i - 1];
  const set = (i: number, x: number) => {
    idx[start + i - 1] = x;
  };
  for (let l = n >> 1; l > 0; --l) {
    const tmp = a(l);
    let i = l;
    for (let j = l << 1; j <= n;) {
      if (j < n && less(v[a(j)], v[a(j + 1)])) j += 1;
      if (less(v[tmp], v[a(j)])) {
        set(i, a(j));
        i = j;
        j += j;
      } else break;
    }
    set(i, tmp);
  }
  for (; n > 1;) {
    const tmp = a(n);
    set(n, a(1));
    n -= 1;
    let i = 1;
    for (let j = 2; j <= n;) {
      if (j < n && less(v[a(j)], v[a(j + 1)])) j++;
      if (less(v[tmp], v[a(j)])) {
        set(i, a(j));
        i = j;
        j += j;
      } else break;
    }
    set(i, tmp);
  }
}

function swap(idx: Int32Array, i: number, j: number): void {
  const t = idx[i];
  idx[i] = idx[j];
  idx[j] = t;
}

/** Sorts `idx` (positions into `v`) in place with NumPy's introsort; returns `idx`. */
export function numpyArgsortInPlace(v: Values, idx: Int32Array): Int32Array {
  const num = idx.length;
  if (num < 2) return idx;
  let pl = 0;
  let pr = num - 1;
  const stack: number[] = [];
  const depthStack: number[] = [];
  let cdepth = msb(num) * 2;
  for (;;) {
    if (cdepth < 0) {
      aheapsort(v, idx, pl, pr - pl + 1);
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        if (less(v[idx[pm]], v[idx[pl]])) swap(idx, pm, pl);
        if (less(v[idx[pr]], v[idx[pm]])) swap(idx, pr, pm);
        if (less(v[idx[pm]], v[idx[pl]])) swap(idx, pm, pl);
        const vp = v[idx[pm]];
        let pi = pl;
        let pj = pr - 1;
        swap(idx, pm, pj);
        for (;;) {
          do ++pi;
          while (less(v[idx[pi]], vp));
          do --pj;
          while (less(vp, v[idx[pj]]));
          if (pi >= pj) break;
          swap(idx, pi, pj);
        }
        swap(idx, pi, pr - 1);
        // Push the larger partition, iterate on the smaller (as NumPy does).
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depthStack.push(--cdepth);
      }
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = idx[pi];
        const vpv = v[vi];
        let pj = pi;
        while (pj > pl && less(vpv, v[idx[pj - 1]])) {
          idx[pj] = idx[pj - 1];
          pj--;
        }
        idx[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop()!;
    pl = stack.pop()!;
    cdepth = depthStack.pop()!;
  }
  return idx;
}

/** `np.argsort(v)` (kind='quicksort'): indices that sort `v` ascending, NumPy's tie order. */
export function numpyArgsort(v: Values): Int32Array {
  const idx = new Int32Array(v.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return numpyArgsortInPlace(v, idx);
}
