// Separable running maximum for peak_local_max (scipy.ndimage.maximum_filter with a square
// footprint of width w = 2r+1, mode='constant', cval=0.0). Generic over f32 / f64 pixels; every
// pass is SIMD over 16 bytes (4 x f32 or 2 x f64). A square max is separable (max over rows of
// the max over columns), and max is exact, so the result equals scipy's bit for bit.
//
// Windows up to DIRECT_MAX_W are taken directly (w reads per output); wider ones use the
// doubling scheme M_2L[i] = max(M_L[i], M_L[i+L]) then out[i] = max(M_L[i], M_L[i+w-L]) with L
// the largest power of two <= w: O(log w) passes instead of O(w).

const DIRECT_MAX_W: i32 = 7;

@inline function vmax<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 4) return f32x4.max(a, b);
  return f64x2.max(a, b);
}

@inline function smax<T>(a: T, b: T): T {
  return a > b ? a : b;
}

/** dst[i] = max(src[i .. i+w)) for i in [0, n): vectors first, scalar tail. dst may equal src. */
function windowMaxDirect<T>(src: usize, dst: usize, n: i32, w: i32, stride: usize): void {
  // `stride` is the element distance between consecutive window members (1 in a row, cols
  // between rows); the vector runs along contiguous memory, so it is used for both passes.
  const lanes: i32 = 16 / sizeof<T>();
  let i = 0;
  for (; i + lanes <= n; i += lanes) {
    const base = src + (<usize>i) * sizeof<T>();
    let m = v128.load(base);
    for (let k = 1; k < w; k++) m = vmax<T>(m, v128.load(base + (<usize>k) * stride * sizeof<T>()));
    v128.store(dst + (<usize>i) * sizeof<T>(), m);
  }
  for (; i < n; i++) {
    const base = src + (<usize>i) * sizeof<T>();
    let m = load<T>(base);
    for (let k = 1; k < w; k++) m = smax<T>(m, load<T>(base + (<usize>k) * stride * sizeof<T>()));
    store<T>(dst + (<usize>i) * sizeof<T>(), m);
  }
}

/** In place: a[i] = max(a[i], a[i + off]) for i in [0, n), forward (safe: a[i+off] not yet written). */
function pairMaxInPlace<T>(a: usize, n: i32, offElems: usize): void {
  const lanes: i32 = 16 / sizeof<T>();
  const off = offElems * sizeof<T>();
  let i = 0;
  for (; i + lanes <= n; i += lanes) {
    const p = a + (<usize>i) * sizeof<T>();
    v128.store(p, vmax<T>(v128.load(p), v128.load(p + off)));
  }
  for (; i < n; i++) {
    const p = a + (<usize>i) * sizeof<T>();
    store<T>(p, smax<T>(load<T>(p), load<T>(p + off)));
  }
}

/**
 * Window max along one axis of a zero-padded buffer: `buf` holds `count + w - 1` items of
 * `itemLen` elements each (item = one pixel for rows, one image row for columns); afterwards the
 * first `count` items hold max over items [i, i+w). In place.
 */
function windowMaxAxis<T>(buf: usize, count: i32, w: i32, itemLen: i32): void {
  if (w == 1) return;
  const total = count + w - 1;
  if (w <= DIRECT_MAX_W) {
    // Items are contiguous along memory, so a run of count*itemLen elements is one long vector loop.
    windowMaxDirect<T>(buf, buf, count * itemLen, w, <usize>itemLen);
    return;
  }
  let L = 1;
  while (L * 2 <= w) {
    pairMaxInPlace<T>(buf, (total - 2 * L + 1) * itemLen, <usize>(L * itemLen));
    L *= 2;
  }
  if (L < w) pairMaxInPlace<T>(buf, count * itemLen, <usize>((w - L) * itemLen));
}

/**
 * maximum_filter(img, size=(2r+1, 2r+1), mode='constant', cval=0) of a rows x cols image.
 * `out` must hold (rows + 2r) * cols elements (its first rows*cols hold the result); `rowBuf`
 * must hold cols + 2r elements. Both are scratch the kernel initialises itself.
 */
export function maxFilter2d<T>(img: usize, out: usize, rows: i32, cols: i32, r: i32, rowBuf: usize): void {
  const w = 2 * r + 1;
  const es = <usize>sizeof<T>();
  const rowBytes = <usize>cols * es;
  // Zero rows above and below (the cval=0 padding of the vertical pass).
  memory.fill(out, 0, <usize>r * rowBytes);
  memory.fill(out + <usize>(r + rows) * rowBytes, 0, <usize>r * rowBytes);
  // Horizontal pass: each row padded with r zeros on both sides, result into out row y + r.
  for (let y = 0; y < rows; y++) {
    // The in-place window max overwrites the padding: zero it again for every row.
    memory.fill(rowBuf, 0, <usize>r * es);
    memory.fill(rowBuf + <usize>(r + cols) * es, 0, <usize>r * es);
    memory.copy(rowBuf + <usize>r * es, img + <usize>y * rowBytes, rowBytes);
    windowMaxAxis<T>(rowBuf, cols, w, 1);
    memory.copy(out + <usize>(y + r) * rowBytes, rowBuf, rowBytes);
  }
  // Vertical pass over the padded stack of rows (in place): row y <- max of rows y .. y+2r.
  windowMaxAxis<T>(out, rows, w, cols);
}
