/**
 * Streaming multi-tau on worker threads (xpcsCorrStream's `threads`). A pass's pixel block (a
 * contiguous range of normalisation order) is split in contiguous shares; each share is owned by
 * one worker (corr-stream-share-worker.ts) holding its own StreamingMultiTau. The calling thread
 * keeps reading and filtering, routes each frame's events to the share buffers and the workers
 * push them; at the end of the pass each worker hands its per-slot sums back in normalisation
 * order through a chunk ring, and the calling thread folds them share by share: the normaliser
 * sees the serial path's values in the serial order, so the result is bit-identical.
 *
 * Each pass has fresh workers (started with the share's visit order, so each builds its
 * StreamingMultiTau while the calling thread reads the first frames) that end after FINISH: a
 * thread's exit frees its WebAssembly memory at once, where a long-lived worker would keep the last
 * pass's state until a garbage collection that nothing in it triggers (+300 MB RSS measured).
 *
 * Hand-over is through SharedArrayBuffers (reused by every pass) with Atomics.wait/notify, never
 * spinning: each worker has a double-buffered message queue (two halves; a message is FRAMES or
 * FINISH)
 * counted by `PUB` (written by the calling thread) and `CON` (by the worker), and a two-chunk
 * output ring counted by `OUT_PUB` / `OUT_CON`. The calling thread blocks only when a worker is a
 * whole batch behind. The whole stream stays synchronous (xpcsCorrStream is), so a worker's failure
 * cannot arrive as an event: the worker posts the error on its MessagePort (read with
 * receiveMessageOnPort), sets `ERR` and moves `CON`/`OUT_PUB` to FAILED, which wakes the caller.
 */
import type { RoutedFrame } from './corr-plain-router';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { StagebookError, isStagebookErrorCode } from '../../errors/stagebook-error';
import { compiledPath } from '../parallel/pool';
import { coreModule } from '../wasm/core';
import type { CorrPixelSums } from './corr-multitau';
import type { StreamingMultiTauOptions } from './corr-stream';

/** Words of a worker's control array. */
export const CTRL = { PUB: 0, CON: 1, ERR: 2, OUT_PUB: 3, OUT_CON: 4, WORDS: 8 } as const;
/** Message kinds (word 0 of a half's meta). */
export const MSG = { FRAMES: 1, FINISH: 2 } as const;
/** PUB / OUT_CON when the calling thread gave up; CON / OUT_PUB when the worker failed. */
export const ABORTED = -2;
export const FAILED = -3;

/** Everything a worker gets at start (SharedArrayBuffers are shared, the port is transferred). */
export interface ShareWorkerData {
  kind: 'xpcs-stream-share';
  share: number;
  /** The share's local slots in normalisation order (its pixels are slots 0.. in raster order). */
  visit: Int32Array;
  frames: number;
  delays: Array<[number, number]>;
  kernel: StreamingMultiTauOptions;
  /** Frames and events a message holds at most (the worker's kernel batch unless `kernel` sets one). */
  messageFrames: number;
  messageEvents: number;
  messagesPerBatch: number;
  ctrl: SharedArrayBuffer;
  /** Per half: meta (Int32: kind, frames F, starts[0..F]), event slots (Uint32), values (Float64). */
  meta: SharedArrayBuffer[];
  slots: SharedArrayBuffer[];
  values: SharedArrayBuffer[];
  /** Output ring: two chunks of `chunk` slots, each G2 | IP | IF, delay-major (d * chunk + i). */
  out: SharedArrayBuffer[];
  chunk: number;
  port: MessagePort;
  /** The calling thread's compiled xpcs core (shared code and tier-up, see adoptCoreModule). */
  module: WebAssembly.Module;
  /** Tests only: the worker throws when it receives this (1-based) FRAMES message. */
  failAtBatch?: number;
}

/** The serialised error a worker posts before it sets ERR. */
export interface ShareWorkerError {
  code?: string;
  message: string;
  name?: string;
  stack?: string;
  context?: Record<string, unknown>;
}

/**
 * Waits until ctrl[i] >= need (true), or returns false when the word turned negative (the other
 * side gave up). Atomics.wait sleeps until the writer's notify: no spinning, no timer.
 */
export function waitAtLeast(ctrl: Int32Array, i: number, need: number): boolean {
  for (;;) {
    const v = Atomics.load(ctrl, i);
    if (v >= need) return true;
    if (v < 0) return false;
    Atomics.wait(ctrl, i, v);
  }
}

/** Sets ctrl[i] and wakes whoever waits on it. */
export function publish(ctrl: Int32Array, i: number, v: number): void {
  Atomics.store(ctrl, i, v);
  Atomics.notify(ctrl, i);
}

