// Candidate extraction and image statistics for peak_local_max (skimage 0.19.3
// feature/peak.py `_get_peak_mask` + `_exclude_border` + `np.nonzero`), generic over f32 / f64.

@inline function veq<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 4) return f32x4.eq(a, b);
  return f64x2.eq(a, b);
}

@inline function vgt<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 4) return f32x4.gt(a, b);
  return f64x2.gt(a, b);
}

@inline function vsplat<T>(x: T): v128 {
  if (sizeof<T>() == 4) return f32x4.splat(<f32>x);
  return f64x2.splat(<f64>x);
}

@inline function vbitmask<T>(m: v128): i32 {
  if (sizeof<T>() == 4) return i32x4.bitmask(m);
  return i64x2.bitmask(m);
}

/**
 * Scans rows [0, nRows) of a band whose first row is global row `row0` of an image with
 * `totalRows` rows. A pixel is a candidate iff img == maxf (it is the maximum of its window)
 * and img > thr (strict, compared in T: the host rounds thr to f32 for f32 images), and it is
 * outside the excluded border of width `bw` (global coordinates). Candidate global linear
 * indices are written to `out` in row-major order (np.nonzero order). Also writes to
 * `flags[0]` 1 if img == maxf everywhere in the band (skimage's 'trivial image' test is done on
 * that equality alone, before thresholding and border exclusion), else 0. Returns the count.
 */
export function extractCandidates<T>(img: usize, maxf: usize, nRows: i32, cols: i32, row0: i32, totalRows: i32, bw: i32, thr: T, out: usize, flags: usize): i32 {
  const lanes: i32 = 16 / sizeof<T>();
  const es = <usize>sizeof<T>();
  const vthr = vsplat<T>(thr);
  const fullMask: i32 = (1 << lanes) - 1;
  let allEqual = true;
  let count = 0;
  const c0 = bw, c1 = cols - bw;
  for (let y = 0; y < nRows; y++) {
    const gy = row0 + y;
    const rowInside = gy >= bw && gy < totalRows - bw && c0 < c1;
    const rowOff = <usize>y * <usize>cols;
    const base = <usize>gy * <usize>cols;
    let x = 0;
    for (; x + lanes <= cols; x += lanes) {
      const p = (rowOff + <usize>x) * es;
      const a = v128.load(img + p);
      const eq = veq<T>(a, v128.load(maxf + p));
      if (allEqual && vbitmask<T>(eq) != fullMask) allEqual = false;
      if (!rowInside) continue;
      let bits = vbitmask<T>(v128.and(eq, vgt<T>(a, vthr)));
      while (bits != 0) {
        const lane = ctz(bits);
        bits &= bits - 1;
        const cx = x + lane;
        if (cx >= c0 && cx < c1) store<i32>(out + (<usize>count << 2), <i32>(base + <usize>cx)), count++;
      }
    }
    for (; x < cols; x++) {
      const p = (rowOff + <usize>x) * es;
      const a = load<T>(img + p);
      const eq = a == load<T>(maxf + p);
      if (!eq) allEqual = false;
      if (rowInside && eq && a > thr && x >= c0 && x < c1) store<i32>(out + (<usize>count << 2), <i32>(base + <usize>x)), count++;
    }
  }
  store<i32>(flags, allEqual ? 1 : 0);
  return count;
}

/**
 * Min and max of n values into stats[0], stats[1] (f64). Returns the index of the first
 * non-finite value (NaN or +-Infinity), or -1 if all are finite (then min/max are valid).
 */
export function finiteMinMax<T>(ptr: usize, n: i32, stats: usize): i32 {
  const lanes: i32 = 16 / sizeof<T>();
  const es = <usize>sizeof<T>();
  const inf = vsplat<T>(<T>Infinity);
  let vmin = vsplat<T>(<T>Infinity);
  let vmaxv = vsplat<T>(<T>-Infinity);
  let i = 0;
  for (; i + lanes <= n; i += lanes) {
    const a = v128.load(ptr + <usize>i * es);
    // |a| < inf is false for NaN and +-inf.
    const ok = sizeof<T>() == 4 ? f32x4.lt(f32x4.abs(a), inf) : f64x2.lt(f64x2.abs(a), inf);
    if (vbitmask<T>(ok) != (1 << lanes) - 1) break;
    if (sizeof<T>() == 4) { vmin = f32x4.min(vmin, a); vmaxv = f32x4.max(vmaxv, a); }
    else { vmin = f64x2.min(vmin, a); vmaxv = f64x2.max(vmaxv, a); }
  }
  let mn: f64 = Infinity, mx: f64 = -Infinity;
  // Lane reduction (scalar, via memory: lane indices must be constants).
  const tmp = memory.data(32);
  v128.store(tmp, vmin);
  v128.store(tmp + 16, vmaxv);
  for (let l = 0; l < lanes; l++) {
    const a = <f64>load<T>(tmp + <usize>l * es);
    const b = <f64>load<T>(tmp + 16 + <usize>l * es);
    if (a < mn) mn = a;
    if (b > mx) mx = b;
  }
  // Scalar tail; after an early break it also locates the first non-finite value.
  for (let j = i; j < n; j++) {
    const v = <f64>load<T>(ptr + <usize>j * es);
    if (!isFinite(v)) { store<f64>(stats, mn); store<f64>(stats, mx, 8); return j; }
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  store<f64>(stats, mn);
  store<f64>(stats, mx, 8);
  return -1;
}
