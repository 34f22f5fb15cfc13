/**
 * The PUNCH file and flow state machines (punchpipe docs/source/control/states.rst and control/*.py),
 * enforced in ONE place: every state change of the control segment goes through `moveFiles` /
 * `moveFlows`, which refuse a transition the tables below do not list (E_PUNCH_TRANSITION naming the
 * row and both states). Set-based: one checking SELECT and one UPDATE per call, whatever the number
 * of rows (punchpipe's schedulers were slow from per-row round-trips: punchbowl#728).
 */
import type Database from 'better-sqlite3';
import { StagebookError } from '../../errors/stagebook-error';

export const FILE_STATES = [
  'planned',
  'creating',
  'created',
  'failed',
  'unreported',
  'timed_out',
  'progressed',
  'quickpunched',
  'levelh',
] as const;
export type FileState = (typeof FILE_STATES)[number];

export const FLOW_STATES = [
  'being_planned',
  'planned',
  'launched',
  'running',
  'completed',
  'failed',
  'timed_out',
  'revivable',
] as const;
export type FlowState = (typeof FLOW_STATES)[number];

/**
 * Legal file transitions. punchpipe's: planned → creating → {created | failed | unreported |
 * timed_out}; created → progressed | quickpunched → progressed | levelh → progressed. Ours adds
 * planned → timed_out (the cleaner times out a flow that never started, its outputs still planned)
 * and the revival returns progressed | quickpunched | levelh → created and progressed → quickpunched
 * (cleaner.ts: a parent goes back to the state its scheduler takes it from).
 */
export const FILE_TRANSITIONS: Readonly<Record<FileState, readonly FileState[]>> = {
  planned: ['creating', 'timed_out'],
  creating: ['created', 'failed', 'unreported', 'timed_out'],
  created: ['progressed', 'quickpunched', 'levelh'],
  quickpunched: ['progressed', 'created'],
  levelh: ['progressed', 'created'],
  progressed: ['created', 'quickpunched'],
  failed: [],
  unreported: [],
  timed_out: [],
};

/**
 * Legal flow transitions: being_planned → planned → launched → running → {completed | failed |
 * timed_out}; launched → planned when the executor refuses the launch, launched → timed_out when it
 * never starts (cleaner); an operator marks a finished flow `revivable` and the cleaner deletes it.
 */
export const FLOW_TRANSITIONS: Readonly<Record<FlowState, readonly FlowState[]>> = {
  being_planned: ['planned'],
  planned: ['launched'],
  launched: ['running', 'planned', 'timed_out'],
  running: ['completed', 'failed', 'timed_out'],
  completed: ['revivable'],
  failed: ['revivable'],
  timed_out: ['revivable'],
  revivable: [],
};

/** States a row may be inserted in (not a transition). */
export const INITIAL_FILE_STATES: readonly FileState[] = ['created', 'planned'];
/** A flow is inserted `planned` when its children are linked in the same transaction (scheduler.ts). */
export const INITIAL_FLOW_STATES: readonly FlowState[] = ['being_planned', 'planned'];

type Table = 'punch_files' | 'punch_flows';

function transitionError(table: Table, id: number | string, from: string, to: string): StagebookError {
  const noun = table === 'punch_files' ? 'file' : 'flow';
  return new StagebookError(
    'E_PUNCH_TRANSITION',
    `punch: ${noun} ${id} cannot go from '${from}' to '${to}' (${table}; see docs/punch.md for the state machines)`,
    { where: 'punch state machine', table, id, from, to },
  );
}

/** Throws E_PUNCH_TRANSITION unless `from → to` is a legal file transition. */
export function checkFileTransition(id: number | string, from: FileState, to: FileState): void {
  if (!FILE_TRANSITIONS[from]?.includes(to)) throw transitionError('punch_files', id, from, to);
}

/** Throws E_PUNCH_TRANSITION unless `from → to` is a legal flow transition. */
export function checkFlowTransition(id: number | string, from: FlowState, to: FlowState): void {
  if (!FLOW_TRANSITIONS[from]?.includes(to)) throw transitionError('punch_flows', id, from, to);
}