/** Batch sizes of the hand-over (results never depend on them; tests use tiny ones). */
export interface ShareTuning {
  /** Frames per message (default 4096). */
  batchFrames?: number;
  /** Events per message (default 2^20, at least the largest share). */
  batchEvents?: number;
  /**
   * Messages per kernel batch (default 2): the worker correlates after every this many messages.
   * Each batch sweeps the state of every pixel with a value in it, so a larger batch costs less
   * state traffic per event (measured, 10^4 frames of 1024x1024 at 1% fill on 2 threads: the
   * workers' CPU 22-24 s at 1 message per batch, 17-19 s at 2, 16.6 s at 4), and each message
   * more costs 24 bytes per event of kernel buffers per share. Two messages keep the overlap:
   * while the worker correlates one batch, the calling thread fills the two message buffers.
   */
  messagesPerBatch?: number;
  /** Slots per output chunk (default 4096). */
  chunk?: number;
  /** Tests only: make share 0's worker fail at this FRAMES message. */
  failAtBatch?: number;
}

/** Workers whose thread has not exited yet, and who waits for none to be left (tests). */
const live = new Set<Worker>();
let idleWaiters: Array<() => void> = [];

/**
 * Resolves once every stream worker thread has exited (each ends after its pass, or is terminated
 * when the stream fails): a leaked worker would keep its WebAssembly memory for the process's life.
 */
export function streamShareWorkersIdle(): Promise<void> {
  if (live.size === 0) return Promise.resolve();
  return new Promise((resolve) => idleWaiters.push(resolve));
}

/** Bits of a route code that hold the share (route = local slot << SHARE_BITS | share; -1 = not in the block). */
export const SHARE_BITS = 6;

/** One share's shared buffers (kept for the whole stream) and its current pass's worker. */
interface Lane {
  buffers: Pick<ShareWorkerData, 'ctrl' | 'meta' | 'slots' | 'values' | 'out' | 'chunk'>;
  ctrl: Int32Array;
  meta: Int32Array[];
  slots: Uint32Array[];
  values: Float64Array[];
  out: Float64Array[];
  worker?: Worker;
  port?: MessagePort;
  /** Messages sent and chunks read in this pass. */
  sent: number;
  read: number;
  /** Events and frames in the message being filled. */
  fill: number;
  frames: number;
}

export class StreamShareWorkers {
  private readonly lanes: Lane[] = [];
  private readonly maxFrames: number;
  private readonly cap: number;
  private readonly chunk: number;
  private readonly messagesPerBatch: number;
  private readonly nd: number;
  private readonly file: string;
  /** Shares of the current pass (<= lanes), their sizes, and each pixel's route code. */
  private sizes: number[] = [];
  private route = new Int32Array(0);
  /** The halves being filled, per share (refreshed when a message is sent). */
  private fills: number[] = [];
  private slotBufs: Uint32Array[] = [];
  private valBufs: Float64Array[] = [];
  private closed = false;

  /** The most shares a pass can have. */
  get threads(): number {
    return this.lanes.length;
  }

  /**
   * Buffers for `threads` shares of at most `maxShare` pixels; workers start with each pass. Call
   * close() in a finally: it ends the workers whatever happened.
   */
  constructor(
    private readonly where: string,
    threads: number,
    private readonly frames: number,
    private readonly delays: Array<[number, number]>,
    maxShare: number,
    private readonly kernel: StreamingMultiTauOptions = {},
    private readonly tuning: ShareTuning = {},
  ) {
    if (threads > 1 << SHARE_BITS || maxShare >= 2 ** (31 - SHARE_BITS))
      throw new StagebookError(
        'E_INTERNAL',
        `${where}: ${threads} shares of ${maxShare} pixels do not fit a route code`,
      );
    this.nd = delays.length;
    // Each message is one kernel batch (the worker pushes it whole): while a worker correlates one
    // message the calling thread reads and routes the next. Smaller messages (256 frames, 2^18
    // events) left the kernel's 2^21-event batch to fill over several of them, so the calling
    // thread and the workers took turns instead of overlapping (workers idle half of each pass).
    this.maxFrames = tuning.batchFrames ?? 4096;
    // A frame's events for one share never exceed the share: an empty half always takes a frame.
    this.cap = Math.max(tuning.batchEvents ?? 2 ** 20, maxShare);
    this.chunk = tuning.chunk ?? 4096;
    this.messagesPerBatch = tuning.messagesPerBatch ?? 2;
    if (!Number.isInteger(this.messagesPerBatch) || this.messagesPerBatch < 1)
      throw new StagebookError(
        'E_INTERNAL',
        `${where}: shareTuning.messagesPerBatch = ${this.messagesPerBatch} (a positive integer)`,
      );
    this.file = compiledPath(join(__dirname, 'corr-stream-share-worker.ts'));
    const sab = (bytes: number) => new SharedArrayBuffer(bytes);
    const two = <T>(f: () => T) => [f(), f()];
    for (let i = 0; i < threads; i++) {
      const buffers = {
        ctrl: sab(4 * CTRL.WORDS),
        meta: two(() => sab(4 * (this.maxFrames + 3))),
        slots: two(() => sab(4 * this.cap)),
        values: two(() => sab(8 * this.cap)),
        out: two(() => sab(8 * 3 * this.nd * this.chunk)),
        chunk: this.chunk,
      };
      this.lanes.push({
        buffers,
        ctrl: new Int32Array(buffers.ctrl),
        meta: buffers.meta.map((b) => new Int32Array(b)),
        slots: buffers.slots.map((b) => new Uint32Array(b)),
        values: buffers.values.map((b) => new Float64Array(b)),
        out: buffers.out.map((b) => new Float64Array(b)),
        sent: 0,
        read: 0,
        fill: 0,
        frames: 0,
      });
    }
  }

