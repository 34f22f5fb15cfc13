/**
 * `stagebook status`: recent runs as a table (status, start, duration), then per run a table of
 * its stages (unit counts per outcome and the time spent), then its failures.
 */
import type { Ledger } from '../ledger/ledger';
import { failures, listRuns, stageCounts, stageRunsOf } from '../ledger/queries';
import { formatDuration, textTable } from './text-table';

/** Outcome columns, in the order a reader scans them. */
const OUTCOMES = ['succeeded', 'cached', 'failed', 'blocked', 'interrupted', 'running'];

/** The JSON form of one run in `status --json` (stable field names). */
export interface RunReport {
  id: string;
  pipeline: string;
  status: string;
  created: string;
  finished: string | null;
  durationMs: number | null;
  resumes: number;
  stages: Record<string, Record<string, number>>;
  stageDurationsMs: Record<string, number>;
  failures: { stage: string; unit: string; error: string | null }[];
}

/** Builds the reports of the `limit` latest runs (or of one run). */
export function runReports(
  ledger: Ledger,
  options: { pipeline?: string; limit: number; run?: string },
  now = Date.now(),
): RunReport[] {
  let runs = listRuns(ledger, { pipeline: options.pipeline, limit: options.limit });
  if (options.run) {
    const only = options.run;
    runs = runs.some((r) => r.id === only)
      ? runs.filter((r) => r.id === only)
      : [{ ...ledger.getRun(only), stale: false, counts: {} }];
  }
  return runs.map((r) => {
    const end = r.finished_at ?? (r.status === 'running' && !r.stale ? now : r.updated_at);
    return {
      id: r.id,
      pipeline: r.pipeline,
      status: r.stale ? 'stale' : r.status,
      created: new Date(r.created_at).toISOString(),
      finished: r.finished_at ? new Date(r.finished_at).toISOString() : null,
      durationMs: end - r.created_at,
      resumes: r.resume_count,
      stages: stageCounts(ledger, r.id),
      stageDurationsMs: stageDurations(ledger, r.id),
      failures: failures(ledger, r.id).map((f) => ({
        stage: f.stage,
        unit: f.unit,
        error: errorMessage(f.error_json),
      })),
    };
  });
}

function errorMessage(json: string | null): string | null {
  if (!json) return null;
  return (JSON.parse(json) as { message?: string }).message ?? null;
}

/** Time spent per stage: the sum of its units' durations (cached units cost ~0). */
function stageDurations(ledger: Ledger, runId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of stageRunsOf(ledger, runId)) out[s.stage] = (out[s.stage] ?? 0) + (s.duration_ms ?? 0);
  return out;
}

function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** The human form: one runs table, then per run its stages and failures. */
export function formatRunReports(reports: RunReport[]): string {
  if (reports.length === 0) return 'no runs recorded in this ledger yet\n';
  const head = ['RUN', 'PIPELINE', 'STATUS', 'STARTED (UTC)', 'DURATION', 'RESUMES'];
  let out = textTable(
    head,
    reports.map((r) => [
      r.id,
      r.pipeline,
      r.status,
      shortTime(r.created),
      formatDuration(r.durationMs ?? NaN),
      String(r.resumes),
    ]),
    { right: ['DURATION', 'RESUMES'] },
  );
  for (const r of reports) {
    out += `\n${r.id} (${r.pipeline}, ${r.status})\n`;
    const outcomes = OUTCOMES.filter((o) => Object.values(r.stages).some((c) => c[o]));
    const cols = ['STAGE', ...outcomes.map((o) => o.toUpperCase()), 'TIME'];
    const rows = Object.entries(r.stages).map(([stage, c]) => [
      stage,
      ...outcomes.map((o) => String(c[o] ?? 0)),
      formatDuration(r.stageDurationsMs[stage] ?? 0),
    ]);
    out += rows.length ? textTable(cols, rows, { indent: '  ', right: cols.slice(1) }) : '  (no stage has run)\n';
    for (const f of r.failures) out += `  FAILED ${f.stage} ${f.unit}: ${f.error}\n`;
  }
  return out;
}
