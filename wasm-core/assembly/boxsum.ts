// Square box sums of ALEXIS stage 4 step 4 (pipeline/create_peakfinder_scale.py, find_flux_timeseries):
// for a cluster centred at pixel (x, y) and a half-width d, flux = np.sum(data[int(y-d):int(y+d),
// int(x-d):int(x+d)]): rows and columns from int(c - d) to int(c + d) exclusive, int() truncating
// toward zero. Bounds are clipped to the image (numpy would wrap a negative start to the far side of
// the image and usually return an empty, zero sum: a box crossing the edge then loses all its flux;
// clipping keeps the part on the detector). Sums accumulate in f64 as numpy does for the float64
// images ALEXIS passes.
export * from "./common/memory";

@inline function bound(v: f64, n: i32): i32 {
  const t = <i32>v; // truncation toward zero, as Python's int()
  return t < 0 ? 0 : t > n ? n : t;
}

@inline function boxF32(img: usize, w: i32, r0: i32, r1: i32, c0: i32, c1: i32): f64 {
  let s: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const row = img + ((<usize>r * <usize>w) << 2);
    // Four f64 lanes: each f32x4 load is promoted to two f64x2 halves (exact) and accumulated.
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    let c = c0;
    for (; c + 4 <= c1; c += 4) {
      const v = v128.load(row + ((<usize>c) << 2));
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
    }
    let acc = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1);
    for (; c < c1; c++) acc += <f64>load<f32>(row + ((<usize>c) << 2));
    s += acc;
  }
  return s;
}

@inline function boxF64(img: usize, w: i32, r0: i32, r1: i32, c0: i32, c1: i32): f64 {
  let s: f64 = 0;
  for (let r = r0; r < r1; r++) {
    const row = img + ((<usize>r * <usize>w) << 3);
    let acc: f64 = 0;
    for (let c = c0; c < c1; c++) acc += load<f64>(row + ((<usize>c) << 3));
    s += acc;
  }
  return s;
}

/**
 * Box sums for one centre (x, y: 0-based pixel coordinates of the full h x w image) and nz
 * half-widths (f64 at half), over a window of that image held at img: rows [wr0, wr0 + wh) and
 * columns [wc0, wc0 + ww) of the full image, row-major (f32 when isF64 == 0, else f64). The host
 * copies only the window of the largest box, not the whole frame. Writes out[z].
 */
export function boxSumsWindow(
  img: usize, h: i32, w: i32, isF64: i32, wr0: i32, wc0: i32, ww: i32, x: f64, y: f64, half: usize, nz: i32, out: usize,
): void {
  for (let z = 0; z < nz; z++) {
    const d = load<f64>(half + ((<usize>z) << 3));
    const r0 = bound(y - d, h) - wr0, r1 = bound(y + d, h) - wr0;
    const c0 = bound(x - d, w) - wc0, c1 = bound(x + d, w) - wc0;
    const s = isF64 ? boxF64(img, ww, r0, r1, c0, c1) : boxF32(img, ww, r0, r1, c0, c1);
    store<f64>(out + ((<usize>z) << 3), s);
  }
}