  /** Starts share i's worker for this pass (the previous one has ended its use of the buffers). */
  private spawn(i: number, visit: Int32Array): void {
    const lane = this.lanes[i];
    lane.ctrl.fill(0);
    lane.sent = lane.read = 0;
    const { port1, port2 } = new MessageChannel();
    const data: ShareWorkerData = {
      kind: 'xpcs-stream-share',
      share: i,
      visit,
      frames: this.frames,
      delays: this.delays,
      kernel: this.kernel,
      messageFrames: this.maxFrames,
      messageEvents: this.cap,
      messagesPerBatch: this.messagesPerBatch,
      ...lane.buffers,
      port: port2,
      module: coreModule('xpcs'),
      failAtBatch: i === 0 ? this.tuning.failAtBatch : undefined,
    };
    lane.port = port1;
    lane.worker = new Worker(this.file, { workerData: data, transferList: [port2] });
    // Failures are reported through shared memory (the caller is blocked in Atomics.wait when they
    // happen); an 'error' event without a listener would crash the process later.
    lane.worker.on('error', () => undefined);
    const worker = lane.worker;
    live.add(worker);
    worker.once('exit', () => {
      live.delete(worker);
      if (live.size > 0) return;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    });
    // Never keep the process alive for a worker: each ends by itself after FINISH or is terminated.
    lane.worker.unref();
  }

  /** The worker's failure as a StagebookError carrying its cause (code kept when it is one of ours). */
  private failure(i: number): StagebookError {
    const lane = this.lanes[i];
    const m = (lane.port && receiveMessageOnPort(lane.port)?.message) as ShareWorkerError | undefined;
    const cause = Object.assign(new Error(m?.message ?? 'the worker stopped without a report'), {
      name: m?.name ?? 'Error',
      stack: m?.stack,
      code: m?.code,
      context: m?.context,
    });
    return new StagebookError(
      isStagebookErrorCode(m?.code) ? m!.code : 'E_INTERNAL',
      `${this.where}: the worker thread of share ${i} failed: ${cause.message}`,
      { where: this.where, share: i, ...(m?.context ?? {}) },
      { cause },
    );
  }

  /** Waits until share i's next message slot is free (its worker consumed the message two back). */
  private open(i: number): void {
    const lane = this.lanes[i];
    if (!waitAtLeast(lane.ctrl, CTRL.CON, lane.sent - 1)) throw this.failure(i);
    const h = lane.sent % 2;
    lane.meta[h][2] = 0;
    lane.fill = this.fills[i] = 0;
    lane.frames = 0;
    this.slotBufs[i] = lane.slots[h];
    this.valBufs[i] = lane.values[h];
  }

  private send(i: number, kind: number): void {
    const lane = this.lanes[i];
    const meta = lane.meta[lane.sent % 2];
    meta[0] = kind;
    meta[1] = lane.frames;
    publish(lane.ctrl, CTRL.PUB, ++lane.sent);
  }

  /**
   * Starts a pass: `visits[i]` lists share i's local slots in normalisation order; `route[p]` is
   * (local slot << SHARE_BITS) | share for the block's pixels, -1 elsewhere (kept until the next pass).
   */
  beginPass(visits: Int32Array[], route: Int32Array): void {
    if (visits.length > this.lanes.length || visits.length === 0)
      throw new StagebookError('E_INTERNAL', `${this.where}: ${visits.length} shares for ${this.lanes.length} workers`);
    this.sizes = visits.map((v) => v.length);
    this.route = route;
    this.fills = visits.map(() => 0);
    visits.forEach((visit, i) => {
      this.spawn(i, visit);
      this.open(i);
    });
  }

