/**
 * What the control dashboard shows (punchpipe's Dash monitor, `monitor/`): flows by state and level
 * over time, queue depth (recent vs back-processing), throughput, failures with their errors, and the
 * health samples; each as rows plus a Vega-Lite spec (notebooks/punch/control.ipynb draws them).
 */
import type Database from 'better-sqlite3';
import type { VegaLiteSpec } from '../../display/vega';

export interface FlowSnapshotRow {
  /** Time of the snapshot (ISO). */
  t: string;
  level: string;
  state: string;
  n: number;
}

/** Flow counts by level and state at time `now` (one snapshot; call it after each pass). */
export function flowSnapshot(db: Database.Database, now: number): FlowSnapshotRow[] {
  const rows = db
    .prepare(`SELECT flow_level AS level, state, count(*) AS n FROM punch_flows GROUP BY flow_level, state`)
    .all() as Array<{ level: string; state: string; n: number }>;
  const t = new Date(now).toISOString();
  return rows.map((r) => ({ t, ...r }));
}

export interface QueueRow {
  t: string;
  queue: 'recent' | 'back-processing';
  n: number;
}

/** Planned flows waiting, recent vs back-processing. */
export function queueDepth(db: Database.Database, now: number): QueueRow[] {
  const rows = db
    .prepare(`SELECT is_backprocessing AS b, count(*) AS n FROM punch_flows WHERE state = 'planned' GROUP BY b`)
    .all() as Array<{ b: number; n: number }>;
  const t = new Date(now).toISOString();
  const of = (b: number): number => rows.find((r) => r.b === b)?.n ?? 0;
  return [
    { t, queue: 'recent', n: of(0) },
    { t, queue: 'back-processing', n: of(1) },
  ];
}

/** Flows ended per time bin (ms) and final state. */
export function throughput(db: Database.Database, binMs: number): Array<{ t: string; state: string; n: number }> {
  const rows = db
    .prepare(
      `SELECT end_time - (end_time % ?) AS bin, state, count(*) AS n FROM punch_flows WHERE end_time IS NOT NULL
       GROUP BY bin, state ORDER BY bin`,
    )
    .all(binMs) as Array<{ bin: number; state: string; n: number }>;
  return rows.map((r) => ({ t: new Date(r.bin).toISOString(), state: r.state, n: r.n }));
}

/** Failed flows with their error (code and message). */
export function failures(
  db: Database.Database,
): Array<{ flow_id: number; flow_type: string; state: string; code: string; message: string }> {
  const rows = db
    .prepare(
      `SELECT flow_id, flow_type, state, error FROM punch_flows WHERE state IN ('failed', 'timed_out') ORDER BY flow_id`,
    )
    .all() as Array<{ flow_id: number; flow_type: string; state: string; error: string | null }>;
  return rows.map((r) => {
    const e = r.error ? (JSON.parse(r.error) as { code?: string; message?: string }) : {};
    return {
      flow_id: r.flow_id,
      flow_type: r.flow_type,
      state: r.state,
      code: e.code ?? (r.state === 'timed_out' ? 'timed out by the cleaner' : ''),
      message: e.message ?? '',
    };
  });
}

/** Health samples as long rows (metric, value) for one chart. */
export function healthRows(db: Database.Database): Array<{ t: string; metric: string; value: number }> {
  const rows = db.prepare(`SELECT * FROM punch_health ORDER BY datetime`).all() as Array<Record<string, number>>;
  return rows.flatMap((r) =>
    (['cpu_usage', 'memory_percentage', 'disk_percentage'] as const).map((m) => ({
      t: new Date(r.datetime).toISOString(),
      metric: m,
      value: r[m],
    })),
  );
}

const TIME = { field: 't', type: 'temporal', title: 'time' } as const;

/** Stacked areas of flows by state, one panel per level. */
export function flowsOverTimeSpec(rows: FlowSnapshotRow[]): VegaLiteSpec {
  return {
    title: 'flows by state and level',
    data: { values: rows },
    mark: 'area',
    encoding: {
      x: TIME,
      y: { field: 'n', type: 'quantitative', stack: 'zero', title: 'flows' },
      color: { field: 'state', type: 'nominal' },
      row: { field: 'level', type: 'nominal', title: 'level' },
    },
    width: 420,
    height: 70,
  };
}

/** Planned flows waiting over time. */
export function queueDepthSpec(rows: QueueRow[]): VegaLiteSpec {
  return {
    title: 'queue depth (planned flows)',
    data: { values: rows },
    mark: 'line',
    encoding: {
      x: TIME,
      y: { field: 'n', type: 'quantitative', title: 'planned' },
      color: { field: 'queue', type: 'nominal' },
    },
    width: 420,
    height: 160,
  };
}

/** Flows ended per bin. */
export function throughputSpec(rows: Array<{ t: string; state: string; n: number }>): VegaLiteSpec {
  return {
    title: 'throughput (flows ended per bin)',
    data: { values: rows },
    mark: 'bar',
    encoding: {
      x: TIME,
      y: { field: 'n', type: 'quantitative', title: 'flows' },
      color: { field: 'state', type: 'nominal' },
    },
    width: 420,
    height: 160,
  };
}

/** CPU, memory and disk use over time (%). */
export function healthSpec(rows: Array<{ t: string; metric: string; value: number }>): VegaLiteSpec {
  return {
    title: 'health',
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: TIME,
      y: { field: 'value', type: 'quantitative', title: '%' },
      color: { field: 'metric', type: 'nominal' },
    },
    width: 420,
    height: 160,
  };
}
