/**
 * Streaming multiTau2 (default mode): the per-pixel sums of corr-multitau.ts computed as frames
 * arrive, in memory that does not grow with the number of frames. The work runs in the
 * WebAssembly kernel wasm-core/assembly/common/xpcs-stream.ts (smtPushBatch / smtFinish): frames
 * are buffered in batches, each batch is sorted pixel-major (corr's per-pixel sparse lists, one
 * batch at a time) and every pixel's values run through all its multi-tau levels while its state
 * is in cache. Per level and pixel the state is a ring of its recent level-frames (values and
 * frame numbers), its running sum, the half-built pair of the next level, and its G2/IP/IF sums.
 *
 * Bit-identical to the in-memory path: for each pixel and delay the same products and values are
 * added in the same order (ascending source frame), and pair averages are (0 + a + b) / 2 with a
 * missing partner 0 (levelDown in corr-multitau.ts computes a + b, or a, then halves).
 * compat mode is not streamed: corr's missed partners depend on the stale tail of whole rows.
 *
 * Each instance owns a fresh WebAssembly instance (its own memory), so a large block's memory is
 * returned when the stream is done instead of staying with the shared core.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { coreModule, instantiateCore, type CoreExports } from '../wasm/core';
import type { CorrPixelSums } from './corr-multitau';

interface StreamExports extends CoreExports {
  smtPushBatch(
    st: number,
    evSlots: number,
    evVals: number,
    starts: number,
    F: number,
    counts: number,
    tTimes: number,
    tVals: number,
  ): void;
  smtFinish(st: number): void;
}

/** Words of the kernel's state descriptor (see xpcs-stream.ts). */
/**
 * A block's state must fit the 32-bit WebAssembly memory with room for the allocator (whose
 * largest block is 1 GiB: the level-0 records, the largest array, stay under it at 3 GiB).
 */
export const STREAM_BLOCK_MAX_BYTES = 3 * 2 ** 30;

/** Ring rows per level at most: the kernel's 64-bit mask of live rows (level 0 reaches 2 x delays per level). */
export const STREAM_MAX_RING = 64;

/** A level's delays and its per-pixel record layout (f64 words, xpcs-stream.ts). */
interface LevelPlan {
  taus: number[];
  R: number;
  last: number;
  /** Record: the ring [0, R), the meta words from `meta` (S, pend, lt/pendK, flags/snap, mask), the sums from `sums`. */
  meta: number;
  sums: number;
  words: number;
}

function levelPlans(frames: number, delays: Array<[number, number]>): LevelPlan[] {
  const maxLevel = delays.length ? delays[delays.length - 1][0] : 0;
  const plans: LevelPlan[] = [];
  let last = frames;
  for (let L = 0; L <= maxLevel; L++) {
    if (L > 0) last = Math.floor(last / 2);
    const taus = delays.filter(([lv]) => lv === L).map(([, tau]) => tau / 2 ** L);
    // The ring holds the last tau_max level-frames (the kernel reads the row of t - tau_max before
    // t overwrites it). corr's delays reach 2^k level-frames, so with a power-of-2 delays per level
    // R is a power of 2 and rows are taken by mask.
    const R = Math.max(1, ...taus);
    plans.push({ taus, R, last, meta: R, sums: R + 5, words: R + 5 + 3 * taus.length });
  }
  return plans;
}

export interface StreamingMultiTauOptions {
  /** Frames and events buffered before a batch is sorted pixel-major and correlated. */
  batchFrames?: number;
  batchEvents?: number;
}

/**
 * Default batch: 2^21 events. Its buffers, 24 bytes per event (the frame-major batch and its
 * pixel-major copy, plus room for one more frame of B events), are about 48 MiB, apart from the
 * per-slot state that bytesPerSlot counts.
 */
const STREAM_BATCH_EVENTS = 2 ** 21;

