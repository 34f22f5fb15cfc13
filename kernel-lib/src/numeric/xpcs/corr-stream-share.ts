/**
 * Streaming multi-tau on worker threads (xpcsCorrStream's `threads`). A pass's pixel block (a
 * contiguous range of normalisation order) is split in contiguous shares; each share is owned by
 * one worker (corr-stream-share-worker.ts) holding its own StreamingMultiTau. The calling thread
 * keeps reading and filtering, routes each frame's events to the share buffers and the workers
 * push them; at the end of the pass each worker hands its per-slot sums back in normalisation
 * order through a chunk ring, and the calling thread folds them share by share: the normaliser
 * sees the serial path's values in the serial order, so the result is bit-identical.
 *
 * Hand-over is through SharedArrayBuffers with Atomics.wait/notify, never spinning: each worker
 * has a double-buffered message queue (two halves; a message is START, FRAMES, FINISH or EXIT)
 * counted by `PUB` (written by the calling thread) and `CON` (by the worker), and a two-chunk
 * output ring counted by `OUT_PUB` / `OUT_CON`. The calling thread blocks only when a worker is a
 * whole batch behind. The whole stream stays synchronous (xpcsCorrStream is), so a worker's failure
 * cannot arrive as an event: the worker posts the error on its MessagePort (read with
 * receiveMessageOnPort), sets `ERR` and moves `CON`/`OUT_PUB` to FAILED, which wakes the caller.
 */
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { StagebookError, isStagebookErrorCode } from '../../errors/stagebook-error';
import { compiledPath } from '../parallel/pool';
import type { CorrPixelSums } from './corr-multitau';
import type { StreamingMultiTauOptions } from './corr-stream';

/** Words of a worker's control array. */
export const CTRL = { PUB: 0, CON: 1, ERR: 2, OUT_PUB: 3, OUT_CON: 4, WORDS: 8 } as const;
/** Message kinds (word 0 of a half's meta). */
export const MSG = { START: 1, FRAMES: 2, FINISH: 3, EXIT: 4 } as const;
/** PUB / OUT_CON when the calling thread gave up; CON / OUT_PUB when the worker failed. */
export const ABORTED = -2;
export const FAILED = -3;

/** Everything a worker gets at start (SharedArrayBuffers are shared, the port is transferred). */
export interface ShareWorkerData {
  kind: 'xpcs-stream-share';
  share: number;
  frames: number;
  delays: Array<[number, number]>;
  kernel: StreamingMultiTauOptions;
  ctrl: SharedArrayBuffer;
  /** Per half: meta (Int32: kind, frames F, starts[0..F]), event slots (Uint32), values (Float64). */
  meta: SharedArrayBuffer[];
  slots: SharedArrayBuffer[];
  values: SharedArrayBuffer[];
  /** Output ring: two chunks of `chunk` slots, each G2 | IP | IF, delay-major (d * chunk + i). */
  out: SharedArrayBuffer[];
  chunk: number;
  port: MessagePort;
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
  /** Frames per message (default 256). */
  batchFrames?: number;
  /** Events per message (default 2^18, at least the largest share). */
  batchEvents?: number;
  /** Slots per output chunk (default 4096). */
  chunk?: number;
  /** Tests only: make share 0's worker fail at this FRAMES message. */
  failAtBatch?: number;
}

interface Lane {
  worker: Worker;
  ctrl: Int32Array;
  port: MessagePort;
  meta: Int32Array[];
  slots: Uint32Array[];
  values: Float64Array[];
  out: Float64Array[];
  /** Messages sent, chunks read. */
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
  private readonly nd: number;
  /** Shares of the current pass (<= lanes), their sizes, and each pixel's share and local slot. */
  private sizes: number[] = [];
  private shareOf = new Uint8Array(0);
  private localOf = new Int32Array(0);
  private closed = false;

  /** Workers started (the most shares a pass can have). */
  get threads(): number {
    return this.lanes.length;
  }

