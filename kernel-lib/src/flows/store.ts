/**
 * Flow runs and their steps in the ledger (the same SQLite file the engine uses), so `stagebook flow
 * status`, a notebook and a crawler see one history. Tables are created on first use (IF NOT EXISTS,
 * as the downloads table was before its migration), every write is one immediate transaction, and
 * `dedup_key` is UNIQUE: a crawler restarted after a crash cannot start a dataset's flow twice.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { StagebookError } from '../errors/stagebook-error';
import { openDatabase } from '../ledger/db';
import type { FlowDefinition } from './definition';

export const FLOW_SCHEMA = `
CREATE TABLE IF NOT EXISTS flow_runs (
  id TEXT PRIMARY KEY,
  flow TEXT NOT NULL,
  label TEXT,
  dedup_key TEXT UNIQUE,
  definition_json TEXT NOT NULL,
  input_json TEXT NOT NULL,
  document_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed')),
  current_state TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  error_json TEXT
);
CREATE INDEX IF NOT EXISTS flow_runs_status ON flow_runs (status, created_at);
CREATE TABLE IF NOT EXISTS flow_steps (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES flow_runs (id),
  state TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed','interrupted')),
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  input_json TEXT,
  result_json TEXT,
  error_json TEXT
);
CREATE INDEX IF NOT EXISTS flow_steps_run ON flow_steps (run_id, id);
`;

export type FlowRunStatus = 'running' | 'succeeded' | 'failed';
export type FlowStepStatus = FlowRunStatus | 'interrupted';

export interface FlowRunRecord {
  id: string;
  flow: string;
  label: string | null;
  dedupKey: string | null;
  definition: FlowDefinition;
  input: unknown;
  document: unknown;
  status: FlowRunStatus;
  currentState: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  error: { code: string; message: string; state?: string } | null;
}

export interface FlowStepRecord {
  id: number;
  runId: string;
  state: string;
  attempt: number;
  status: FlowStepStatus;
  startedAt: number;
  finishedAt: number | null;
  input: unknown;
  result: unknown;
  error: { code: string; message: string } | null;
}

type Row = Record<string, unknown>;
const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : null);

function runOf(r: Row): FlowRunRecord {
  return {
    id: r.id as string,
    flow: r.flow as string,
    label: (r.label as string) ?? null,
    dedupKey: (r.dedup_key as string) ?? null,
    definition: json(r.definition_json) as FlowDefinition,
    input: json(r.input_json),
    document: json(r.document_json),
    status: r.status as FlowRunStatus,
    currentState: (r.current_state as string) ?? null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    finishedAt: (r.finished_at as number) ?? null,
    error: json(r.error_json) as FlowRunRecord['error'],
  };
}

function stepOf(r: Row): FlowStepRecord {
  return {
    id: r.id as number,
    runId: r.run_id as string,
    state: r.state as string,
    attempt: r.attempt as number,
    status: r.status as FlowStepStatus,
    startedAt: r.started_at as number,
    finishedAt: (r.finished_at as number) ?? null,
    input: json(r.input_json),
    result: json(r.result_json),
    error: json(r.error_json) as FlowStepRecord['error'],
  };
}

/** The flow tables of one ledger. */
export class FlowStore {
  private constructor(
    readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  static open(ledgerFile: string, now: () => number = Date.now): FlowStore {
    const db = openDatabase(ledgerFile);
    db.exec(FLOW_SCHEMA);
    return new FlowStore(db, now);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Creates a run; with a dedupKey already used, returns the existing run and `created: false`
   * (the UNIQUE constraint decides, inside the transaction, so two crawlers cannot both win).
   */
  createRun(
    flow: string,
    definition: FlowDefinition,
    input: unknown,
    opts: { label?: string; dedupKey?: string } = {},
  ): { run: FlowRunRecord; created: boolean } {
    const tx = this.db.transaction(() => {
      if (opts.dedupKey) {
        const existing = this.db.prepare('SELECT * FROM flow_runs WHERE dedup_key = ?').get(opts.dedupKey) as
          Row | undefined;
        if (existing) return { run: runOf(existing), created: false };
      }
      const id = `flow-${randomUUID()}`;
      const t = this.now();
      this.db
        .prepare(
          `INSERT INTO flow_runs (id, flow, label, dedup_key, definition_json, input_json, document_json, status, current_state, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
        )
        .run(
          id,
          flow,
          opts.label ?? null,
          opts.dedupKey ?? null,
          JSON.stringify(definition),
          JSON.stringify(input),
          JSON.stringify(input),
          definition.StartAt,
          t,
          t,
        );
      return { run: this.getRun(id), created: true };
    });
    return tx.immediate();
  }

  getRun(id: string): FlowRunRecord {
    const r = this.db.prepare('SELECT * FROM flow_runs WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new StagebookError('E_RUN_NOT_FOUND', `no flow run ${id} in this ledger`, { runId: id });
    return runOf(r);
  }

  listRuns(limit = 50): FlowRunRecord[] {
    return (this.db.prepare('SELECT * FROM flow_runs ORDER BY created_at DESC, id LIMIT ?').all(limit) as Row[]).map(
      runOf,
    );
  }

  steps(runId: string): FlowStepRecord[] {
    return (this.db.prepare('SELECT * FROM flow_steps WHERE run_id = ? ORDER BY id').all(runId) as Row[]).map(stepOf);
  }

  /** Marks steps left `running` by a dead process as interrupted (they are re-run on resume). */
  interruptDangling(runId: string): number {
    return this.db
      .prepare(`UPDATE flow_steps SET status = 'interrupted', finished_at = ? WHERE run_id = ? AND status = 'running'`)
      .run(this.now(), runId).changes;
  }

  startStep(runId: string, state: string, attempt: number, input: unknown): number {
    const r = this.db
      .prepare(
        `INSERT INTO flow_steps (run_id, state, attempt, status, started_at, input_json) VALUES (?, ?, ?, 'running', ?, ?)`,
      )
      .run(runId, state, attempt, this.now(), JSON.stringify(input ?? null));
    return Number(r.lastInsertRowid);
  }

  finishStep(stepId: number, status: 'succeeded' | 'failed', result: unknown, error: FlowStepRecord['error']): void {
    this.db
      .prepare('UPDATE flow_steps SET status = ?, finished_at = ?, result_json = ?, error_json = ? WHERE id = ?')
      .run(status, this.now(), JSON.stringify(result ?? null), error ? JSON.stringify(error) : null, stepId);
  }

  /** Moves the run on: its document and next state (null with a final status), in one transaction. */
  advance(
    runId: string,
    document: unknown,
    next: string | null,
    final?: { status: 'succeeded' | 'failed'; error?: FlowRunRecord['error'] },
  ): void {
    const t = this.now();
    this.db
      .prepare(
        'UPDATE flow_runs SET document_json = ?, current_state = ?, status = ?, updated_at = ?, finished_at = ?, error_json = ? WHERE id = ?',
      )
      .run(
        JSON.stringify(document ?? null),
        next,
        final?.status ?? 'running',
        t,
        final ? t : null,
        final?.error ? JSON.stringify(final.error) : null,
        runId,
      );
  }
}
