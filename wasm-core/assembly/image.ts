// Image resampling: affine warps with scikit-image 0.19's bicubic (Catmull-Rom, order=3) kernel,
// as `skimage.transform.warp(image, matrix, order=3, mode='constant', cval)` computes it
// (transform/_warps_cy.pyx `_warp_fast`, _shared/interpolation.pxd `bicubic_interpolation`), which
// is what aiapy's `register` used through sunpy's `rotate`. float64 throughout, like skimage on
// float64 input; the output clip to the input range is done here too (`_clip_warp_output`).
export * from "./common/memory";

// skimage `cubic_interpolation(x, f)`: Catmull-Rom through f[-1..2] at x in [0, 1), same operation order.
@inline
function cubic(x: f64, f0: f64, f1: f64, f2: f64, f3: f64): f64 {
  return f1 + 0.5 * x * (f2 - f0 + x * (2.0 * f0 - 5.0 * f1 + 4.0 * f2 - f3 + x * (3.0 * (f1 - f2) + f3 - f0)));
}

// skimage `get_pixel2d` with mode 'C' (constant): cval outside the image.
@inline
function pixel(src: usize, rows: i32, cols: i32, r: i32, c: i32, cval: f64): f64 {
  if (r < 0 || r >= rows || c < 0 || c >= cols) return cval;
  return load<f64>(src + ((<usize>r * <usize>cols + <usize>c) << 3));
}

// One bicubic sample at (r, c). Interior points (the 4x4 neighbourhood inside the image) use the
// Catmull-Rom weights w(x) applied as dot products, two taps per SIMD lane pair: the same polynomial as
// skimage's `cubic_interpolation`, evaluated in a different order (differences ~1e-16 relative).
// Border points use skimage's exact evaluation with cval outside.
@inline
function bicubicAt(src: usize, rows: i32, cols: i32, r: f64, c: f64, cval: f64): f64 {
  const fr0 = Math.floor(r);
  const fc0 = Math.floor(c);
  const xr = r - fr0;
  const xc = c - fc0;
  const r0 = <i32>fr0 - 1;
  const c0 = <i32>fc0 - 1;
  if (r0 >= 0 && c0 >= 0 && r0 + 3 < rows && c0 + 3 < cols) {
    const xc2 = xc * xc;
    const xc3 = xc2 * xc;
    const wc01 = f64x2(0.5 * (-xc + 2.0 * xc2 - xc3), 0.5 * (2.0 - 5.0 * xc2 + 3.0 * xc3));
    const wc23 = f64x2(0.5 * (xc + 4.0 * xc2 - 3.0 * xc3), 0.5 * (xc3 - xc2));
    const stride = <usize>cols << 3;
    let p = src + ((<usize>r0 * <usize>cols + <usize>c0) << 3);
    const a0 = f64x2.add(f64x2.mul(v128.load(p), wc01), f64x2.mul(v128.load(p, 16), wc23)); p += stride;
    const a1 = f64x2.add(f64x2.mul(v128.load(p), wc01), f64x2.mul(v128.load(p, 16), wc23)); p += stride;
    const a2 = f64x2.add(f64x2.mul(v128.load(p), wc01), f64x2.mul(v128.load(p, 16), wc23)); p += stride;
    const a3 = f64x2.add(f64x2.mul(v128.load(p), wc01), f64x2.mul(v128.load(p, 16), wc23));
    const g0 = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
    const g1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
    const g2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
    const g3 = f64x2.extract_lane(a3, 0) + f64x2.extract_lane(a3, 1);
    const xr2 = xr * xr;
    const xr3 = xr2 * xr;
    return 0.5 * ((-xr + 2.0 * xr2 - xr3) * g0 + (2.0 - 5.0 * xr2 + 3.0 * xr3) * g1 + (xr + 4.0 * xr2 - 3.0 * xr3) * g2 + (xr3 - xr2) * g3);
  }
  const g0 = cubic(xc, pixel(src, rows, cols, r0, c0, cval), pixel(src, rows, cols, r0, c0 + 1, cval), pixel(src, rows, cols, r0, c0 + 2, cval), pixel(src, rows, cols, r0, c0 + 3, cval));
  const g1 = cubic(xc, pixel(src, rows, cols, r0 + 1, c0, cval), pixel(src, rows, cols, r0 + 1, c0 + 1, cval), pixel(src, rows, cols, r0 + 1, c0 + 2, cval), pixel(src, rows, cols, r0 + 1, c0 + 3, cval));
  const g2 = cubic(xc, pixel(src, rows, cols, r0 + 2, c0, cval), pixel(src, rows, cols, r0 + 2, c0 + 1, cval), pixel(src, rows, cols, r0 + 2, c0 + 2, cval), pixel(src, rows, cols, r0 + 2, c0 + 3, cval));
  const g3 = cubic(xc, pixel(src, rows, cols, r0 + 3, c0, cval), pixel(src, rows, cols, r0 + 3, c0 + 1, cval), pixel(src, rows, cols, r0 + 3, c0 + 2, cval), pixel(src, rows, cols, r0 + 3, c0 + 3, cval));
  return cubic(xr, g0, g1, g2, g3);
}

/**
 * dst[outRows x outCols] = bicubic samples of src[rows x cols] at the input coordinates of each
 * output pixel: c_in = m0*col + m1*row + m2, r_in = m3*col + m4*row + m5 (skimage's inverse matrix
 * rows 0 and 1, x = column). Rows [rowStart, rowEnd) only (for splitting across workers).
 */
export function warpAffineBicubic(src: usize, rows: i32, cols: i32, dst: usize, outCols: i32, rowStart: i32, rowEnd: i32,
  m0: f64, m1: f64, m2: f64, m3: f64, m4: f64, m5: f64, cval: f64): void {
  for (let tr = rowStart; tr < rowEnd; tr++) {
    const fr = <f64>tr;
    let out = dst + ((<usize>(tr - rowStart) * <usize>outCols) << 3);
    for (let tc = 0; tc < outCols; tc++) {
      const fc = <f64>tc;
      const c = m0 * fc + m1 * fr + m2;
      const r = m3 * fc + m4 * fr + m5;
      store<f64>(out, bicubicAt(src, rows, cols, r, c, cval));
      out += 8;
    }
  }
}

/** Clamps n values at ptr into [lo, hi] (skimage `_clip_warp_output`). */
export function clipF64(ptr: usize, n: i32, lo: f64, hi: f64): void {
  for (let i = 0; i < n; i++) {
    const p = ptr + (<usize>i << 3);
    const v = load<f64>(p);
    store<f64>(p, v < lo ? lo : v > hi ? hi : v);
  }
}

/** Min and max of n f64 values (NaNs skipped) into out[0], out[1]; returns the NaN count. */
export function minMaxF64(ptr: usize, n: i32, out: usize): i32 {
  let lo = Infinity;
  let hi = -Infinity;
  let nan = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f64>(ptr + (<usize>i << 3));
    if (v != v) { nan++; continue; }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  store<f64>(out, lo);
  store<f64>(out, hi, 8);
  return nan;
}
