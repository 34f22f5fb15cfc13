/**
 * Heartbeat of a run's lease. A live run renews its lease every `heartbeatMs`; a run whose lease is
 * older than `timeoutMs` is presumed dead (crash, kill -9 on another host, kernel restart) and may
 * be resumed by another process.
 *
 * The renewal runs in a worker thread with its own ledger connection: a stage that keeps the JS
 * thread busy (a correlation blocks it for seconds; real detector sizes for longer than the lease)
 * must not let another process take over a live run (issue 11 item 6). The worker only renews;
 * when a renewal is refused (someone else took the run over) it tells the main thread, which
 * stops launching units. Commits do not rely on this flag: they are fenced by the lease
 * generation inside their own transaction (Ledger.commitOutputs).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { LeasePolicy } from '../config/schema';
import { RENEW_LEASE_SQL, type Lease } from '../ledger/ledger';

/** The defaults live in the config schema (written once); re-exported here for the engine's users. */
export { DEFAULT_LEASE_POLICY } from '../config/schema';

/** What the worker needs (plain data: it crosses the thread boundary). */
interface HeartbeatWorkerData {
  sqlitePath: string;
  file: string;
  busyTimeoutMs: number;
  sql: string;
  lease: Lease;
  policy: LeasePolicy;
}

/**
 * The worker's code, evaluated as a CommonJS script (no file to locate: the same code works from
 * the compiled package, from sources under vitest and inside the tslab kernel).
 */
const WORKER_SOURCE = `
const { parentPort, workerData: d } = require('node:worker_threads');
const Database = require(d.sqlitePath);
const db = new Database(d.file, { timeout: d.busyTimeoutMs });
const renew = db.prepare(d.sql);
const beat = () => {
  try {
    const t = Date.now();
    const r = db.transaction(() => renew.run(t + d.policy.timeoutMs, t, d.lease.runId, d.lease.token, d.lease.generation)).immediate();
    if (r.changes === 1) parentPort.postMessage({ type: 'renewed', at: t });
    else { clearInterval(timer); parentPort.postMessage({ type: 'lost', at: t }); }
  } catch (e) {
    // a busy ledger is not a takeover: retry at the next beat
    parentPort.postMessage({ type: 'busy', message: String(e && e.message) });
  }
};
const timer = setInterval(beat, d.policy.heartbeatMs);
parentPort.on('message', (m) => {
  if (m === 'beat') beat();
  if (m === 'stop') { clearInterval(timer); db.close(); parentPort.close(); }
});
`;

/** A message from the heartbeat worker. */
export interface HeartbeatMessage {
  type: 'renewed' | 'lost' | 'busy';
  at?: number;
  message?: string;
}

/** Keeps a lease alive (from a worker thread) until stopped. */
export class Heartbeat {
  private worker: Worker | undefined;
  private lostFlag = false;
  private readonly controller = new AbortController();
  private readonly listeners = new Set<(m: HeartbeatMessage) => void>();

  /**
   * @param ledgerFile the ledger the worker opens its own connection to
   * @param busyTimeoutMs the worker's SQLite busy timeout
   */
  constructor(
    private readonly ledgerFile: string,
    readonly lease: Lease,
    private readonly policy: LeasePolicy,
    private readonly busyTimeoutMs = 10_000,
  ) {}

  /** Starts renewing (the worker does not keep the process alive by itself). */
  start(): void {
    const data: HeartbeatWorkerData = {
      sqlitePath: createRequire(__filename).resolve('better-sqlite3'),
      file: this.ledgerFile,
      busyTimeoutMs: this.busyTimeoutMs,
      sql: RENEW_LEASE_SQL,
      lease: this.lease,
      policy: this.policy,
    };
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: data });
    w.on('message', (m: HeartbeatMessage) => this.onMessage(m));
    w.on('error', () => undefined); // a failed worker only stops renewing: the lease then expires
    w.unref();
    this.worker = w;
  }

  private onMessage(m: HeartbeatMessage): void {
    if (m.type === 'lost' && !this.lostFlag) {
      this.lostFlag = true;
      this.controller.abort();
    }
    for (const l of this.listeners) l(m);
  }

  /** Calls `fn` with every worker message (tests wait on these instead of sleeping). */
  onBeat(fn: (m: HeartbeatMessage) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Asks the worker to renew now (the answer arrives as a message). */
  beat(): void {
    this.worker?.postMessage('beat');
  }

  /** True once another process took this run over. */
  get lost(): boolean {
    return this.lostFlag;
  }

  /** Aborted when the lease is lost. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  stop(): void {
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    w.postMessage('stop');
    void w.terminate();
  }
}
