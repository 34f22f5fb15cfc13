// All-pairs (banded) frame products of one multi-tau level for skbeam's two-time correlator.
//
// With one level, skbeam's _two_time_process bincounts Y[k] * Y[k-i] over each ROI for every
// event k and lag i < min(k+1, num_bufs): a banded Gram matrix of the frames, per ROI. On a
// compact, ROI-grouped int16 stack (values <= 32767, see xpcs-corr.ts "I16" mode) every product
// and partial sum is an exact integer, so the sums can be tiled in any order and still equal
// skbeam's float64 bincount bit for bit: frames are taken two events x four partners at a time
// (six loads for eight i32x4.dot_i16x8_s) over pixel blocks that stay in L2.

/** Pixel chunks (8 pixels) per block: 64 chunks = 1 KB per frame row. */
const BLOCK_CHUNKS = 256;

@inline function hsum(v: v128): i64 {
  return <i64>i32x4.extract_lane(v, 0) + <i64>i32x4.extract_lane(v, 1) + <i64>i32x4.extract_lane(v, 2) + <i64>i32x4.extract_lane(v, 3);
}

/**
 * 2 x 4 dot products of rows a0, a1 with rows b0..b3 over `chunks` chunks, flushing the i32
 * lanes every `kmax` chunks (exact). Writes the 8 integer results (f64) to out[0..7], a-major.
 */
function tile2x4(a0: usize, a1: usize, b0: usize, b1: usize, b2: usize, b3: usize, chunks: i32, kmax: i32, out: usize): void {
  let t00: i64 = 0, t01: i64 = 0, t02: i64 = 0, t03: i64 = 0;
  let t10: i64 = 0, t11: i64 = 0, t12: i64 = 0, t13: i64 = 0;
  let c = 0;
  while (c < chunks) {
    const end = min(chunks, c + kmax);
    let s00 = i32x4.splat(0), s01 = i32x4.splat(0), s02 = i32x4.splat(0), s03 = i32x4.splat(0);
    let s10 = i32x4.splat(0), s11 = i32x4.splat(0), s12 = i32x4.splat(0), s13 = i32x4.splat(0);
    for (; c < end; c++) {
      const off = <usize>c << 4;
      const y0 = v128.load(b0 + off);
      const y1 = v128.load(b1 + off);
      const y2 = v128.load(b2 + off);
      const y3 = v128.load(b3 + off);
      const x0 = v128.load(a0 + off);
      s00 = i32x4.add(s00, i32x4.dot_i16x8_s(x0, y0));
      s01 = i32x4.add(s01, i32x4.dot_i16x8_s(x0, y1));
      s02 = i32x4.add(s02, i32x4.dot_i16x8_s(x0, y2));
      s03 = i32x4.add(s03, i32x4.dot_i16x8_s(x0, y3));
      const x1 = v128.load(a1 + off);
      s10 = i32x4.add(s10, i32x4.dot_i16x8_s(x1, y0));
      s11 = i32x4.add(s11, i32x4.dot_i16x8_s(x1, y1));
      s12 = i32x4.add(s12, i32x4.dot_i16x8_s(x1, y2));
      s13 = i32x4.add(s13, i32x4.dot_i16x8_s(x1, y3));
    }
    t00 += hsum(s00); t01 += hsum(s01); t02 += hsum(s02); t03 += hsum(s03);
    t10 += hsum(s10); t11 += hsum(s11); t12 += hsum(s12); t13 += hsum(s13);
  }
  store<f64>(out, <f64>t00); store<f64>(out, <f64>t01, 8); store<f64>(out, <f64>t02, 16); store<f64>(out, <f64>t03, 24);
  store<f64>(out, <f64>t10, 32); store<f64>(out, <f64>t11, 40); store<f64>(out, <f64>t12, 48); store<f64>(out, <f64>t13, 56);
}