/**
 * Streaming per-pixel multi-tau sums for the slots [0, B) of one pixel block. Frames are buffered
 * in batches (a frame's slots distinct, in any order); each batch is correlated pixel by pixel.
 */
export class StreamingMultiTau {
  private readonly k: StreamExports;
  private readonly plans: LevelPlan[];
  private readonly records: number[] = [];
  private readonly st: number;
  private readonly cap: number;
  private readonly maxFrames: number;
  private readonly batchEvents: number;
  private readonly ev: {
    slots: number;
    vals: number;
    starts: number;
    counts: number;
    tTimes: number;
    tVals: number;
  };
  private frames = 0;
  private fill = 0;
  private buffer: ArrayBuffer | SharedArrayBuffer | null = null;
  private slotView = new Uint32Array(0);
  private valView = new Float64Array(0);
  private startView = new Uint32Array(0);

  constructor(
    readonly B: number,
    frames: number,
    readonly delays: Array<[number, number]>,
    options: StreamingMultiTauOptions = {},
  ) {
    const per = StreamingMultiTau.bytesPerSlot(frames, delays);
    const bytes = B * per;
    if (bytes > STREAM_BLOCK_MAX_BYTES)
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `StreamingMultiTau: a block of ${B} pixels needs ${(bytes / 2 ** 30).toFixed(2)} GiB, over the ${STREAM_BLOCK_MAX_BYTES / 2 ** 30} GiB a WebAssembly memory holds; lower memoryBudgetBytes`,
        { where: 'StreamingMultiTau', field: 'memoryBudgetBytes' },
      );
    this.plans = levelPlans(frames, delays);
    const R = Math.max(...this.plans.map((lv) => lv.R));
    if (R >= STREAM_MAX_RING)
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `StreamingMultiTau: delays reach ${R} level-frames back; the streaming kernel reaches at most ${STREAM_MAX_RING - 1} (delays per level <= 31)`,
        { where: 'StreamingMultiTau', field: 'delays' },
      );
    this.k = instantiateCore(coreModule('xpcs')).exports as StreamExports;
    this.maxFrames = options.batchFrames ?? 4096;
    this.batchEvents = options.batchEvents ?? STREAM_BATCH_EVENTS;
    // Room for one more whole frame (at most B events) past the batch threshold.
    this.cap = B + this.batchEvents;
    // Zeroed explicitly even in a fresh instance: the allocator keeps free-list links inside free
    // blocks, so a block it hands out may carry them (seen: one wrong sum in 10^7 without this).
    const zeroed = (n: number) => {
      const p = this.k.alloc(Math.max(16, n));
      if (!p) throw new StagebookError('E_WASM', `StreamingMultiTau: could not allocate ${n} bytes`);
      new Uint8Array(this.k.memory.buffer, p, n).fill(0);
      return p;
    };
    this.ev = {
      slots: zeroed(4 * this.cap),
      vals: zeroed(8 * this.cap),
      starts: zeroed(4 * (this.maxFrames + 1)),
      counts: zeroed(4 * (B + 1)),
      tTimes: zeroed(4 * this.cap),
      tVals: zeroed(8 * this.cap),
    };
    // The kernel's per-pixel level lists (xpcs-stream.ts cascade): a pixel has at most one value
    // per batch frame, and each level may add the pair it carried in.
    const scratchCap = this.maxFrames + this.plans.length + 1;
    const scratch = zeroed(24 * scratchCap + 16);
    const words: number[] = [B, this.plans.length, 0, scratch, scratchCap, 0, 0, 0];
    for (const lv of this.plans) {
      // All zero is a record's initial state (no value yet, no pair being built: xpcs-stream.ts).
      const rec = zeroed(8 * lv.words * B);
      const taus = zeroed(4 * lv.taus.length);
      new Uint32Array(this.k.memory.buffer, taus, lv.taus.length).set(lv.taus);
      this.records.push(rec);
      // The tau mask as two u32 words (little-endian u64): bit tau iff tau is one of the level's delays.
      const [lo, hi] = lv.taus.reduce(
        ([a, b], t) => (t < 32 ? [(a | (1 << t)) >>> 0, b] : [a, (b | (1 << (t - 32))) >>> 0]),
        [0, 0],
      );
      const rmask = (lv.R & (lv.R - 1)) === 0 ? lv.R - 1 : 0;
      words.push(lv.taus.length, lv.R, lv.meta, lv.last, rec, lv.words, taus, rmask, lo, hi, 0, 0);
    }
    this.st = zeroed(4 * words.length);
    new Uint32Array(this.k.memory.buffer, this.st, words.length).set(words);
    this.startView0();
  }

  /** Bytes held per block slot (for choosing the block size; the batch buffers are apart: STREAM_BATCH_EVENTS). */
  static bytesPerSlot(frames: number, delays: Array<[number, number]>): number {
    return levelPlans(frames, delays).reduce((a, lv) => a + 8 * lv.words, 0);
  }

  private views(): void {
    const buf = this.k.memory.buffer;
    if (buf === this.buffer) return;
    this.buffer = buf;
    this.slotView = new Uint32Array(buf, this.ev.slots, this.cap);
    this.valView = new Float64Array(buf, this.ev.vals, this.cap);
    this.startView = new Uint32Array(buf, this.ev.starts, this.maxFrames + 1);
  }

  private startView0(): void {
    this.views();
    this.startView[0] = 0;
  }

  /**
   * Where the next level-0 frame goes: write its slots (distinct, < B) and values at
   * [offset, offset + n) of the views, then call endFrame(n). Views stay valid until endFrame.
   */
  beginFrame(): { slots: Uint32Array; values: Float64Array; offset: number } {
    if (this.fill + this.B > this.cap) this.flush();
    this.views();
    return { slots: this.slotView, values: this.valView, offset: this.fill };
  }

  endFrame(n: number): void {
    this.fill += n;
    this.frames++;
    this.startView[this.frames] = this.fill;
    if (this.frames === this.maxFrames || this.fill >= this.batchEvents) this.flush();
  }

  /** Correlates the frames buffered so far now (the batch is otherwise pushed when full). */
  push(): void {
    this.flush();
  }

  private flush(): void {
    if (this.frames === 0) return;
    const { slots, vals, starts, counts, tTimes, tVals } = this.ev;
    this.k.smtPushBatch(this.st, slots, vals, starts, this.frames, counts, tTimes, tVals);
    this.frames = 0;
    this.fill = 0;
    this.startView0();
  }

  /**
   * Completes the sums as multiTau2 leaves them, then hands the sums of slot order[i] to
   * `visit(i, …)` for i = 0, 1, ... as a one-slot CorrPixelSums (X[d]); the arrays are reused.
   */
  finish(order: ArrayLike<number>, visit: (i: number, sums: CorrPixelSums) => void): void {
    this.flush();
    this.k.smtFinish(this.st);
    const nd = this.delays.length;
    const one: CorrPixelSums = {
      G2: new Float64Array(nd),
      IP: new Float64Array(nd),
      IF: new Float64Array(nd),
      slots: 1,
    };
    const views = this.plans.map((lv, L) => new Float64Array(this.k.memory.buffer, this.records[L], lv.words * this.B));
    for (let i = 0; i < order.length; i++) {
      const s = order[i];
      let d = 0;
      for (let L = 0; L < this.plans.length; L++) {
        const lv = this.plans[L];
        const rec = views[L];
        const nt = lv.taus.length;
        const base = s * lv.words + lv.sums;
        for (let j = 0; j < nt; j++, d++) {
          one.G2[d] = rec[base + j];
          one.IP[d] = rec[base + nt + j];
          one.IF[d] = rec[base + 2 * nt + j];
        }
      }
      visit(i, one);
    }
  }
}
