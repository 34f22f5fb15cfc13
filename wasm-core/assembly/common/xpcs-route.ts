// The calling thread's per-event work for a plain sparse frame of the streamed corr (no flat
// field, stride 1, avg 1, default mode), in WebAssembly: the filter's products and the routing of
// each valid pixel's value to its correlator lane. It is the JavaScript loops of
// kernel-lib/src/numeric/xpcs/corr-filter.ts (plainSparse, plainProducts) and of the stream's
// sinks (corr-stream-run.ts, corr-stream-share.ts frame()) fused, with the same additions in the
// same order, so the results are bit-identical. Why here: one loop instead of three over every
// event, and no per-frame JavaScript arrays. A pass that only routes reads a 4 MB table per
// megapixel (about 10 ns per event here); the first pass, which also adds the products, costs
// about 50 ns per event, as a C port of the same loop does on this machine: the per-bin sums
// are a chain of additions through memory with an unpredictable bin.

/** Appends (slot r >>> bits, value x) to lane r & laneMask, or to the dump lane `lanes` when r < 0. */
@inline function append(
  r: i32, laneMask: i32, bits: i32, lanes: i32, fills: usize, cap: usize, outSlots: usize, outVals: usize, x: f64,
): void {
  const lane = <usize>select<i32>(r & laneMask, lanes, r >= 0);
  const fp = fills + (lane << 2);
  const m = <usize>load<i32>(fp);
  store<i32>(fp, <i32>(m + 1));
  const at = lane * cap + m;
  store<u32>(outSlots + (at << 2), <u32>r >>> <u32>bits);
  store<f64>(outVals + (at << 3), x);
}

/**
 * One frame of n events: idx (u32 pixel indices, must ascend strictly) and val (u16 raw counts).
 * Per pixel p, a 16-byte record at pix + 16 p: sbin (i32: 1-based static bin, 0 = not valid),
 * route (i32), pixelSum (f64): what a pixel's event needs in the first pass, in one cache line.
 * For each pixel with sbin > 0:
 *  - products (when `products`): pixelSum += v; partition[b] += v; partial[b] += v
 *    (b = sbin - 1; partial = the frame's window row); the frame sum is returned;
 *  - routing: r = route (-1 = not in this pass; without products it is read from `routes`, i32
 *    per pixel, a quarter of the bytes), lane r & laneMask gets slot r >>> bits and value v (or v / norm when `useNorm`, main.cpp:313-337) appended at
 *    outSlots/outVals + lane * cap, its count in fills[lane] (i32, reset here); the buffers hold
 *    lanes + 1 lanes (the last a dump).
 * Returns -1 without touching anything when the indices do not ascend strictly within [0, px)
 * (the general path, which sums repeats and reports bad indices, takes such a frame).
 */
export function routePlainFrame(
  idx: usize, val: usize, n: i32, px: i32,
  pix: usize, routes: usize, bits: i32, lanes: i32,
  products: i32, partition: usize, partial: usize,
  useNorm: i32, norm: f64,
  outSlots: usize, outVals: usize, cap: usize, fills: usize,
): f64 {
  let prev: i64 = -1;
  for (let k = 0; k < n; k++) {
    const p = <i64>load<u32>(idx + (<usize>k << 2));
    if (p <= prev || p >= <i64>px) return -1;
    prev = p;
  }
  // Lane `lanes` is a dump: events of other passes' pixels and of invalid pixels are written there
  // and never reported, so the loop has no branch on whether a pixel is valid or in this pass
  // (unpredictable, and decided by a load that often misses the cache).
  memory.fill(fills, 0, <usize>(lanes + 1) << 2);
  const laneMask = (1 << bits) - 1;
  let fsum: f64 = 0;
  if (!products) {
    // Routing only (a later pass): the compact route table (i32 per pixel, the records' route),
    // a quarter of the records' bytes, so more of it stays in cache.
    for (let k = 0; k < n; k++) {
      const r = load<i32>(routes + (<usize>load<u32>(idx + (<usize>k << 2)) << 2));
      const v = <f64>load<u16>(val + (<usize>k << 1));
      append(r, laneMask, bits, lanes, fills, cap, outSlots, outVals, useNorm ? v / norm : v);
    }
    return 0;
  }
  for (let k = 0; k < n; k++) {
    const rec = pix + (<usize>load<u32>(idx + (<usize>k << 2)) << 4);
    const sb = load<i32>(rec);
    const v = <f64>load<u16>(val + (<usize>k << 1));
    // An invalid pixel adds +0 to its own (zero) sum and to bin 0: x + 0 == x for every sum here
    // (sums of counts are never -0), so the bits are those of skipping it.
    const w = select<f64>(v, 0, sb > 0);
    store<f64>(rec, load<f64>(rec, 8) + w, 8);
    fsum += w;
    const b = <usize>select<i32>(sb - 1, 0, sb > 0) << 3;
    store<f64>(partition + b, load<f64>(partition + b) + w);
    store<f64>(partial + b, load<f64>(partial + b) + w);
    const r = load<i32>(rec, 4); // -1 for invalid pixels and those of other passes
    append(r, laneMask, bits, lanes, fills, cap, outSlots, outVals, useNorm ? v / norm : v);
  }
  return fsum;
}