/** Which rows a move applies to. `ids` and `flowIds` travel as one JSON parameter (one statement). */
export type FileSelector = { ids: readonly number[] } | { flowIds: readonly number[] };
export type FlowSelector = { ids: readonly number[] };

export interface MoveOptions {
  /**
   * Rows of the selector in a state outside `from` are an error by default (the row and its state
   * are named). `skipOthers` leaves them alone instead (the cleaner times out only the outputs of a
   * flow that are still being made).
   */
  skipOthers?: boolean;
}

const FILE_COLUMNS = ['date_created', 'processing_flow'] as const;
const FLOW_COLUMNS = [
  'launch_time',
  'start_time',
  'end_time',
  'flow_run_id',
  'flow_run_name',
  'error',
  'priority',
] as const;
type FileColumn = (typeof FILE_COLUMNS)[number];
type FlowColumn = (typeof FLOW_COLUMNS)[number];
type SetValues<C extends string> = Partial<Record<C, number | string | null>>;

function whereOf(table: Table, selector: FileSelector | FlowSelector): { sql: string; param: string } {
  if ('flowIds' in selector)
    return {
      sql: `processing_flow IN (SELECT value FROM json_each(?))`,
      param: JSON.stringify(selector.flowIds),
    };
  const key = table === 'punch_files' ? 'file_id' : 'flow_id';
  return { sql: `${key} IN (SELECT value FROM json_each(?))`, param: JSON.stringify(selector.ids) };
}

function move<S extends string, C extends string>(
  db: Database.Database,
  table: Table,
  selector: FileSelector | FlowSelector,
  from: readonly S[],
  to: S,
  set: SetValues<C>,
  allowed: readonly C[],
  options: MoveOptions,
): number {
  for (const f of from) {
    if (table === 'punch_files') checkFileTransition('(any)', f as FileState, to as FileState);
    else checkFlowTransition('(any)', f as FlowState, to as FlowState);
  }
  const where = whereOf(table, selector);
  const key = table === 'punch_files' ? 'file_id' : 'flow_id';
  const states = JSON.stringify(from);
  if (!options.skipOthers) {
    const bad = db
      .prepare(
        `SELECT ${key} AS id, state FROM ${table} WHERE ${where.sql} AND state NOT IN (SELECT value FROM json_each(?)) LIMIT 1`,
      )
      .get(where.param, states) as { id: number; state: string } | undefined;
    if (bad) throw transitionError(table, bad.id, bad.state, to);
  }
  const cols = Object.keys(set).filter((c) => (allowed as readonly string[]).includes(c)) as C[];
  if (cols.length !== Object.keys(set).length)
    throw new StagebookError('E_INTERNAL', `punch: cannot set ${Object.keys(set).join(', ')} on ${table}`, {
      where: 'punch state machine',
    });
  const assignments = ['state = ?', ...cols.map((c) => `${c} = ?`)].join(', ');
  const info = db
    .prepare(`UPDATE ${table} SET ${assignments} WHERE ${where.sql} AND state IN (SELECT value FROM json_each(?))`)
    .run(to, ...cols.map((c) => set[c] ?? null), where.param, states);
  return info.changes;
}

/** Moves the selected files from one of `from` to `to`; returns the number of rows changed. */
export function moveFiles(
  db: Database.Database,
  selector: FileSelector,
  from: readonly FileState[],
  to: FileState,
  set: SetValues<FileColumn> = {},
  options: MoveOptions = {},
): number {
  return move(db, 'punch_files', selector, from, to, set, FILE_COLUMNS, options);
}

/** Moves the selected flows from one of `from` to `to`; returns the number of rows changed. */
export function moveFlows(
  db: Database.Database,
  selector: FlowSelector,
  from: readonly FlowState[],
  to: FlowState,
  set: SetValues<FlowColumn> = {},
  options: MoveOptions = {},
): number {
  return move(db, 'punch_flows', selector, from, to, set, FLOW_COLUMNS, options);
}