  private flushFrames(): void {
    for (let i = 0; i < this.sizes.length; i++) {
      const lane = this.lanes[i];
      if (lane.frames === 0) continue;
      this.send(i, MSG.FRAMES);
      this.open(i);
    }
  }

  /**
   * Routes one preprocessed frame (pixels ascending) to the shares; values are divided by `norm`
   * when given (frame-sum normalisation, the serial path's expression).
   */
  frame(pixels: Int32Array, values: Float64Array, n: number, norm?: number): void {
    const { fills, slotBufs, valBufs, route } = this;
    this.makeRoom((i) => Math.min(n, this.sizes[i]));
    const mask = (1 << SHARE_BITS) - 1;
    for (let k = 0; k < n; k++) {
      const r = route[pixels[k]];
      if (r < 0) continue;
      const i = r & mask;
      const m = fills[i]++;
      slotBufs[i][m] = r >>> SHARE_BITS;
      // main.cpp:313-337, the same expression as the in-memory path.
      valBufs[i][m] = norm === undefined ? values[k] : values[k] / norm;
    }
    this.endFrame();
  }

  /** Sends every share's message when one of them could not take `need(i)` more events or a frame. */
  private makeRoom(need: (i: number) => number): void {
    for (let i = 0; i < this.sizes.length; i++) {
      const lane = this.lanes[i];
      if (lane.frames === this.maxFrames || lane.fill + need(i) > this.cap) {
        this.flushFrames();
        return;
      }
    }
  }

  /** Closes the frame in every share's message (its end offset). */
  private endFrame(): void {
    for (let i = 0; i < this.sizes.length; i++) {
      const lane = this.lanes[i];
      lane.fill = this.fills[i];
      lane.meta[lane.sent % 2][3 + lane.frames++] = lane.fill;
    }
  }

  /** One frame routed by a PlainFrameRouter with this pass's route codes (share i's events at i). */
  frameRouted(r: RoutedFrame): void {
    this.makeRoom((i) => r.count(i));
    for (let i = 0; i < this.sizes.length; i++) {
      const c = r.count(i);
      if (c === 0) continue;
      this.slotBufs[i].set(r.slots(i), this.fills[i]);
      this.valBufs[i].set(r.values(i), this.fills[i]);
      this.fills[i] += c;
    }
    this.endFrame();
  }

  /**
   * Ends the pass: each worker finishes its share, and `fold(share, i, sums, at)` receives the sums
   * of the share's i-th slot in normalisation order, share 0 first (sums.G2[d * sums.slots + at]).
   * Returns once every worker has handed over everything (its thread then ends by itself).
   */
  finish(fold: (share: number, i: number, sums: CorrPixelSums, at: number) => void): void {
    this.flushFrames();
    const S = this.sizes.length;
    // The slots claimed by open() carry FINISH: every worker finishes while we fold share 0.
    for (let i = 0; i < S; i++) this.send(i, MSG.FINISH);
    const C = this.chunk;
    const span = this.nd * C;
    for (let i = 0; i < S; i++) {
      const lane = this.lanes[i];
      for (let j0 = 0; j0 < this.sizes[i]; j0 += C) {
        if (!waitAtLeast(lane.ctrl, CTRL.OUT_PUB, lane.read + 1)) throw this.failure(i);
        const buf = lane.out[lane.read % 2];
        const sums: CorrPixelSums = {
          G2: buf.subarray(0, span),
          IP: buf.subarray(span, 2 * span),
          IF: buf.subarray(2 * span, 3 * span),
          slots: C,
        };
        const n = Math.min(C, this.sizes[i] - j0);
        for (let at = 0; at < n; at++) fold(i, j0 + at, sums, at);
        publish(lane.ctrl, CTRL.OUT_CON, ++lane.read);
      }
    }
    // FINISH consumed: the worker no longer touches the buffers, the next pass may reset them.
    for (let i = 0; i < S; i++) {
      const lane = this.lanes[i];
      if (!waitAtLeast(lane.ctrl, CTRL.CON, lane.sent)) throw this.failure(i);
      lane.port!.close();
      lane.worker = lane.port = undefined;
    }
    this.sizes = [];
  }

  /**
   * Ends whatever workers are still running (after a failure): their queues are marked ABORTED (a
   * worker blocked in Atomics.wait wakes and stops) and the threads are terminated. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const lane of this.lanes) {
      if (!lane.worker) continue;
      publish(lane.ctrl, CTRL.PUB, ABORTED);
      publish(lane.ctrl, CTRL.OUT_CON, ABORTED);
      void lane.worker.terminate();
      lane.port!.close();
      lane.worker = lane.port = undefined;
    }
  }
}
