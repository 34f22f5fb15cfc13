/**
 * Read-side queries of the ledger: run status, failures, and reprocessing selections such as
 * "everything at L1 with version < 3" (replacing the seeds' frame lists and processed_files.txt).
 */
import type { Ledger } from './ledger';
import { isStale } from './liveness';
import type { FileRow, FileState, RunRow, StageRunRow } from './types';

/** A run with its derived liveness. */
export interface RunSummary extends RunRow {
  /** `running` but the owner is gone (lease expired, or its pid died on this host); `stagebook resume <id>` continues it. */
  stale: boolean;
  /** Unit counts per status over the whole run. */
  counts: Record<string, number>;
}

/** Most recent runs first (optionally one pipeline). */
export function listRuns(ledger: Ledger, options: { pipeline?: string; limit?: number } = {}): RunSummary[] {
  const rows = ledger
    .sql(`SELECT * FROM runs WHERE (? IS NULL OR pipeline = ?) ORDER BY created_at DESC, id DESC LIMIT ?`)
    .all(options.pipeline ?? null, options.pipeline ?? null, options.limit ?? 20) as RunRow[];
  return rows.map((r) => ({ ...r, stale: isStale(r), counts: unitCounts(ledger, r.id) }));
}

export { isStale } from './liveness';

/** Unit counts per status of a run (latest row per stage+unit). */
export function unitCounts(ledger: Ledger, runId: string): Record<string, number> {
  const rows = ledger
    .sql(
      `SELECT status, COUNT(*) AS n FROM stage_runs s WHERE run_id = ? AND id = (SELECT MAX(id) FROM stage_runs t WHERE t.run_id = s.run_id AND t.stage = s.stage AND t.unit = s.unit) GROUP BY status`,
    )
    .all(runId) as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Per-stage unit counts of a run: `{stage: {succeeded: n, cached: m, ...}}`. */
export function stageCounts(ledger: Ledger, runId: string): Record<string, Record<string, number>> {
  const rows = ledger
    .sql(
      `SELECT stage, status, COUNT(*) AS n FROM stage_runs s WHERE run_id = ? AND id = (SELECT MAX(id) FROM stage_runs t WHERE t.run_id = s.run_id AND t.stage = s.stage AND t.unit = s.unit) GROUP BY stage, status ORDER BY MIN(id)`,
    )
    .all(runId) as { stage: string; status: string; n: number }[];
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) (out[r.stage] ??= {})[r.status] = r.n;
  return out;
}

/** Failed units (latest attempt failed), with their error and captured log. */
export function failures(ledger: Ledger, runId?: string): StageRunRow[] {
  return ledger
    .sql(
      `SELECT * FROM stage_runs s WHERE status = 'failed' AND (? IS NULL OR run_id = ?) AND id = (SELECT MAX(id) FROM stage_runs t WHERE t.run_id = s.run_id AND t.stage = s.stage AND t.unit = s.unit) ORDER BY id`,
    )
    .all(runId ?? null, runId ?? null) as StageRunRow[];
}

/** Every row of one run's stage units, in execution order. */
export function stageRunsOf(ledger: Ledger, runId: string): StageRunRow[] {
  return ledger.sql(`SELECT * FROM stage_runs WHERE run_id = ? ORDER BY id`).all(runId) as StageRunRow[];
}

/** Selection for `queryFiles`; every field is optional and they combine with AND. */
export interface FileQuery {
  level?: string;
  /** Only files whose producing stage version is strictly below this. */
  versionLt?: number;
  product?: string;
  pipeline?: string;
  stage?: string;
  /** Default `complete`. */
  state?: FileState;
  /** SQL LIKE pattern on the absolute path. */
  pathLike?: string;
  limit?: number;
}

/** Files matching a reprocessing selection, e.g. `{level: 'L1', versionLt: 3}`. */
export function queryFiles(ledger: Ledger, q: FileQuery = {}): FileRow[] {
  const where: string[] = ['state = ?'];
  const args: unknown[] = [q.state ?? 'complete'];
  const add = (cond: string, v: unknown): void => {
    where.push(cond);
    args.push(v);
  };
  if (q.level !== undefined) add('level = ?', q.level);
  if (q.versionLt !== undefined) add('version < ?', q.versionLt);
  if (q.product !== undefined) add('product = ?', q.product);
  if (q.pipeline !== undefined) add('pipeline = ?', q.pipeline);
  if (q.stage !== undefined) add('stage = ?', q.stage);
  if (q.pathLike !== undefined) add('path LIKE ?', q.pathLike);
  args.push(q.limit ?? 10_000);
  return ledger.sql(`SELECT * FROM files WHERE ${where.join(' AND ')} ORDER BY path LIMIT ?`).all(...args) as FileRow[];
}

/** Parents (inputs) and children (derived files) of a file. */
export function lineage(ledger: Ledger, path: string): { parents: FileRow[]; children: FileRow[] } {
  const parents = ledger
    .sql(
      `SELECT p.* FROM files c JOIN file_links l ON l.child_id = c.id JOIN files p ON p.id = l.parent_id WHERE c.path = ? ORDER BY p.path`,
    )
    .all(path) as FileRow[];
  const children = ledger
    .sql(
      `SELECT c.* FROM files p JOIN file_links l ON l.parent_id = p.id JOIN files c ON c.id = l.child_id WHERE p.path = ? ORDER BY c.path`,
    )
    .all(path) as FileRow[];
  return { parents, children };
}
