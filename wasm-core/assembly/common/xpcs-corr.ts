// Correlation kernels shared by skbeam's multi-tau one-time and two-time algorithms.
//
// A "ring" holds the last `nb` frames of one multi-tau level for a block of pixels, slot-major:
// ring[slot * B + j]. Pixels are in ROI-grouped raster order (skbeam's bincount visits the pixels
// of each ROI in raster order), each ROI padded with zeros to a multiple of 8.
//
// Two arithmetic modes, chosen per level by the host:
//  * I16: integer data whose level values Z (= 2^L * skbeam value) fit in int16. Products and sums
//    are exact integers (i32x4.dot_i16x8_s, flushed before i32 overflow), so any summation order
//    gives the value skbeam's float64 bincount computes (every partial sum is an integer < 2^53).
//  * F64: anything else. Each ROI sum is one sequential float64 chain in raster order, carried
//    across pixel blocks through the output array, i.e. exactly numpy.bincount's additions.

/** Sum over an i16 segment [a, b) of 8-pixel chunks, flushed every `kmax` chunks (exact). */
export function sumI16(ptr: usize, chunks: i32, kmax: i32): f64 {
  let total: f64 = 0;
  let c = 0;
  while (c < chunks) {
    const end = min(chunks, c + kmax);
    let acc = i32x4.splat(0);
    for (; c < end; c++) acc = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(v128.load(ptr + (<usize>c << 4))));
    total += <f64>(<i64>i32x4.extract_lane(acc, 0) + <i64>i32x4.extract_lane(acc, 1) + <i64>i32x4.extract_lane(acc, 2) + <i64>i32x4.extract_lane(acc, 3));
  }
  return total;
}

@inline function hsum(v: v128): i64 {
  return <i64>i32x4.extract_lane(v, 0) + <i64>i32x4.extract_lane(v, 1) + <i64>i32x4.extract_lane(v, 2) + <i64>i32x4.extract_lane(v, 3);
}

/**
 * Dot products of `cur` with 4 past rows (p0..p3) over `chunks` 8-pixel chunks; adds the exact
 * integer results to out[o0..o3] (f64). Flushes the i32 lanes every `kmax` chunks.
 */
export function dot4I16(cur: usize, p0: usize, p1: usize, p2: usize, p3: usize, chunks: i32, kmax: i32, o0: usize, o1: usize, o2: usize, o3: usize): void {
  let t0: i64 = 0, t1: i64 = 0, t2: i64 = 0, t3: i64 = 0;
  let c = 0;
  while (c < chunks) {
    const end = min(chunks, c + kmax);
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    for (; c < end; c++) {
      const off = <usize>c << 4;
      const x = v128.load(cur + off);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, v128.load(p0 + off)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, v128.load(p1 + off)));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x, v128.load(p2 + off)));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x, v128.load(p3 + off)));
    }
    t0 += hsum(a0); t1 += hsum(a1); t2 += hsum(a2); t3 += hsum(a3);
  }
  store<f64>(o0, load<f64>(o0) + <f64>t0);
  store<f64>(o1, load<f64>(o1) + <f64>t1);
  store<f64>(o2, load<f64>(o2) + <f64>t2);
  store<f64>(o3, load<f64>(o3) + <f64>t3);
}

/** Single-row variant of dot4I16 (remainder lags). */
export function dot1I16(cur: usize, p0: usize, chunks: i32, kmax: i32, o0: usize): void {
  let t0: i64 = 0;
  let c = 0;
  while (c < chunks) {
    const end = min(chunks, c + kmax);
    let a0 = i32x4.splat(0);
    for (; c < end; c++) {
      const off = <usize>c << 4;
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(cur + off), v128.load(p0 + off)));
    }
    t0 += hsum(a0);
  }
  store<f64>(o0, load<f64>(o0) + <f64>t0);
}

/** Sequential float64 chain out += x[j] over [0, n) (raster order, carried across blocks). */
export function sumF64Chain(x: usize, n: i32, o: usize): void {
  let acc = load<f64>(o);
  for (let j = 0; j < n; j++) acc += load<f64>(x + (<usize>j << 3));
  store<f64>(o, acc);
}

/** Four independent sequential chains out_k += cur[j] * p_k[j] (product rounded, then added, as numpy). */
export function dot4F64(cur: usize, p0: usize, p1: usize, p2: usize, p3: usize, n: i32, o0: usize, o1: usize, o2: usize, o3: usize): void {
  let a0 = load<f64>(o0), a1 = load<f64>(o1), a2 = load<f64>(o2), a3 = load<f64>(o3);
  for (let j = 0; j < n; j++) {
    const off = <usize>j << 3;
    const x = load<f64>(cur + off);
    a0 += x * load<f64>(p0 + off);
    a1 += x * load<f64>(p1 + off);
    a2 += x * load<f64>(p2 + off);
    a3 += x * load<f64>(p3 + off);
  }
  store<f64>(o0, a0); store<f64>(o1, a1); store<f64>(o2, a2); store<f64>(o3, a3);
}

export function dot1F64(cur: usize, p0: usize, n: i32, o0: usize): void {
  let a0 = load<f64>(o0);
  for (let j = 0; j < n; j++) {
    const off = <usize>j << 3;
    a0 += load<f64>(cur + off) * load<f64>(p0 + off);
  }
  store<f64>(o0, a0);
}