/** Sum of `chunks` int16 chunks, exact (i32 lanes flushed every `kmax` chunks). */
function rowSum(p: usize, chunks: i32, kmax: i32): f64 {
  let total: i64 = 0;
  let c = 0;
  while (c < chunks) {
    const end = min(chunks, c + kmax);
    let acc = i32x4.splat(0);
    for (; c < end; c++) acc = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(v128.load(p + (<usize>c << 4))));
    total += hsum(acc);
  }
  return <f64>total;
}

/**
 * Level-0 banded Gram sums on a compact int16 stack [frame][npad] whose local frame 0 is global
 * frame t0. For every global event a in [eLo, eHi) and lag i < min(a+1, nb) adds
 * sum_j Y[a][j] * Y[a-i][j] over ROI r to prod[((eb+a)*nb + i)*R + r] and sum_j Y[a][j] to
 * sums[(eb+a)*R + r] (both zero on entry). Frames a-nb+1 .. a (>= 0) must be in the stack.
 */
export function gramI16(stack: usize, npad: i32, t0: i32, roiStart: usize, R: i32, nb: i32, eLo: i32, eHi: i32, prod: usize, sums: usize, eb: i32, kmax: i32): void {
  const rowBytes = <usize>npad << 1;
  const tile = heap.alloc(64);
  for (let r = 0; r < R; r++) {
    const rs = load<i32>(roiStart + (<usize>r << 2));
    const chunks = (load<i32>(roiStart + (<usize>(r + 1) << 2)) - rs) >> 3;
    const col = <usize>rs << 1;
    for (let a = eLo; a < eHi; a++) {
      const s = sums + ((<usize>(eb + a) * <usize>R + <usize>r) << 3);
      store<f64>(s, load<f64>(s) + rowSum(stack + <usize>(a - t0) * rowBytes + col, chunks, kmax));
    }
    for (let cb = 0; cb < chunks; cb += BLOCK_CHUNKS) {
      const nc = min(BLOCK_CHUNKS, chunks - cb);
      const base = stack + col + (<usize>cb << 4);
      for (let a = eLo; a < eHi; a += 2) {
        const a1 = min(a + 1, eHi - 1); // duplicate row when eHi - eLo is odd (results dropped)
        const bLo = max(0, a - nb + 1);
        const rowA0 = base + <usize>(a - t0) * rowBytes;
        const rowA1 = base + <usize>(a1 - t0) * rowBytes;
        for (let b = bLo; b <= a1; b += 4) {
          const b1 = min(b + 1, a1), b2 = min(b + 2, a1), b3 = min(b + 3, a1);
          tile2x4(rowA0, rowA1, base + <usize>(b - t0) * rowBytes, base + <usize>(b1 - t0) * rowBytes,
            base + <usize>(b2 - t0) * rowBytes, base + <usize>(b3 - t0) * rowBytes, nc, kmax, tile);
          addTile(tile, a, a1 > a, b, a1, nb, prod, eb, R, r);
        }
      }
    }
  }
  heap.free(tile);
}

/** Adds the valid entries of a 2x4 tile (event a and, if `second`, a+1; partners b..b+3 <= bMax). */
@inline function addTile(tile: usize, a: i32, second: bool, b: i32, bMax: i32, nb: i32, prod: usize, eb: i32, R: i32, r: i32): void {
  for (let q = 0; q < 4; q++) {
    const bq = b + q;
    if (bq > bMax) break;
    addOne(load<f64>(tile + (<usize>q << 3)), a, bq, nb, prod, eb, R, r);
    if (second) addOne(load<f64>(tile + (<usize>(4 + q) << 3)), a + 1, bq, nb, prod, eb, R, r);
  }
}

@inline function addOne(v: f64, a: i32, b: i32, nb: i32, prod: usize, eb: i32, R: i32, r: i32): void {
  const lag = a - b;
  if (lag < 0 || lag >= nb) return;
  const p = prod + (((<usize>(eb + a) * <usize>nb + <usize>lag) * <usize>R + <usize>r) << 3);
  store<f64>(p, load<f64>(p) + v);
}
