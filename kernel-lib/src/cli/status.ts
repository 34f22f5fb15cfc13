/**
 * `stagebook status`: recent runs as a table (status, start, duration), then per run a table of
 * its stages (unit counts per outcome and the time spent), then its failures.
 */
import type { Ledger } from '../ledger/ledger';
import { failures, listRuns, stageCounts, stageRunsOf } from '../ledger/queries';
import { retriesPerStage, unitsOnWorkers, type RemoteUnit } from '../ledger/executor-queries';
import type { ExecutorStatus } from '../engine/bullmq/queue-status';
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
  /** BullMQ executor: retries per stage (attempts that failed or stalled and ran again). */
  retries: Record<string, number>;
  /** BullMQ executor: units running on a worker now (of a running run). */
  running: RemoteUnit[];
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
      retries: retriesPerStage(ledger, r.id),
      running: r.status === 'running' && !r.stale ? unitsOnWorkers(ledger, r.id) : [],
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
    const retried = Object.entries(r.retries).map(([stage, n]) => `${stage} ${n}`);
    if (retried.length) out += `  RETRIES ${retried.join(', ')}\n`;
    for (const u of r.running) out += `  RUNNING ${u.stage} ${u.unit} on ${u.worker} (attempt ${u.attempt})\n`;
  }
  return out;
}

/** The executor section of `stagebook status` (BullMQ: queue depths, live workers and their units). */
export function formatExecutorStatus(s: ExecutorStatus): string {
  let out = `\nexecutor: bullmq at ${s.redis}\n`;
  if (s.error) return out + `  ${s.error}\n`;
  const qCols = ['QUEUE', 'WAITING', 'ACTIVE', 'DELAYED', 'COMPLETED', 'FAILED'];
  out += textTable(
    qCols,
    s.queues.map((q) => [q.name, q.waiting, q.active, q.delayed, q.completed, q.failed].map(String)),
    { indent: '  ', right: qCols.slice(1) },
  );
  if (s.workers.length === 0) return out + '  no worker is announced (start one with `stagebook worker`)\n';
  const wCols = ['WORKER', 'HOST', 'PID', 'QUEUES', 'CONCURRENCY', 'RUNNING'];
  out += textTable(
    wCols,
    s.workers.map((w) => [
      w.name,
      w.host,
      String(w.pid),
      w.queues.join(','),
      String(w.concurrency),
      w.running.map((u) => `${u.stage} ${u.unit}`).join('; ') || '-',
    ]),
    { indent: '  ', right: ['PID', 'CONCURRENCY'] },
  );
  return out;
}
