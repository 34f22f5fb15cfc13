/**
 * Streaming multiTau2 (default mode): the per-pixel sums of corr-multitau.ts computed as frames
 * arrive, in memory that does not grow with the number of frames. The per-frame work runs in the
 * WebAssembly kernel wasm-core/assembly/common/xpcs-stream.ts (smtPush / smtFinish): per level a
 * ring of the last R level-frames holds the labelled pixels of the current pixel block densely
 * (O(1) partner lookup, pixel-major) plus each level-frame's list of stored pixels (the sparse
 * frame: only those are visited, and only those are cleared when the slot is reused). Level L+1
 * frame k is the pair average of level-L frames 2k and 2k+1, built when 2k+1 arrives; an odd last
 * frame is dropped.
 *
 * Bit-identical to the in-memory path: for each pixel and delay the same products and values are
 * added in the same order (ascending source frame), and pair averages are (a + b) / 2 with a
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
    sts: number,
    K: number,
    SB: number,
    evSlots: number,
    evVals: number,
    starts: number,
    F: number,
    cursors: number,
  ): void;
  smtFinish(st: number): void;
}

/** Words of the kernel's state descriptor (see xpcs-stream.ts). */
/**
 * A block's state must fit the 32-bit WebAssembly memory with room for the allocator (whose
 * largest block is 1 GiB: the level-0 records, the largest array, stay under it at 3 GiB).
 */
export const STREAM_BLOCK_MAX_BYTES = 3 * 2 ** 30;

interface LevelPlan {
  taus: number[];
  R: number;
  last: number;
  /** f64 words per pixel record: R ring values, S, stamp and split flag, G2/IP/IF per delay (xpcs-stream.ts). */
  words: number;
}

function levelPlans(frames: number, delays: Array<[number, number]>): LevelPlan[] {
  const maxLevel = delays.length ? delays[delays.length - 1][0] : 0;
  const plans: LevelPlan[] = [];
  let last = frames;
  for (let L = 0; L <= maxLevel; L++) {
    if (L > 0) last = Math.floor(last / 2);
    const taus = delays.filter(([lv]) => lv === L).map(([, tau]) => tau / 2 ** L);
    // Level L must keep frame 2k while 2k+1 arrives: R >= 2.
    const R = Math.max(2, ...taus.map((t) => t + 1));
    plans.push({ taus, R, last, words: R + 2 + 3 * taus.length });
  }
  return plans;
}

export interface StreamingMultiTauOptions {
  /** Slots per cache sub-block (default: about 1 MiB of state, the L2 of one core). */
  subBlock?: number;
  /** Frames and events buffered before the batch is correlated sub-block by sub-block. */
  batchFrames?: number;
  batchEvents?: number;
}

/**
 * Streaming per-pixel multi-tau sums for the slots [0, B) of one pixel block. Frames are buffered
 * in batches; each batch is correlated sub-block by sub-block (smtPushBatch), so the random
 * accesses of a sparse frame stay within cache-sized state. Slots of a frame must ascend.
 */
export class StreamingMultiTau {
  private readonly k: StreamExports;
  private readonly plans: LevelPlan[];
  private readonly records: number[] = [];
  private readonly states: number[] = [];
  private readonly sts: number;
  private readonly SB: number;
  private readonly cap: number;
  private readonly maxFrames: number;
  private readonly batchEvents: number;
  private readonly ev: { slots: number; vals: number; starts: number; cursors: number };
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
    this.k = instantiateCore(coreModule('xpcs')).exports as StreamExports;
    this.plans = levelPlans(frames, delays);
    this.SB = Math.max(1, Math.min(B, options.subBlock ?? Math.ceil(2 ** 20 / per)));
    this.maxFrames = options.batchFrames ?? 256;
    this.batchEvents = options.batchEvents ?? 2 ** 20;
    this.cap = B + this.batchEvents;
    const K = Math.ceil(B / this.SB);
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
      cursors: zeroed(4 * this.maxFrames),
    };
    const level = this.plans.map((lv) => {
      const rec = zeroed(8 * lv.words * B);
      // Stamps start at -1 (no level-frame built yet).
      const stamps = new Int32Array(this.k.memory.buffer, rec, 2 * lv.words * B);
      for (let s = 0; s < B; s++) stamps[2 * (s * lv.words + lv.R + 1)] = -1;
      const taus = zeroed(4 * lv.taus.length);
      new Uint32Array(this.k.memory.buffer, taus, lv.taus.length).set(lv.taus);
      this.records.push(rec);
      return {
        rec,
        taus,
        lists: zeroed(4 * lv.R * B),
        counts: zeroed(4 * lv.R * K),
        scratch: zeroed(4 * lv.taus.length),
      };
    });
    // One state per sub-block: its slice of the records, its own list rows and counts.
    for (let k = 0; k < K; k++) {
      const s0 = k * this.SB;
      const nb = Math.min(this.SB, B - s0);
      const words: number[] = [nb, this.plans.length, 0, 0, 0, 0, 0, 0];
      this.plans.forEach((lv, L) => {
        const a = level[L];
        words.push(lv.taus.length, lv.R, 0, lv.last, a.rec + 8 * lv.words * s0, a.lists + 4 * lv.R * s0);
        words.push(a.counts + 4 * lv.R * k, a.taus, lv.words, a.scratch, 0, 0);
      });
      const st = zeroed(4 * words.length);
      new Uint32Array(this.k.memory.buffer, st, words.length).set(words);
      this.states.push(st);
    }
    this.sts = zeroed(4 * K);
    new Uint32Array(this.k.memory.buffer, this.sts, K).set(this.states);
    this.startView0();
  }

  /** Bytes held per block slot (for choosing the block size). */
  static bytesPerSlot(frames: number, delays: Array<[number, number]>): number {
    // Records (f64), one list entry per ring row (u32), batch slot + value.
    return levelPlans(frames, delays).reduce((a, lv) => a + 8 * lv.words + 4 * lv.R, 12);
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
   * Where the next level-0 frame goes: write its slots (ascending, distinct) and values at
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

  private flush(): void {
    if (this.frames === 0) return;
    const { slots, vals, starts, cursors } = this.ev;
    this.k.smtPushBatch(this.sts, this.states.length, this.SB, slots, vals, starts, this.frames, cursors);
    this.frames = 0;
    this.fill = 0;
    this.startView0();
  }

  /**
   * Divides by (last - tau) as multiTau2 does, then hands the sums of slot order[i] to `visit(i, …)`
   * for i = 0, 1, ... as a one-slot CorrPixelSums (X[d]); the arrays are reused between calls.
   */
  finish(order: ArrayLike<number>, visit: (i: number, sums: CorrPixelSums) => void): void {
    this.flush();
    for (const st of this.states) this.k.smtFinish(st);
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
        const base = s * lv.words + lv.R + 2;
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
