// 1-D peak finding kernels with scipy 1.10 semantics (scipy/signal/_peak_finding.py and
// _peak_finding_utils.pyx). The host (kernel-lib/src/numeric/peaks1d) copies the signal in once and
// chains these kernels over arrays that stay in WASM memory; only the survivors are copied out.
export * from "./common/memory";
import { blockCount, buildBlocks } from "./common/peaks1d-blocks";
import { walkBase, walkLeftBase, walkLeftWidth, walkMin, walkRightBase, walkRightWidth } from "./common/peaks1d-walks";

export { blockCount, buildBlocks };
export { leftBasesSorted, rightBasesSorted } from "./common/peaks1d-stack";
export { leftBasesByValleys, rightBasesByValleys, valleysOf } from "./common/peaks1d-valleys";
export { minF64, prominencesPruned } from "./common/peaks1d-pruned";

@inline function f64At(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
@inline function i32At(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/** Index of the first NaN in x[0..n), or -1 (scipy does not reject NaN; stagebook does). */
export function firstNaN(xPtr: usize, n: i32): i32 {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const v = v128.load(xPtr + (<usize>i << 3));
    if (v128.any_true(f64x2.ne(v, v))) break;
  }
  for (; i < n; i++) {
    const v = f64At(xPtr, i);
    if (v != v) return i;
  }
  return -1;
}

/**
 * scipy `_local_maxima_1d`: midpoints (rounded down) and edges of every plateau of equal samples
 * with a smaller sample on both sides; the first and last samples are never maxima.
 * Output capacity must be n/2 (rounded down). Edges are written only when edgesWanted != 0.
 */
export function localMaxima(xPtr: usize, n: i32, midPtr: usize, leftPtr: usize, rightPtr: usize, edgesWanted: i32): i32 {
  let m = 0;
  let i = 1;
  const iMax = n - 1;
  while (i < iMax) {
    const xi = f64At(xPtr, i);
    if (f64At(xPtr, i - 1) < xi) {
      let ahead = i + 1;
      while (ahead < iMax && f64At(xPtr, ahead) == xi) ahead++;
      if (f64At(xPtr, ahead) < xi) {
        const right = ahead - 1;
        store<i32>(midPtr + (<usize>m << 2), (i + right) >> 1);
        if (edgesWanted) {
          store<i32>(leftPtr + (<usize>m << 2), i);
          store<i32>(rightPtr + (<usize>m << 2), right);
        }
        m++;
        i = ahead;
      }
    }
    i++;
  }
  return m;
}

/** out[k] = x[idx[k]]. */
export function gatherF64(xPtr: usize, idxPtr: usize, m: i32, outPtr: usize): void {
  for (let k = 0; k < m; k++) store<f64>(outPtr + (<usize>k << 3), f64At(xPtr, i32At(idxPtr, k)));
}

/** plateau_sizes = right_edges - left_edges + 1. */
export function plateauSizes(leftPtr: usize, rightPtr: usize, m: i32, outPtr: usize): void {
  for (let k = 0; k < m; k++) store<i32>(outPtr + (<usize>k << 2), i32At(rightPtr, k) - i32At(leftPtr, k) + 1);
}

/** scipy `_select_by_peak_threshold` properties: x[p] - x[p-1] and x[p] - x[p+1]. */
export function peakThresholds(xPtr: usize, peaksPtr: usize, m: i32, leftOut: usize, rightOut: usize): void {
  for (let k = 0; k < m; k++) {
    const p = i32At(peaksPtr, k);
    const v = f64At(xPtr, p);
    store<f64>(leftOut + (<usize>k << 3), v - f64At(xPtr, p - 1));
    store<f64>(rightOut + (<usize>k << 3), v - f64At(xPtr, p + 1));
  }
}

// Bound kinds of an interval condition (scipy `_unpack_condition_args`).
const BOUND_NONE: i32 = 0;
const BOUND_SCALAR: i32 = 1;
const BOUND_PER_SAMPLE: i32 = 2;

@inline function propAt(ptr: usize, isI32: i32, k: i32): f64 {
  return isI32 ? <f64>i32At(ptr, k) : f64At(ptr, k);
}

@inline function boundAt(kind: i32, scalar: f64, arrPtr: usize, peaksPtr: usize, k: i32): f64 {
  return kind == BOUND_SCALAR ? scalar : f64At(arrPtr, i32At(peaksPtr, k));
}

/**
 * scipy `_select_by_property` (lowPtr == highPtr) and `_select_by_peak_threshold` (low = the
 * smaller, high = the greater of the two thresholds): keep[k] = (min <= low[k]) & (high[k] <= max).
 * Per-sample bounds are indexed with the peak position, as scipy's `imin[peaks]`. Returns the count kept.
 */
export function selectByInterval(
  lowPtr: usize, highPtr: usize, isI32: i32, m: i32, peaksPtr: usize,
  minKind: i32, minScalar: f64, minArr: usize,
  maxKind: i32, maxScalar: f64, maxArr: usize,
  keepPtr: usize,
): i32 {
  let kept = 0;
  for (let k = 0; k < m; k++) {
    let keep = true;
    if (minKind != BOUND_NONE) {
      let low = propAt(lowPtr, isI32, k);
      if (highPtr != lowPtr) low = min(low, propAt(highPtr, isI32, k));
      keep = boundAt(minKind, minScalar, minArr, peaksPtr, k) <= low;
    }
    if (keep && maxKind != BOUND_NONE) {
      let high = propAt(highPtr, isI32, k);
      if (highPtr != lowPtr) high = max(propAt(lowPtr, isI32, k), high);
      keep = high <= boundAt(maxKind, maxScalar, maxArr, peaksPtr, k);
    }
    store<u8>(keepPtr + <usize>k, keep ? 1 : 0);
    if (keep) kept++;
  }
  return kept;
}

/** In-place compaction of an f64 array by a keep mask; returns the new length. */
export function compactF64(ptr: usize, keepPtr: usize, m: i32): i32 {
  let j = 0;
  for (let k = 0; k < m; k++) {
    if (load<u8>(keepPtr + <usize>k)) {
      store<f64>(ptr + (<usize>j << 3), f64At(ptr, k));
      j++;
    }
  }
  return j;
}

/** In-place compaction of an i32 array by a keep mask; returns the new length. */
export function compactI32(ptr: usize, keepPtr: usize, m: i32): i32 {
  let j = 0;
  for (let k = 0; k < m; k++) {
    if (load<u8>(keepPtr + <usize>k)) {
      store<i32>(ptr + (<usize>j << 2), i32At(ptr, k));
      j++;
    }
  }
  return j;
}

/**
 * scipy `_peak_prominences` for valid peak indices (the host validates them). wlen < 2 means the
 * whole signal; otherwise the window is [peak - wlen/2, peak + wlen/2] clipped (integer division,
 * so an even wlen acts as wlen + 1). Returns the number of zero prominences (PeakPropertyWarning).
 */
export function prominences(
  xPtr: usize, n: i32, peaksPtr: usize, m: i32, wlen: i32,
  bMin: usize, bMax: usize, bArgL: usize, bArgR: usize,
  promOut: usize, leftOut: usize, rightOut: usize,
): i32 {
  let zeros = 0;
  const half = wlen >> 1;
  for (let k = 0; k < m; k++) {
    const peak = i32At(peaksPtr, k);
    let lo = 0;
    let hi = n - 1;
    if (wlen >= 2) {
      lo = max(peak - half, lo);
      hi = min(peak + half, hi);
    }
    walkLeftBase(xPtr, peak, lo, bMin, bMax, bArgR);
    const leftMin = walkMin;
    store<i32>(leftOut + (<usize>k << 2), walkBase);
    walkRightBase(xPtr, peak, hi, bMin, bMax, bArgL);
    const rightMin = walkMin;
    store<i32>(rightOut + (<usize>k << 2), walkBase);
    const prom = f64At(xPtr, peak) - max(leftMin, rightMin);
    store<f64>(promOut + (<usize>k << 3), prom);
    if (prom == 0) zeros++;
  }
  return zeros;
}

/**
 * scipy `_peak_widths` for validated prominence data (0 <= left_base <= peak <= right_base < n).
 * Returns the number of zero widths (PeakPropertyWarning).
 */
export function widths(
  xPtr: usize, peaksPtr: usize, m: i32, relHeight: f64,
  promPtr: usize, leftBasePtr: usize, rightBasePtr: usize, bMin: usize,
  widthOut: usize, heightOut: usize, leftIpOut: usize, rightIpOut: usize,
): i32 {
  let zeros = 0;
  for (let k = 0; k < m; k++) {
    const peak = i32At(peaksPtr, k);
    const height = f64At(xPtr, peak) - f64At(promPtr, k) * relHeight;
    store<f64>(heightOut + (<usize>k << 3), height);

    let i = walkLeftWidth(xPtr, peak, i32At(leftBasePtr, k), height, bMin);
    let leftIp = <f64>i;
    let xi = f64At(xPtr, i);
    if (xi < height) {
      const next = f64At(xPtr, i + 1);
      if (next != xi) leftIp += (height - xi) / (next - xi);
    }

    i = walkRightWidth(xPtr, peak, i32At(rightBasePtr, k), height, bMin);
    let rightIp = <f64>i;
    xi = f64At(xPtr, i);
    if (xi < height) {
      const prev = f64At(xPtr, i - 1);
      if (prev != xi) rightIp -= (height - xi) / (prev - xi);
    }

    const w = rightIp - leftIp;
    store<f64>(widthOut + (<usize>k << 3), w);
    store<f64>(leftIpOut + (<usize>k << 3), leftIp);
    store<f64>(rightIpOut + (<usize>k << 3), rightIp);
    if (w == 0) zeros++;
  }
  return zeros;
}

/**
 * numpy.convolve(x, wavelet[::-1], mode='same') with len(wavelet) = m <= n, i.e. the 'same'
 * correlation out[i] = sum_j x[i - m/2 + j] * wavelet[j] over the overlapping j (numpy
 * `_pyarray_correlate`, left = m/2). Used by scipy.signal.cwt (method 'direct').
 */
export function correlateSame(xPtr: usize, n: i32, wPtr: usize, m: i32, outPtr: usize): void {
  const left = m >> 1;
  for (let i = 0; i < n; i++) {
    const start = i - left;
    const j0 = max(0, -start);
    const j1 = min(m, n - start);
    let acc = f64x2.splat(0);
    let j = j0;
    for (; j + 2 <= j1; j += 2) {
      acc = f64x2.add(acc, f64x2.mul(v128.load(xPtr + (<usize>(start + j) << 3)), v128.load(wPtr + (<usize>j << 3))));
    }
    let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; j < j1; j++) s += f64At(xPtr, start + j) * f64At(wPtr, j);
    store<f64>(outPtr + (<usize>i << 3), s);
  }
}
