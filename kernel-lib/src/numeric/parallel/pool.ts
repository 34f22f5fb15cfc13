/**
 * A small persistent worker_threads pool for splitting large kernels (multi-tau, two-time,
 * peakLocalMax). Each worker instantiates its own copy of a kernel module, so WASM memories are
 * never shared and no locking is needed; each worker receives only its share of the data.
 *
 * Large inputs reach the workers through `shareTypedArray`: one SharedArrayBuffer that every worker
 * reads its own share of, kept between calls because fresh shared memory costs a page fault per
 * 4 KB page on every call (it dominated the parallel XPCS runs).
 *
 * Task modules are the compiled (dist/) JavaScript of a kernel-lib module: the pool maps a source
 * path (when running under vitest from src/) to its dist/ twin, so `npm run build` must have run.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { StagebookError, isStagebookErrorCode } from '../../errors/stagebook-error';

/** Parallelism policy (data, with stated defaults). */
export interface ParallelPolicy {
  /** Worker threads to use; 1 = run on the calling thread. Default: min(2, cores). */
  threads: number;
}

export const defaultParallelPolicy: ParallelPolicy = { threads: Math.min(2, availableParallelism()) };

/** Maps `.../kernel-lib/src/x/y.ts` to `.../kernel-lib/dist/x/y.js`; dist paths pass through. */
export function compiledPath(file: string): string {
  const js = file.replace(/\.ts$/, '.js');
  const mapped = js.replace(/([\\/])src([\\/])(?!.*[\\/]src[\\/])/, '$1dist$2');
  if (!existsSync(mapped)) {
    throw new StagebookError('E_INTERNAL', `compiled task module ${mapped} is missing: run \`npm run build\``, {
      file: mapped,
    });
  }
  return mapped;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

class Pool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private next = 0;

  private spawn(): Worker {
    const w = new Worker(compiledPath(join(__dirname, 'worker.js')));
    w.unref(); // an idle pool never keeps the process alive
    w.on(
      'message',
      (m: {
        id: number;
        ok: boolean;
        result?: unknown;
        error?: { code?: string; message: string; context?: Record<string, unknown> };
      }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else
          p.reject(
            new StagebookError(
              isStagebookErrorCode(m.error?.code) ? m.error!.code : 'E_INTERNAL',
              m.error?.message ?? 'worker failed',
              m.error?.context ?? {},
            ),
          );
      },
    );
    w.on('error', (e) => {
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new StagebookError('E_INTERNAL', `worker thread died: ${e.message}`, {}, { cause: e }));
      }
      const i = this.workers.indexOf(w);
      if (i >= 0) this.workers.splice(i, 1);
    });
    this.workers.push(w);
    return w;
  }

  run<T>(modulePath: string, fn: string, payload: unknown, threads: number, transfer: ArrayBuffer[] = []): Promise<T> {
    while (this.workers.length < threads) this.spawn();
    const w = this.workers[this.next++ % threads];
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.ref();
      w.postMessage({ id, modulePath, fn, payload }, transfer);
    }).finally(() => {
      if (![...this.pending.keys()].length) for (const x of this.workers) x.unref();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}

const pool = new Pool();

type SharedView =
  Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/**
 * Progress of a streamed copy: `progress[0]` counts the chunks of `chunk` elements already
 * written (Atomics). Workers read an element range only after `awaitShared` says it is there.
 */
export interface SharedStream {
  progress: Int32Array;
  chunk: number;
  length: number;
}

/** A view on shared memory; `release()` hands the buffer back for the next call. */
export interface SharedLease<T extends SharedView> {
  view: T;
  /** Set when the copy is streamed: pass it to the tasks, then call `fill()`. */
  stream?: SharedStream;
  /** Writes the data (streamed leases only; a no-op otherwise). */
  fill(): void;
  /**
   * Writes elements up to `end` (streamed leases; in order, already written ones are skipped):
   * lets the calling thread copy each part while it reads that part for its own work anyway.
   */
  fillTo(end: number): void;
  /** Releases the buffer; a streamed copy left incomplete is aborted (waiting tasks throw). */
  release(): void;
}

/** The one idle SharedArrayBuffer kept for reuse (the largest released so far). */
let spareShared: SharedArrayBuffer | undefined;

/** Elements per published chunk of a streamed copy (~1 MB). */
const STREAM_CHUNK_BYTES = 1 << 20;

/**
 * `data` on shared memory for worker tasks: returned as is when it already is shared, else
 * copied once into a reused SharedArrayBuffer (leased: concurrent calls get their own buffer).
 * With `streamed`, the copy happens in `fill()`, chunk by chunk, so tasks posted before it can
 * start on the first chunks while the rest is still being written. Release the lease once every
 * task reading it has finished.
 */
export function shareTypedArray<T extends SharedView>(data: T, streamed = false): SharedLease<T> {
  if (data.buffer instanceof SharedArrayBuffer) return { view: data, fill() {}, fillTo() {}, release() {} };
  let buffer = spareShared;
  if (buffer && buffer.byteLength >= data.byteLength) spareShared = undefined;
  else buffer = new SharedArrayBuffer(data.byteLength);
  const Ctor = data.constructor as unknown as new (b: SharedArrayBuffer, offset: number, length: number) => T;
  const view = new Ctor(buffer, 0, data.length);
  const copy = view as unknown as { set(a: ArrayLike<number>, offset?: number): void };
  const held = buffer;
  const release = () => {
    if (!spareShared || spareShared.byteLength < held.byteLength) spareShared = held;
  };
  if (!streamed) {
    copy.set(data);
    return { view, fill() {}, fillTo() {}, release };
  }
  const chunk = Math.max(1, Math.floor(STREAM_CHUNK_BYTES / data.BYTES_PER_ELEMENT));
  const stream: SharedStream = { progress: new Int32Array(new SharedArrayBuffer(4)), chunk, length: data.length };
  let written = 0; // chunks
  const fillTo = (end: number) => {
    const upTo = Math.ceil(Math.min(end, data.length) / chunk);
    for (; written < upTo; written++) {
      const i = written * chunk;
      copy.set(data.subarray(i, Math.min(data.length, i + chunk)), i);
      Atomics.store(stream.progress, 0, written + 1);
      Atomics.notify(stream.progress, 0);
    }
  };
  const abortAndRelease = () => {
    if (written * chunk < data.length) {
      Atomics.store(stream.progress, 0, ABORTED);
      Atomics.notify(stream.progress, 0);
    }
    release();
  };
  return { view, stream, fill: () => fillTo(data.length), fillTo, release: abortAndRelease };
}

/** Progress value of a streamed copy whose writer gave up (its call failed). */
const ABORTED = -1;

/** Longest a task waits for the next chunk of a streamed copy before giving up. */
const STREAM_STALL_MS = 60_000;

/** Blocks (worker threads only) until elements [0, end) of a streamed copy are written. */
export function awaitShared(stream: SharedStream | undefined, end: number): void {
  if (!stream) return;
  const need = Math.ceil(Math.min(end, stream.length) / stream.chunk);
  for (;;) {
    const have = Atomics.load(stream.progress, 0);
    if (have >= need) return;
    if (have === ABORTED)
      throw new StagebookError(
        'E_INTERNAL',
        'awaitShared: the shared input was abandoned by its writer (the calling function failed)',
        {},
      );
    if (Atomics.wait(stream.progress, 0, have, STREAM_STALL_MS) === 'timed-out') {
      throw new StagebookError(
        'E_INTERNAL',
        `awaitShared: the shared input stopped arriving (${have} of ${need} chunks after ${STREAM_STALL_MS} ms)`,
        { have, need },
      );
    }
  }
}

/**
 * Runs `fn` of the compiled module `taskModule` once per payload, spread over `policy.threads`
 * workers, and returns results in payload order. `transferOf` lists buffers to move (not copy).
 */
export function runInWorkers<TIn, TOut>(
  taskModule: string,
  fn: string,
  payloads: TIn[],
  policy: ParallelPolicy = defaultParallelPolicy,
  transferOf?: (p: TIn) => ArrayBuffer[],
): Promise<TOut[]> {
  const modulePath = compiledPath(taskModule);
  const threads = Math.max(1, Math.min(policy.threads, payloads.length));
  return Promise.all(payloads.map((p) => pool.run<TOut>(modulePath, fn, p, threads, transferOf ? transferOf(p) : [])));
}

/** Terminates the pool's workers and drops the spare shared buffer (tests and CLI shutdown). */
export function closeWorkerPool(): Promise<void> {
  spareShared = undefined;
  return pool.close();
}
