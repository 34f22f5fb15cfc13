/**
 * A small persistent worker_threads pool for splitting large kernels (multi-tau, two-time,
 * peakLocalMax). Each worker instantiates its own copy of a kernel module, so WASM memories are
 * never shared and no locking is needed; each worker receives only its share of the data.
 *
 * Task modules are the compiled (dist/) JavaScript of a kernel-lib module: the pool maps a source
 * path (when running under vitest from src/) to its dist/ twin, so `npm run build` must have run.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { StagebookError } from '../../errors/stagebook-error';

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
    throw new StagebookError('E_INTERNAL', `compiled task module ${mapped} is missing: run \`npm run build\``, { file: mapped });
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
    w.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: { code?: string; message: string; context?: Record<string, unknown> } }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new StagebookError(m.error?.code ?? 'E_INTERNAL', m.error?.message ?? 'worker failed', m.error?.context ?? {}));
    });
    w.on('error', (e) => {
      for (const [id, p] of this.pending) { this.pending.delete(id); p.reject(new StagebookError('E_INTERNAL', `worker thread died: ${e.message}`, {}, { cause: e })); }
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

/**
 * Runs `fn` of the compiled module `taskModule` once per payload, spread over `policy.threads`
 * workers, and returns results in payload order. `transferOf` lists buffers to move (not copy).
 */
export function runInWorkers<TIn, TOut>(taskModule: string, fn: string, payloads: TIn[], policy: ParallelPolicy = defaultParallelPolicy, transferOf?: (p: TIn) => ArrayBuffer[]): Promise<TOut[]> {
  const modulePath = compiledPath(taskModule);
  const threads = Math.max(1, Math.min(policy.threads, payloads.length));
  return Promise.all(payloads.map((p) => pool.run<TOut>(modulePath, fn, p, threads, transferOf ? transferOf(p) : [])));
}

/** Terminates the pool's workers (tests and CLI shutdown). */
export function closeWorkerPool(): Promise<void> {
  return pool.close();
}
