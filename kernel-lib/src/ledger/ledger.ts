/**
 * The run ledger: the single source of truth for what has been processed (it replaces the seeds'
 * frame lists, processed_files.txt and `.out` markers). Every write is one immediate transaction.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type Database from 'better-sqlite3';
import { StagebookError } from '../errors/stagebook-error';
import { openDatabase, type OpenDatabaseOptions } from './db';
import type { FileRef, FileRow, RunRow, RunStatus, StageRunRow, StageRunStatus } from './types';

/** What a new run records. */
export interface NewRun {
  pipeline: string;
  /** Lease scope: at most one live run per scope (pipeline + workspace root). */
  scope: string;
  /** Everything needed to resume the run (levels, filters, input list...). */
  options: Record<string, unknown>;
  configFile?: string;
  leaseMs: number;
  /** Run id; generated when absent. */
  id?: string;
}

/** A held lease: the token proves ownership at every renewal. */
export interface Lease {
  runId: string;
  token: string;
}

/** What a stage unit records when it starts. */
export interface NewStageRun {
  runId: string;
  pipeline: string;
  stage: string;
  unit: string;
  stageVersion: number;
  params: unknown;
  cacheKey: string;
  inputs: FileRef[];
  status?: StageRunStatus;
}

/** An output to register when a unit commits. */
export interface CommittedOutput extends FileRef {
  mtimeMs: number;
}

/** The outcome of a unit. */
export interface StageRunOutcome {
  status: StageRunStatus;
  outputs?: FileRef[];
  error?: unknown;
  log?: string;
}

const now = (): number => Date.now();
const newToken = (): string => randomBytes(12).toString('hex');

/** Run ids sort by creation time: `YYYYMMDDTHHMMSS-<6 hex>`. */
export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}

/** Handle on one ledger database (one per process; cheap to open). */
export class Ledger {
  readonly db: Database.Database;
  readonly file: string;

  private constructor(db: Database.Database, file: string) {
    this.db = db;
    this.file = file;
  }

  /** Opens (creating/migrating) the ledger at `file`. */
  static open(file: string, options: OpenDatabaseOptions = {}): Ledger {
    return new Ledger(openDatabase(file, options), file);
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }

  private readonly statements = new Map<string, Database.Statement>();

  /**
   * A prepared statement for `text`, compiled once per connection: preparing on every call cost
   * more than the write itself (bench/ledger.bench.js).
   */
  sql(text: string): Database.Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction (the write lock is taken before any read). */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ---- runs and leases ---------------------------------------------------------------------

  /** The live (lease not expired) running run of `scope`, other than `exceptId`. */
  liveRunInScope(scope: string, exceptId?: string): RunRow | undefined {
    return this.sql(`SELECT * FROM runs WHERE scope = ? AND status = 'running' AND lease_expires_at > ? AND id IS NOT ? ORDER BY created_at DESC LIMIT 1`)
      .get(scope, now(), exceptId ?? null) as RunRow | undefined;
  }

