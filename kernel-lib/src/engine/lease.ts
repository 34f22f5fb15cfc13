/**
 * Heartbeat of a run's lease. A live run renews its lease every `heartbeatMs`; a run whose lease is
 * older than `timeoutMs` is presumed dead (crash, kill -9, kernel restart) and may be resumed by
 * another process. If renewal fails, someone else took the run over: this process must stop
 * before committing anything (the runner checks `lost` before every commit).
 */
import type { LeasePolicy } from '../config/schema';
import type { Lease, Ledger } from '../ledger/ledger';

/** The defaults live in the config schema (written once); re-exported here for the engine's users. */
export { DEFAULT_LEASE_POLICY } from '../config/schema';

/** Keeps a lease alive until stopped. */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private lostFlag = false;
  private readonly controller = new AbortController();

  constructor(
    private readonly ledger: Ledger,
    readonly lease: Lease,
    private readonly policy: LeasePolicy,
  ) {}

  /** Starts renewing (the timer does not keep the process alive by itself). */
  start(): void {
    this.timer = setInterval(() => this.beat(), this.policy.heartbeatMs);
    this.timer.unref();
  }

  /** Renews once; marks the lease lost (and aborts `signal`) when renewal is refused. */
  beat(): void {
    if (this.lostFlag) return;
    let ok = false;
    try {
      ok = this.ledger.renewLease(this.lease, this.policy.timeoutMs);
    } catch {
      ok = true; // a busy ledger is not a takeover: retry at the next beat
    }
    if (!ok) {
      this.lostFlag = true;
      this.controller.abort();
    }
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
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
