/**
 * Concurrency and pacing primitives of the downloader: a counting semaphore (overall and per host)
 * and a per-host gate that spaces request starts (token interval) and holds every request to a
 * host while a `Retry-After` from that host is pending (one 429 slows the whole host, not only the
 * URL that got it: that is what the server asked for).
 */
import { StagebookError } from '../errors/stagebook-error';

/** Sleeps `ms`, resolving early (with an E_ABORTED error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError('sleep'));
    if (ms <= 0) return resolve();
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortedError('sleep'));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error every aborted wait raises. */
export function abortedError(where: string): StagebookError {
  return new StagebookError('E_ABORTED', `${where}: aborted`, { where });
}

/** A FIFO counting semaphore. */
export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(wake);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortedError('Semaphore.acquire'));
      };
      if (signal?.aborted) return reject(abortedError('Semaphore.acquire'));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(wake);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next)
        next(); // the slot passes directly to the next waiter
      else this.active--;
    };
  }
}

/** Per-host pacing: minimum spacing between request starts and a Retry-After hold. */
export class HostGate {
  private nextStart = 0;
  private pausedUntil = 0;

  /** @param requestsPerSecond 0 = no spacing. */
  constructor(private readonly requestsPerSecond: number) {}

  /** Holds every request to this host until `until` (epoch ms), unless a later hold exists. */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  /** Waits until this host may start another request, then reserves the slot. */
  async admit(signal?: AbortSignal): Promise<void> {
    // Loop: a pause may be extended while we wait (bounded: each pass waits for a later time).
    for (let pass = 0; pass < 1000; pass++) {
      const now = Date.now();
      const at = Math.max(this.pausedUntil, this.nextStart);
      if (at <= now) break;
      await sleep(at - now, signal);
    }
    const interval = this.requestsPerSecond > 0 ? 1000 / this.requestsPerSecond : 0;
    this.nextStart = Math.max(Date.now(), this.nextStart) + interval;
  }
}

/**
 * Start order as a chain of turns: turn i opens when turn i-1 has passed (queued for its connection
 * slot, or finished without one). Cache checks run in parallel before it, so without the chain a
 * later item whose check returned first would take the slot: with `maxConnections: 1` requests
 * then leave in an order nobody asked for. With it they leave in the order of the batch.
 */
export class StartOrder {
  private tail: Promise<void> = Promise.resolve();

  /** Takes the next turn: `ready` resolves when every earlier turn has passed; call `pass` once (idempotent). */
  take(): { ready: Promise<void>; pass: () => void } {
    const ready = this.tail;
    let pass!: () => void;
    this.tail = new Promise<void>((resolve) => {
      pass = resolve;
    });
    return { ready, pass };
  }
}
