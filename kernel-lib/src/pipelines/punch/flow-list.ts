/**
 * "Which flows are in this control database?" as a display: `showFlows(db)` publishes a bundle whose
 * `application/vnd.stagebook.punch-flows.v1+json` payload the JupyterLab extension renders as a
 * flow list (jupyter-extension/src/punch/), with text/html and text/plain twins (the same table)
 * for every other front end.
 */
import type Database from 'better-sqlite3';
import { publish, type DisplayBundle } from '../../display/bundle';
import { tableBundle } from '../../display/table';
import { invalidArgument } from '../../errors/stagebook-error';
import { FLOW_STATES } from './states';

export const PUNCH_FLOWS_MIME = 'application/vnd.stagebook.punch-flows.v1+json';

export interface FlowListRow {
  flow_id: number;
  flow_level: string;
  flow_type: string;
  state: string;
  priority: number;
  is_backprocessing: number;
  creation_time: number;
  launch_time: number | null;
  start_time: number | null;
  end_time: number | null;
  error: string | null;
}

export interface FlowListPayload {
  version: 1;
  database: string;
  generatedAt: string;
  counts: Array<{ flow_level: string; flow_type: string; state: string; n: number }>;
  /** The newest flows (by id), at most `limit`. */
  flows: FlowListRow[];
  total: number;
}

export interface FlowListOptions {
  /** Largest number of flows listed (default 50). */
  limit?: number;
  /** Only flows in this state. */
  state?: string;
}

/** The payload: counts by level, type and state, and the newest flows. */
export function flowListPayload(db: Database.Database, options: FlowListOptions = {}): FlowListPayload {
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1)
    invalidArgument('flowListPayload', 'limit', `must be a positive integer: ${limit}`);
  if (options.state !== undefined && !(FLOW_STATES as readonly string[]).includes(options.state))
    invalidArgument('flowListPayload', 'state', `must be one of ${FLOW_STATES.join(', ')}: ${options.state}`);
  const where = options.state ? `WHERE state = ?` : '';
  const args = options.state ? [options.state] : [];
  const flows = db
    .prepare(
      `SELECT flow_id, flow_level, flow_type, state, priority, is_backprocessing, creation_time, launch_time,
         start_time, end_time, error FROM punch_flows ${where} ORDER BY flow_id DESC LIMIT ?`,
    )
    .all(...args, limit) as FlowListRow[];
  const counts = db
    .prepare(
      `SELECT flow_level, flow_type, state, count(*) AS n FROM punch_flows GROUP BY flow_level, flow_type, state
       ORDER BY flow_level, flow_type, state`,
    )
    .all() as FlowListPayload['counts'];
  const { total } = db.prepare(`SELECT count(*) AS total FROM punch_flows ${where}`).get(...args) as { total: number };
  return { version: 1, database: db.name, generatedAt: new Date().toISOString(), counts, flows, total };
}

/** Publishes the flow list (returns the bundle outside a kernel). */
export function showFlows(db: Database.Database, options: FlowListOptions = {}): DisplayBundle | undefined {
  const payload = flowListPayload(db, options);
  const table = tableBundle(
    payload.flows.map((f) => ({
      flow: f.flow_id,
      level: f.flow_level,
      type: f.flow_type,
      state: f.state,
      priority: f.priority,
      back: f.is_backprocessing ? 'yes' : '',
      created: new Date(f.creation_time).toISOString(),
      error: f.error ? ((JSON.parse(f.error) as { message?: string }).message ?? '') : '',
    })),
    { caption: `${payload.flows.length} of ${payload.total} flows in ${payload.database}`, maxRows: 60 },
  );
  return publish({ data: { [PUNCH_FLOWS_MIME]: payload, ...table.data }, metadata: {} });
}