  /**
   * Creates a run holding the scope's lease. E_RUN_LOCKED when a live run holds it; runs whose
   * lease expired (dead owners) are marked `interrupted` (their finished units stay cached).
   */
  createRun(r: NewRun): Lease {
    const id = r.id ?? newRunId();
    const token = newToken();
    this.write(() => {
      const live = this.liveRunInScope(r.scope);
      if (live) throw lockedError(live);
      this.sql(`UPDATE runs SET status = 'interrupted', updated_at = ? WHERE scope = ? AND status = 'running'`).run(now(), r.scope);
      this.sql(`INSERT INTO runs (id, pipeline, scope, status, options_json, config_file, created_at, updated_at, owner_pid, owner_host, lease_token, lease_expires_at)
                  VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(id, r.pipeline, r.scope, JSON.stringify(r.options), r.configFile ?? null, now(), now(), process.pid, os.hostname(), token, now() + r.leaseMs);
    });
    return { runId: id, token };
  }

  /**
   * Takes over a run whose owner is gone (lease expired, or the run ended as failed/interrupted)
   * so it can be resumed. Its units left `running` become `interrupted`.
   */
  takeOverRun(runId: string, leaseMs: number): Lease {
    const token = newToken();
    this.write(() => {
      const run = this.getRun(runId);
      if (run.status === 'running' && (run.lease_expires_at ?? 0) > now()) throw lockedError(run);
      const live = this.liveRunInScope(run.scope, runId);
      if (live) throw lockedError(live);
      this.sql(`UPDATE stage_runs SET status = 'interrupted', finished_at = ? WHERE run_id = ? AND status = 'running'`).run(now(), runId);
      this.sql(`UPDATE runs SET status = 'running', updated_at = ?, finished_at = NULL, owner_pid = ?, owner_host = ?, lease_token = ?, lease_expires_at = ?, resume_count = resume_count + 1, error_json = NULL WHERE id = ?`)
        .run(now(), process.pid, os.hostname(), token, now() + leaseMs, runId);
    });
    return { runId, token };
  }

  /** Extends the lease; false when another process took the run over (this one must stop). */
  renewLease(lease: Lease, leaseMs: number): boolean {
    return this.write(() => {
      const r = this.sql(`UPDATE runs SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND lease_token = ? AND status = 'running'`).run(now() + leaseMs, now(), lease.runId, lease.token);
      return r.changes === 1;
    });
  }

  /** Ends the run (releases the lease). */
  finishRun(lease: Lease, status: RunStatus, error?: unknown): void {
    this.write(() => {
      this.sql(`UPDATE runs SET status = ?, finished_at = ?, updated_at = ?, lease_expires_at = NULL, error_json = ? WHERE id = ? AND lease_token = ?`)
        .run(status, now(), now(), error === undefined ? null : JSON.stringify(errorJson(error)), lease.runId, lease.token);
    });
  }

  /** The run `runId` (E_RUN_NOT_FOUND when absent). */
  getRun(runId: string): RunRow {
    const row = this.sql(`SELECT * FROM runs WHERE id = ?`).get(runId) as RunRow | undefined;
    if (!row) throw new StagebookError('E_RUN_NOT_FOUND', `Ledger.getRun: no run ${JSON.stringify(runId)} in ${this.file}`, { where: 'Ledger.getRun', field: 'runId' });
    return row;
  }

  /**
   * Increments a run counter with an explicit read-modify-write. Safe across processes only
   * because `write` takes the lock first (a deferred transaction would lose updates).
   */
  bumpUnitsDone(runId: string, by = 1): number {
    return this.write(() => {
      const row = this.sql(`SELECT units_done FROM runs WHERE id = ?`).get(runId) as { units_done: number } | undefined;
      const next = (row?.units_done ?? 0) + by;
      this.sql(`UPDATE runs SET units_done = ?, updated_at = ? WHERE id = ?`).run(next, now(), runId);
      return next;
    });
  }

  // ---- stage runs --------------------------------------------------------------------------

  /** Records a unit as started (or directly as cached/blocked); returns the stage-run id. */
  startStageRun(s: NewStageRun): number {
    return this.write(() => {
      const r = this.sql(`INSERT INTO stage_runs (run_id, pipeline, stage, unit, status, started_at, stage_version, params_json, cache_key, inputs_json)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(s.runId, s.pipeline, s.stage, s.unit, s.status ?? 'running', now(), s.stageVersion, JSON.stringify(s.params ?? null), s.cacheKey, JSON.stringify(s.inputs));
      return Number(r.lastInsertRowid);
    });
  }

  /** Records how a unit ended (without registering files; see `commitOutputs`). */
  finishStageRun(id: number, o: StageRunOutcome): void {
    this.write(() => this.finishStageRunRow(id, o));
  }

  private finishStageRunRow(id: number, o: StageRunOutcome): void {
    this.sql(`UPDATE stage_runs SET status = ?, finished_at = ?, duration_ms = ? - started_at, outputs_json = ?, error_json = ?, log = ? WHERE id = ?`)
      .run(o.status, now(), now(), o.outputs ? JSON.stringify(o.outputs) : null, o.error === undefined ? null : JSON.stringify(errorJson(o.error)), o.log ?? null, id);
  }

  /**
   * Marks a unit succeeded and registers its outputs, their parents and the files they supersede,
   * all in one transaction: either the ledger knows the unit is complete with all its files, or
   * nothing at all (a kill in between leaves the unit `running`, later `interrupted`).
   */
  commitOutputs(stageRunId: number, meta: { runId: string; pipeline: string; stage: string; unit: string; version: number }, inputs: FileRef[], outputs: CommittedOutput[], log: string): void {
    this.write(() => {
      const parentIds = inputs.map((f) => this.upsertFileRow({ ...f, mtimeMs: null }, { state: undefined }));
      const keep = new Set<string>();
      for (const out of outputs) {
        keep.add(out.path);
        const id = this.upsertFileRow(out, { state: 'complete', producer: { ...meta, stageRunId } });
        for (const p of parentIds) this.sql(`INSERT OR IGNORE INTO file_links (parent_id, child_id, stage_run_id) VALUES (?, ?, ?)`).run(p, id, stageRunId);
      }
      const old = this.sql(`SELECT id, path FROM files WHERE pipeline = ? AND stage = ? AND unit = ? AND state = 'complete'`).all(meta.pipeline, meta.stage, meta.unit) as { id: number; path: string }[];
      for (const f of old) if (!keep.has(f.path)) this.sql(`UPDATE files SET state = 'superseded', updated_at = ? WHERE id = ?`).run(now(), f.id);
      this.finishStageRunRow(stageRunId, { status: 'succeeded', outputs: outputs.map(stripMtime), log });
      const row = this.sql(`SELECT units_done FROM runs WHERE id = ?`).get(meta.runId) as { units_done: number };
      this.sql(`UPDATE runs SET units_done = ?, updated_at = ? WHERE id = ?`).run(row.units_done + 1, now(), meta.runId);
    });
  }

  /** Latest succeeded unit of (pipeline, stage, unit) with exactly this cache key. */
  findCached(pipeline: string, stage: string, unit: string, cacheKey: string): { id: number; outputs: FileRef[] } | undefined {
    const row = this.sql(`SELECT id, outputs_json FROM stage_runs WHERE pipeline = ? AND stage = ? AND unit = ? AND cache_key = ? AND status = 'succeeded' ORDER BY id DESC LIMIT 1`)
      .get(pipeline, stage, unit, cacheKey) as { id: number; outputs_json: string } | undefined;
    return row ? { id: row.id, outputs: JSON.parse(row.outputs_json) as FileRef[] } : undefined;
  }

  /** Outputs of the latest succeeded run of every unit of a stage (stages below the start level). */
  latestOutputs(pipeline: string, stage: string): { unit: string; outputs: FileRef[] }[] {
    const rows = this.sql(`SELECT unit, outputs_json FROM stage_runs s WHERE pipeline = ? AND stage = ? AND status = 'succeeded'
                AND id = (SELECT MAX(id) FROM stage_runs t WHERE t.pipeline = s.pipeline AND t.stage = s.stage AND t.unit = s.unit AND t.status = 'succeeded') ORDER BY unit`)
      .all(pipeline, stage) as { unit: string; outputs_json: string }[];
    return rows.map((r) => ({ unit: r.unit, outputs: JSON.parse(r.outputs_json) as FileRef[] }));
  }

  // ---- files -------------------------------------------------------------------------------

  /** sha256 recorded for `path` if its size and mtime still match (saves re-hashing big inputs). */
  knownHash(path: string, size: number, mtimeMs: number): string | undefined {
    const row = this.sql(`SELECT sha256 FROM files WHERE path = ? AND size = ? AND mtime_ms = ?`).get(path, size, mtimeMs) as { sha256: string } | undefined;
    return row?.sha256;
  }

  /** Registers a source input (state `source` unless the ledger already tracks it). */
  registerSource(f: FileRef & { mtimeMs: number }): void {
    this.write(() => this.upsertFileRow(f, { state: undefined }));
  }

  /** Marks files `deleted` (after `--clean`). */
  markDeleted(paths: string[]): void {
    this.write(() => {
      for (const p of paths) this.sql(`UPDATE files SET state = 'deleted', updated_at = ? WHERE path = ?`).run(now(), p);
    });
  }

  /** Complete files produced by the given stages of a pipeline. */
  filesOfStages(pipeline: string, stages: string[]): FileRow[] {
    if (stages.length === 0) return [];
    const marks = stages.map(() => '?').join(', ');
    return this.sql(`SELECT * FROM files WHERE pipeline = ? AND stage IN (${marks}) AND state = 'complete' ORDER BY path`).all(pipeline, ...stages) as FileRow[];
  }

  private upsertFileRow(
    f: FileRef & { mtimeMs: number | null },
    o: { state: 'complete' | undefined; producer?: { runId: string; pipeline: string; stage: string; unit: string; version: number; stageRunId: number } },
  ): number {
    const p = o.producer;
    const existing = this.sql(`SELECT id FROM files WHERE path = ?`).get(f.path) as { id: number } | undefined;
    if (!existing) {
      const r = this.sql(`INSERT INTO files (path, sha256, size, mtime_ms, level, product, version, state, pipeline, stage, unit, stage_run_id, run_id, created_at, updated_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(f.path, f.sha256, f.size, f.mtimeMs, f.level ?? null, f.product ?? null, p?.version ?? null, o.state ?? 'source', p?.pipeline ?? null, p?.stage ?? null, p?.unit ?? null, p?.stageRunId ?? null, p?.runId ?? null, now(), now());
      return Number(r.lastInsertRowid);
    }
    if (p) {
      this.sql(`UPDATE files SET sha256 = ?, size = ?, mtime_ms = ?, level = ?, product = ?, version = ?, state = 'complete', pipeline = ?, stage = ?, unit = ?, stage_run_id = ?, run_id = ?, updated_at = ? WHERE id = ?`)
        .run(f.sha256, f.size, f.mtimeMs, f.level ?? null, f.product ?? null, p.version, p.pipeline, p.stage, p.unit, p.stageRunId, p.runId, now(), existing.id);
    } else if (f.mtimeMs !== null) {
      this.sql(`UPDATE files SET sha256 = ?, size = ?, mtime_ms = ?, updated_at = ? WHERE id = ?`).run(f.sha256, f.size, f.mtimeMs, now(), existing.id);
    }
    return existing.id;
  }

  // ---- events ------------------------------------------------------------------------------

  /** Appends an event row. */
  addEvent(e: { runId?: string; type: string; stage?: string; unit?: string; n?: number; total?: number; message?: string; data?: unknown; at?: number }): void {
    this.write(() => {
      this.sql(`INSERT INTO events (run_id, at, type, stage, unit, n, total, message, data_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(e.runId ?? null, e.at ?? now(), e.type, e.stage ?? null, e.unit ?? null, e.n ?? null, e.total ?? null, e.message ?? null, e.data === undefined ? null : JSON.stringify(e.data));
    });
  }
}

function stripMtime(o: CommittedOutput): FileRef {
  const { mtimeMs: _ignored, ...ref } = o;
  return ref;
}

function lockedError(run: RunRow): StagebookError {
  return new StagebookError('E_RUN_LOCKED', `run ${run.id} of pipeline ${run.pipeline} is live (pid ${run.owner_pid} on ${run.owner_host}, lease until ${new Date(run.lease_expires_at ?? 0).toISOString()})`, { where: 'Ledger', runId: run.id, pid: run.owner_pid });
}

/** JSON form of any thrown value (StagebookError keeps code and context). */
export function errorJson(e: unknown): Record<string, unknown> {
  if (e instanceof StagebookError) return { ...e.toJSON(), cause: e.cause instanceof Error ? e.cause.message : undefined };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { message: String(e) };
}