  /**
   * Starts `threads` workers for shares of at most `maxShare` pixels. Call close() in a finally:
   * it ends the workers whatever happened.
   */
  constructor(
    private readonly where: string,
    threads: number,
    frames: number,
    delays: Array<[number, number]>,
    maxShare: number,
    kernel: StreamingMultiTauOptions = {},
    tuning: ShareTuning = {},
  ) {
    this.nd = delays.length;
    this.maxFrames = tuning.batchFrames ?? 256;
    // A frame's events for one share never exceed the share: an empty half always takes a frame.
    this.cap = Math.max(tuning.batchEvents ?? 2 ** 18, maxShare);
    this.chunk = tuning.chunk ?? 4096;
    const file = compiledPath(join(__dirname, 'corr-stream-share-worker.ts'));
    try {
      for (let share = 0; share < threads; share++)
        this.lanes.push(this.spawn(file, share, frames, delays, kernel, tuning));
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private spawn(
    file: string,
    share: number,
    frames: number,
    delays: Array<[number, number]>,
    kernel: StreamingMultiTauOptions,
    tuning: ShareTuning,
  ): Lane {
    const sab = (bytes: number) => new SharedArrayBuffer(bytes);
    const two = <T>(f: () => T) => [f(), f()];
    const data: Omit<ShareWorkerData, 'port'> = {
      kind: 'xpcs-stream-share',
      share,
      frames,
      delays,
      kernel,
      ctrl: sab(4 * CTRL.WORDS),
      meta: two(() => sab(4 * (this.maxFrames + 3))),
      slots: two(() => sab(4 * this.cap)),
      values: two(() => sab(8 * this.cap)),
      out: two(() => sab(8 * 3 * this.nd * this.chunk)),
      chunk: this.chunk,
      failAtBatch: share === 0 ? tuning.failAtBatch : undefined,
    };
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(file, { workerData: { ...data, port: port2 }, transferList: [port2] });
    // Failures are reported through shared memory (the caller is blocked in Atomics.wait when they
    // happen); an 'error' event without a listener would crash the process later.
    worker.on('error', () => undefined);
    return {
      worker,
      ctrl: new Int32Array(data.ctrl),
      port: port1,
      meta: data.meta.map((b) => new Int32Array(b)),
      slots: data.slots.map((b) => new Uint32Array(b)),
      values: data.values.map((b) => new Float64Array(b)),
      out: data.out.map((b) => new Float64Array(b)),
      sent: 0,
      read: 0,
      fill: 0,
      frames: 0,
    };
  }

  /** The worker's failure as a StagebookError carrying its cause (code kept when it is one of ours). */
  private failure(i: number): StagebookError {
    const lane = this.lanes[i];
    const m = receiveMessageOnPort(lane.port)?.message as ShareWorkerError | undefined;
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

  /** Waits until message slot `lane.sent` is free (the worker consumed the message two back). */
  private claim(i: number): Int32Array {
    const lane = this.lanes[i];
    if (!waitAtLeast(lane.ctrl, CTRL.CON, lane.sent - 1)) throw this.failure(i);
    const meta = lane.meta[lane.sent % 2];
    meta[1] = 0;
    meta[2] = 0;
    return meta;
  }

  private send(i: number, kind: number): void {
    const lane = this.lanes[i];
    lane.meta[lane.sent % 2][0] = kind;
    publish(lane.ctrl, CTRL.PUB, ++lane.sent);
  }

  /**
   * Starts a pass: `visits[i]` lists share i's local slots in normalisation order (its pixels are
   * slots 0.. in raster order); `shareOf`/`localOf` map a detector pixel to its share (255: not in
   * the block) and local slot. The arrays are kept until the next pass.
   */
  beginPass(visits: Int32Array[], shareOf: Uint8Array, localOf: Int32Array): void {
    if (visits.length > this.lanes.length || visits.length === 0)
      throw new StagebookError('E_INTERNAL', `${this.where}: ${visits.length} shares for ${this.lanes.length} workers`);
    this.sizes = visits.map((v) => v.length);
    this.shareOf = shareOf;
    this.localOf = localOf;
    visits.forEach((visit, i) => {
      this.claim(i);
      const copy = visit.slice();
      this.lanes[i].port.postMessage({ visit: copy }, [copy.buffer]);
      this.send(i, MSG.START);
      this.open(i);
    });
  }

  /** Claims the next message slot of share i for frames. */
  private open(i: number): void {
    this.claim(i);
    this.lanes[i].fill = 0;
    this.lanes[i].frames = 0;
  }

  private flushFrames(): void {
    for (let i = 0; i < this.sizes.length; i++) {
      const lane = this.lanes[i];
      if (lane.frames === 0) continue;
      lane.meta[lane.sent % 2][1] = lane.frames;
      this.send(i, MSG.FRAMES);
      this.open(i);
    }
  }

  /**
   * Routes one preprocessed frame (pixels ascending) to the shares; values are divided by `norm`
   * when given (frame-sum normalisation, the serial path's expression).
   */
  frame(pixels: Int32Array, values: Float64Array, n: number, norm?: number): void {
    const S = this.sizes.length;
    let full = false;
    for (let i = 0; i < S; i++) {
      const lane = this.lanes[i];
      if (lane.frames === this.maxFrames || lane.fill + Math.min(n, this.sizes[i]) > this.cap) full = true;
    }
    if (full) this.flushFrames();
    const { shareOf, localOf, lanes } = this;
    if (S === 1) {
      this.route1(lanes[0], pixels, values, n, norm);
    } else {
      const fills = lanes.map((l) => l.fill);
      const slots = lanes.map((l) => l.slots[l.sent % 2]);
      const vals = lanes.map((l) => l.values[l.sent % 2]);
      for (let k = 0; k < n; k++) {
        const p = pixels[k];
        const i = shareOf[p];
        if (i === 255) continue;
        const m = fills[i]++;
        slots[i][m] = localOf[p];
        // main.cpp:313-337, the same expression as the in-memory path.
        vals[i][m] = norm === undefined ? values[k] : values[k] / norm;
      }
      for (let i = 0; i < S; i++) lanes[i].fill = fills[i];
    }
    for (let i = 0; i < S; i++) {
      const lane = lanes[i];
      lane.meta[lane.sent % 2][3 + lane.frames++] = lane.fill;
    }
  }

  private route1(lane: Lane, pixels: Int32Array, values: Float64Array, n: number, norm?: number): void {
    const { shareOf, localOf } = this;
    const slots = lane.slots[lane.sent % 2];
    const vals = lane.values[lane.sent % 2];
    let m = lane.fill;
    for (let k = 0; k < n; k++) {
      const p = pixels[k];
      if (shareOf[p] === 255) continue;
      slots[m] = localOf[p];
      vals[m++] = norm === undefined ? values[k] : values[k] / norm;
    }
    lane.fill = m;
  }

  /**
   * Ends the pass: each worker finishes its share, and `fold(share, i, sums, at)` receives the sums
   * of the share's i-th slot in normalisation order, share 0 first (sums.G2[d * sums.slots + at]).
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
    this.sizes = [];
  }

  /**
   * Ends the workers: EXIT after a clean run; on failure the queues are marked ABORTED (a worker
   * blocked in Atomics.wait wakes and stops) and the threads are terminated. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let i = 0; i < this.lanes.length; i++) {
      const lane = this.lanes[i];
      let clean = this.sizes.length === 0 && Atomics.load(lane.ctrl, CTRL.ERR) === 0;
      if (clean) {
        // The last message (FINISH or START-less idle) must be consumed before its slot is reused.
        clean = waitAtLeast(lane.ctrl, CTRL.CON, lane.sent - 1);
        if (clean) this.send(i, MSG.EXIT);
      }
      if (!clean) {
        publish(lane.ctrl, CTRL.PUB, ABORTED);
        publish(lane.ctrl, CTRL.OUT_CON, ABORTED);
        void lane.worker.terminate();
      }
      lane.port.close();
      // Never keep the process alive for a worker that is ending anyway.
      lane.worker.unref();
    }
  }
}
