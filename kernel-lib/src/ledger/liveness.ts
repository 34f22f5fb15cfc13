/**
 * Is the owner of a run's lease alive? The lease records the owner's host and pid. On the same
 * host a pid that no longer exists frees the lease at once (a SIGKILLed run must not block the
 * next one for the whole lease time, issue 11 item 7); on another host only the heartbeat timeout
 * can tell, so the lease expiry applies. A reused pid only delays the takeover to the expiry:
 * the safe direction.
 */
import os from 'node:os';
import type { RunRow } from './types';

/** True when `pid` exists on this host (EPERM: exists, owned by another user). */
export function pidExists(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Why a `running` run is or is not live at `at` (epoch ms). */
export function leaseState(
  run: Pick<RunRow, 'status' | 'lease_expires_at' | 'owner_pid' | 'owner_host'>,
  at: number = Date.now(),
): 'live' | 'expired' | 'owner-dead' | 'ended' {
  if (run.status !== 'running') return 'ended';
  if ((run.lease_expires_at ?? 0) <= at) return 'expired';
  if (run.owner_host === os.hostname() && run.owner_pid !== null && !pidExists(run.owner_pid)) return 'owner-dead';
  return 'live';
}

/** True when a `running` run's owner is gone (lease expired, or its pid died on this host). */
export function isStale(
  run: Pick<RunRow, 'status' | 'lease_expires_at' | 'owner_pid' | 'owner_host'>,
  at: number = Date.now(),
): boolean {
  const s = leaseState(run, at);
  return s === 'expired' || s === 'owner-dead';
}
