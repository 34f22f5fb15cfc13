/**
 * What the ledger's events say about remote execution (BullMQ executor): which worker runs which
 * unit of a run right now, and how many retries each stage needed. The control node stores the
 * worker and attempt of every unit event (runner.ts makeEmitter), so another process
 * (`stagebook status`) can show them without asking Redis.
 */
import type { Ledger } from './ledger';

/** A unit a worker is running (its last event is a stage-started that named the worker). */
export interface RemoteUnit {
  stage: string;
  unit: string;
  worker: string;
  attempt: number;
  since: number;
}

/** Units of `runId` whose latest event is `stage-started` on a named worker. */
export function unitsOnWorkers(ledger: Ledger, runId: string): RemoteUnit[] {
  const rows = ledger
    .sql(
      `SELECT e.stage, e.unit, e.type, e.at, e.data_json FROM events e
         WHERE e.run_id = ? AND e.unit IS NOT NULL AND e.type IN ('stage-started','stage-finished','stage-failed','stage-skipped-cached','stage-blocked')
           AND e.id = (SELECT MAX(id) FROM events f WHERE f.run_id = e.run_id AND f.stage = e.stage AND f.unit = e.unit
                        AND f.type IN ('stage-started','stage-finished','stage-failed','stage-skipped-cached','stage-blocked'))
         ORDER BY e.stage, e.unit`,
    )
    .all(runId) as { stage: string; unit: string; type: string; at: number; data_json: string | null }[];
  const out: RemoteUnit[] = [];
  for (const r of rows) {
    if (r.type !== 'stage-started' || !r.data_json) continue;
    const d = JSON.parse(r.data_json) as { worker?: string; attempt?: number };
    if (d.worker) out.push({ stage: r.stage, unit: r.unit, worker: d.worker, attempt: d.attempt ?? 1, since: r.at });
  }
  return out;
}

/** Retries per stage of `runId` (attempts that failed or stalled and ran again). */
export function retriesPerStage(ledger: Ledger, runId: string): Record<string, number> {
  const rows = ledger
    .sql(
      `SELECT stage, COUNT(*) AS n FROM events WHERE run_id = ? AND type = 'unit-retrying' GROUP BY stage ORDER BY stage`,
    )
    .all(runId) as { stage: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.stage, r.n]));
}
