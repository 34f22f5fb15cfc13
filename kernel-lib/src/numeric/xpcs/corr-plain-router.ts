/**
 * The streamed corr's calling-thread work on a plain sparse frame (no flat field, stride 1, avg 1,
 * default mode), in WebAssembly (routePlainFrame, wasm-core/assembly/common/xpcs-route.ts): the
 * filter's products (per-pixel sums, partition and window sums, the frame sum) and the routing of
 * each valid pixel's value to its correlator share. Bit-identical to the JavaScript path it
 * replaces (plainSparse + plainProducts + the stream's sinks): the same additions in the same
 * order, in one loop instead of three and without per-frame JavaScript arrays.
 *
 * The products live in the router's memory while it takes frames; whoever adds to them next must
 * hold them: runCorrFilter calls `take(out)` before a frame the router cannot take (indices not
 * ascending) and at the end, and `give(out)` is implied by the next routed frame.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { coreModule, instantiateCore, type CoreExports } from '../wasm/core';
import type { CorrFilterProducts } from './corr-filter';

interface RouteExports extends CoreExports {
  routePlainFrame(
    idx: number,
    val: number,
    n: number,
    px: number,
    pix: number,
    routes: number,
    bits: number,
    lanes: number,
    products: number,
    partition: number,
    partial: number,
    useNorm: number,
    norm: number,
    outSlots: number,
    outVals: number,
    cap: number,
    fills: number,
  ): number;
}

/** One routed frame: share i's events are slots(i)/values(i) (views valid until the next frame). */
export interface RoutedFrame {
  readonly lanes: number;
  count(i: number): number;
  slots(i: number): Uint32Array;
  values(i: number): Float64Array;
}

export class PlainFrameRouter implements RoutedFrame {
  private readonly k: RouteExports;
  private readonly px: number;
  /** Per pixel 16 bytes: sbin (i32), route (i32), pixelSum (f64) (xpcs-route.ts). */
  private readonly pix: number;
  /** The routes alone (i32 per pixel), for passes without products. */
  private readonly routes: number;
  /** The partition and window sums, sized by the first products handed over (give). */
  private partition = 0;
  private partial = 0;
  private S = 0;
  private partialLength = 0;
  private readonly fills: number;
  private cap = 0;
  private idx = 0;
  private val = 0;
  private outSlots = 0;
  private outVals = 0;
  /** True while the products' current values are in this router (not in the caller's arrays). */
  private holding = false;
  private counts = new Int32Array(0);

  /** `sbin`: static bin (1-based, 0 = not valid) per pixel; `lanes` shares with route codes (slot << bits) | share. */
  constructor(
    sbin: Int32Array,
    readonly lanes: number,
    private readonly bits: number,
  ) {
    if (lanes < 1 || lanes > 1 << bits)
      throw new StagebookError('E_INTERNAL', `PlainFrameRouter: ${lanes} lanes do not fit ${bits} route bits`);
    this.k = instantiateCore(coreModule('xpcs')).exports as RouteExports;
    this.px = sbin.length;
    this.pix = this.zeroed(16 * this.px);
    this.routes = this.zeroed(4 * this.px);
    this.fills = this.zeroed(4 * (lanes + 1)); // the last lane is the kernel's dump
    const words = new Int32Array(this.k.memory.buffer, this.pix, 4 * this.px);
    for (let p = 0; p < this.px; p++) words[4 * p] = sbin[p];
  }

  // Zeroed explicitly: the allocator keeps free-list links inside free blocks (corr-stream.ts).
  private zeroed(n: number): number {
    const p = this.k.alloc(Math.max(16, n));
    if (!p) throw new StagebookError('E_WASM', `PlainFrameRouter: could not allocate ${n} bytes`);
    new Uint8Array(this.k.memory.buffer, p, n).fill(0);
    return p;
  }

  private f64(p: number, n: number): Float64Array {
    return new Float64Array(this.k.memory.buffer, p, n);
  }

  /** This pass's routes: (slot << bits) | share per pixel, -1 for pixels of other passes. */
  setRoute(route: Int32Array): void {
    const words = new Int32Array(this.k.memory.buffer, this.pix, 4 * this.px);
    for (let p = 0; p < this.px; p++) words[4 * p + 1] = route[p];
    new Int32Array(this.k.memory.buffer, this.routes, this.px).set(route);
  }

  /** Room for frames of n events (the output of every lane can take all of them). */
  private reserve(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, 2 * this.cap, 1024);
    for (const p of [this.idx, this.val, this.outSlots, this.outVals]) if (p) this.k.dealloc(p);
    this.idx = this.zeroed(4 * cap);
    this.val = this.zeroed(2 * cap);
    this.outSlots = this.zeroed(4 * cap * (this.lanes + 1));
    this.outVals = this.zeroed(8 * cap * (this.lanes + 1));
    this.cap = cap;
  }

  /**
   * Takes one frame (indices ascending strictly, raw counts), adding to `out`'s products (null: no
   * products) at window offset `partialAt`, values divided by `norm` when given. Returns the frame
   * sum (0 without products), or -1 when it cannot take the frame (indices not strictly ascending
   * in the detector, or not u32 indices with u16 counts): nothing was done.
   */
  frame(
    indices: ArrayLike<number>,
    values: ArrayLike<number>,
    partialAt: number,
    out: CorrFilterProducts | null,
    norm?: number,
  ): number {
    // The kernel reads u32 indices and u16 counts (IMM); other sources take the JavaScript path.
    if (!(indices instanceof Uint32Array) || !(values instanceof Uint16Array) || values.length !== indices.length)
      return -1;
    const n = indices.length;
    this.reserve(n);
    const mem = this.k.memory.buffer;
    new Uint32Array(mem, this.idx, n).set(indices);
    new Uint16Array(mem, this.val, n).set(values);
    if (out && !this.holding) this.give(out);
    const fsum = this.k.routePlainFrame(
      this.idx,
      this.val,
      n,
      this.px,
      this.pix,
      this.routes,
      this.bits,
      this.lanes,
      out ? 1 : 0,
      this.partition,
      this.partial + 8 * partialAt,
      norm === undefined ? 0 : 1,
      norm ?? 1,
      this.outSlots,
      this.outVals,
      this.cap,
      this.fills,
    );
    this.counts = new Int32Array(this.k.memory.buffer, this.fills, this.lanes);
    return fsum;
  }

  count(i: number): number {
    return this.counts[i];
  }

  slots(i: number): Uint32Array {
    return new Uint32Array(this.k.memory.buffer, this.outSlots + 4 * i * this.cap, this.counts[i]);
  }

  values(i: number): Float64Array {
    return new Float64Array(this.k.memory.buffer, this.outVals + 8 * i * this.cap, this.counts[i]);
  }

  /** Hands the products' current values to `out` (before the caller adds to them itself). */
  take(out: CorrFilterProducts): void {
    if (!this.holding) return;
    const rec = this.f64(this.pix, 2 * this.px);
    for (let p = 0; p < this.px; p++) out.pixelSum[p] = rec[2 * p + 1];
    out.partitionSum.set(this.f64(this.partition, this.S));
    out.partialSum.set(this.f64(this.partial, this.partialLength));
    this.holding = false;
  }

  private give(out: CorrFilterProducts): void {
    if (out.pixelSum.length !== this.px)
      throw new StagebookError('E_INTERNAL', 'PlainFrameRouter: products of another detector size');
    if (out.partitionSum.length !== this.S || out.partialSum.length !== this.partialLength) {
      for (const p of [this.partition, this.partial]) if (p) this.k.dealloc(p);
      this.S = out.partitionSum.length;
      this.partialLength = out.partialSum.length;
      this.partition = this.zeroed(8 * this.S);
      this.partial = this.zeroed(8 * this.partialLength);
    }
    const rec = this.f64(this.pix, 2 * this.px);
    for (let p = 0; p < this.px; p++) rec[2 * p + 1] = out.pixelSum[p];
    this.f64(this.partition, this.S).set(out.partitionSum);
    this.f64(this.partial, this.partialLength).set(out.partialSum);
    this.holding = true;
  }
}
