/**
 * The run ledger: the single source of truth for what has been processed (it replaces the seeds'
 * frame lists, processed_files.txt and `.out` markers). Every write is one immediate transaction.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type Database from 'better-sqlite3';
import { StagebookError } from '../errors/stagebook-error';
import { openDatabase, type OpenDatabaseOptions } from './db';
import { leaseState } from './liveness';
import type {
  CachedUnit,
  CommittedOutput,
  FileRef,
  FileRow,
  Lease,
  NewRun,
  NewStageRun,
  RunRow,
  RunStatus,
  StageRunOutcome,
  UnitMeta,
} from './types';

/**
 * The lease renewal statement, shared with the heartbeat worker thread (engine/heartbeat-worker.ts)
 * so it is written once. Parameters: expires_at, updated_at, run id, token, generation.
 */
export const RENEW_LEASE_SQL = `UPDATE runs SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND lease_token = ? AND lease_generation = ? AND status = 'running'`;

export type { CachedUnit, CommittedOutput, Lease, NewRun, NewStageRun, StageRunOutcome, UnitMeta } from './types';

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

  /** The live running run of `scope` other than `exceptId` (lease valid and, on this host, its pid alive). */
  liveRunInScope(scope: string, exceptId?: string): RunRow | undefined {
    const rows = this.sql(
      `SELECT * FROM runs WHERE scope = ? AND status = 'running' AND lease_expires_at > ? AND id IS NOT ? ORDER BY created_at DESC`,
    ).all(scope, now(), exceptId ?? null) as RunRow[];
    return rows.find((r) => leaseState(r) === 'live');
  }

  /** Closes the `running` unit rows of a run whose owner is gone or done (never left `running`). */
  private closeStageRows(runId: string): void {
    this.sql(
      `UPDATE stage_runs SET status = 'interrupted', finished_at = ? WHERE run_id = ? AND status = 'running'`,
    ).run(now(), runId);
  }

  /**
   * Throws E_LEASE_LOST unless `lease` still owns its run (same token and generation, still
   * running). Called inside write transactions: the check and the write are one atomic step.
   */
  assertLease(lease: Lease, where: string): void {
    const row = this.sql(`SELECT lease_token, lease_generation, status FROM runs WHERE id = ?`).get(lease.runId) as
      { lease_token: string | null; lease_generation: number; status: string } | undefined;
    if (
      !row ||
      row.lease_token !== lease.token ||
      row.lease_generation !== lease.generation ||
      row.status !== 'running'
    ) {
      throw new StagebookError(
        'E_LEASE_LOST',
        `${where}: run ${lease.runId} was taken over by another process (lease generation ${lease.generation} is no longer current); not committing`,
        { where, runId: lease.runId },
      );
    }
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
      // the dead runs this one supersedes end `interrupted`, and so do their unit rows
      const dead = this.sql(`SELECT id FROM runs WHERE scope = ? AND status = 'running'`).all(r.scope) as {
        id: string;
      }[];
      for (const d of dead) this.closeStageRows(d.id);
      this.sql(
        `UPDATE runs SET status = 'interrupted', updated_at = ?, finished_at = ? WHERE scope = ? AND status = 'running'`,
      ).run(now(), now(), r.scope);
      this.sql(
        `INSERT INTO runs (id, pipeline, scope, status, options_json, config_file, created_at, updated_at, owner_pid, owner_host, lease_token, lease_expires_at, lease_generation)
                  VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
      ).run(
        id,
        r.pipeline,
        r.scope,
        JSON.stringify(r.options),
        r.configFile ?? null,
        now(),
        now(),
        process.pid,
        os.hostname(),
        token,
        now() + r.leaseMs,
      );
    });
    return { runId: id, token, generation: 1 };
  }

  /**
   * Takes over a run whose owner is gone (lease expired, or the run ended as failed/interrupted)
   * so it can be resumed. Its units left `running` become `interrupted`.
   */
  takeOverRun(runId: string, leaseMs: number): Lease {
    const token = newToken();
    let generation = 0;
    this.write(() => {
      const run = this.getRun(runId);
      if (run.status === 'succeeded') {
        throw new StagebookError(
          'E_RUN_FINISHED',
          `run ${runId} of pipeline ${run.pipeline} already succeeded: nothing to resume (start a new run with \`stagebook run\`)`,
          { where: 'Ledger.takeOverRun', runId },
        );
      }
      if (leaseState(run) === 'live') throw lockedError(run);
      const live = this.liveRunInScope(run.scope, runId);
      if (live) throw lockedError(live);
      this.closeStageRows(runId);
      generation = (run.lease_generation ?? 0) + 1;
      this.sql(
        `UPDATE runs SET status = 'running', updated_at = ?, finished_at = NULL, owner_pid = ?, owner_host = ?, lease_token = ?, lease_expires_at = ?, lease_generation = ?, resume_count = resume_count + 1, error_json = NULL WHERE id = ?`,
      ).run(now(), process.pid, os.hostname(), token, now() + leaseMs, generation, runId);
    });
    return { runId, token, generation };
  }

  /** Extends the lease; false when another process took the run over (this one must stop). */
  renewLease(lease: Lease, leaseMs: number): boolean {
    return this.write(
      () =>
        this.sql(RENEW_LEASE_SQL).run(now() + leaseMs, now(), lease.runId, lease.token, lease.generation).changes === 1,
    );
  }

  /** Ends the run (releases the lease); unit rows still `running` end `interrupted`. */
  finishRun(lease: Lease, status: RunStatus, error?: unknown): void {
    this.write(() => {
      const r = this.sql(
        `UPDATE runs SET status = ?, finished_at = ?, updated_at = ?, lease_expires_at = NULL, error_json = ? WHERE id = ? AND lease_token = ? AND lease_generation = ?`,
      ).run(
        status,
        now(),
        now(),
        error === undefined ? null : JSON.stringify(errorJson(error)),
        lease.runId,
        lease.token,
        lease.generation,
      );
      if (r.changes === 1) this.closeStageRows(lease.runId);
    });
  }

  /** The run `runId` (E_RUN_NOT_FOUND when absent). */
  getRun(runId: string): RunRow {
    const row = this.sql(`SELECT * FROM runs WHERE id = ?`).get(runId) as RunRow | undefined;
    if (!row)
      throw new StagebookError('E_RUN_NOT_FOUND', `Ledger.getRun: no run ${JSON.stringify(runId)} in ${this.file}`, {
        where: 'Ledger.getRun',
        field: 'runId',
      });
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

  /** Records a unit as started (or directly as cached/blocked); returns the stage-run id. Fenced by `lease` when given. */
  startStageRun(s: NewStageRun, lease?: Lease): number {
    return this.write(() => {
      if (lease) this.assertLease(lease, `${s.stage} ${s.unit}`);
      return this.insertStageRun(s);
    });
  }

  private insertStageRun(s: NewStageRun): number {
    const r = this.sql(
      `INSERT INTO stage_runs (run_id, pipeline, stage, unit, status, started_at, stage_version, params_json, cache_key, inputs_json, workspace, side_inputs_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      s.runId,
      s.pipeline,
      s.stage,
      s.unit,
      s.status ?? 'running',
      now(),
      s.stageVersion,
      JSON.stringify(s.params ?? null),
      s.cacheKey,
      JSON.stringify(s.inputs),
      s.workspace ?? null,
      s.sideInputs ? JSON.stringify(s.sideInputs) : null,
    );
    return Number(r.lastInsertRowid);
  }

  /** Records how a unit ended (without registering files; see `commitOutputs`). Fenced by `lease` when given. */
  finishStageRun(id: number, o: StageRunOutcome, lease?: Lease): void {
    this.write(() => {
      if (lease) this.assertLease(lease, `stage run ${id}`);
      this.finishStageRunRow(id, o);
    });
  }

  private finishStageRunRow(id: number, o: StageRunOutcome): void {
    this.sql(
      `UPDATE stage_runs SET status = ?, finished_at = ?, duration_ms = ? - started_at, outputs_json = ?, error_json = ?, log = ? WHERE id = ?`,
    ).run(
      o.status,
      now(),
      now(),
      o.outputs ? JSON.stringify(o.outputs) : null,
      o.error === undefined ? null : JSON.stringify(errorJson(o.error)),
      o.log ?? null,
      id,
    );
  }

  /**
   * Marks a unit succeeded and registers its outputs, their parents and the files they supersede,
   * all in one transaction: either the ledger knows the unit is complete with all its files, or
   * nothing at all (a kill in between leaves the unit `running`, later `interrupted`).
   * Fenced: with `fence`, the lease is checked first and `fence.promote()` (the renames of the
   * temps to their final names) runs inside the same transaction, after the check. A process that
   * lost its lease therefore never renames over the winner's files; if a rename fails, the
   * transaction rolls back and the unit stays incomplete.
   */
  commitOutputs(
    stageRunId: number,
    meta: UnitMeta,
    inputs: FileRef[],
    outputs: CommittedOutput[],
    log: string,
    fence?: { lease: Lease; promote(): void },
  ): void {
    this.write(() => {
      if (fence) {
        this.assertLease(fence.lease, `${meta.stage} ${meta.unit}`);
        fence.promote();
      }
      const parentIds = inputs.map((f) => this.upsertFileRow({ ...f, mtimeMs: null }, { state: undefined }));
      for (const out of outputs) {
        const id = this.upsertFileRow(out, { state: 'complete', producer: { ...meta, stageRunId } });
        for (const p of parentIds)
          this.sql(`INSERT OR IGNORE INTO file_links (parent_id, child_id, stage_run_id) VALUES (?, ?, ?)`).run(
            p,
            id,
            stageRunId,
          );
      }
      this.supersedeOthers(meta, outputs);
      this.finishStageRunRow(stageRunId, { status: 'succeeded', outputs: outputs.map(stripMtime), log });
      const row = this.sql(`SELECT units_done FROM runs WHERE id = ?`).get(meta.runId) as { units_done: number };
      this.sql(`UPDATE runs SET units_done = ?, updated_at = ? WHERE id = ?`).run(
        row.units_done + 1,
        now(),
        meta.runId,
      );
    });
  }

  /** Complete files of the same unit (in the same workspace) that `current` does not include become `superseded`. */
  private supersedeOthers(meta: UnitMeta, current: readonly FileRef[]): void {
    const keep = new Set(current.map((f) => f.path));
    const old = this.sql(
      `SELECT id, path FROM files WHERE pipeline = ? AND stage = ? AND unit = ? AND workspace IS ? AND state = 'complete'`,
    ).all(meta.pipeline, meta.stage, meta.unit, meta.workspace ?? null) as { id: number; path: string }[];
    for (const f of old)
      if (!keep.has(f.path))
        this.sql(`UPDATE files SET state = 'superseded', updated_at = ? WHERE id = ?`).run(now(), f.id);
  }

  /**
   * Records a cache hit and restores the file state the cached result implies, in one transaction:
   * its outputs become `complete` again with the cached run's stage version and producer (after a
   * parameter revert or a version rollback they may say `superseded` or a newer version), and the
   * unit's other complete files become `superseded`.
   */
  recordCacheHit(s: NewStageRun & { workspace: string }, cached: CachedUnit, lease?: Lease): number {
    return this.write(() => {
      if (lease) this.assertLease(lease, `${s.stage} ${s.unit}`);
      const id = this.insertStageRun({ ...s, status: 'cached' });
      this.finishStageRunRow(id, { status: 'cached', outputs: cached.outputs });
      for (const o of cached.outputs) {
        this.sql(
          `UPDATE files SET state = 'complete', sha256 = ?, size = ?, version = ?, level = COALESCE(?, level), product = COALESCE(?, product), pipeline = ?, stage = ?, unit = ?, stage_run_id = ?, run_id = ?, workspace = ?, updated_at = ? WHERE path = ?`,
        ).run(
          o.sha256,
          o.size,
          cached.stageVersion,
          o.level ?? null,
          o.product ?? null,
          s.pipeline,
          s.stage,
          s.unit,
          cached.id,
          cached.runId,
          s.workspace,
          now(),
          o.path,
        );
      }
      this.supersedeOthers(
        {
          runId: s.runId,
          pipeline: s.pipeline,
          stage: s.stage,
          unit: s.unit,
          version: cached.stageVersion,
          workspace: s.workspace,
        },
        cached.outputs,
      );
      return id;
    });
  }

  /**
   * Latest succeeded unit of (pipeline, stage, unit) with exactly this cache key in `workspace`
   * (rows older than migration 3 have no workspace: the caller still checks every output lies
   * inside this workspace's roots with its recorded hash).
   */
  findCached(
    pipeline: string,
    stage: string,
    unit: string,
    cacheKey: string,
    workspace: string,
  ): CachedUnit | undefined {
    const row = this.sql(
      `SELECT id, run_id, stage_version, outputs_json FROM stage_runs WHERE pipeline = ? AND stage = ? AND unit = ? AND cache_key = ? AND status = 'succeeded' AND (workspace = ? OR workspace IS NULL) ORDER BY id DESC LIMIT 1`,
    ).get(pipeline, stage, unit, cacheKey, workspace) as
      { id: number; run_id: string; stage_version: number; outputs_json: string } | undefined;
    return row
      ? {
          id: row.id,
          runId: row.run_id,
          stageVersion: row.stage_version,
          outputs: JSON.parse(row.outputs_json) as FileRef[],
        }
      : undefined;
  }

  /** Outputs of the latest succeeded run of every unit of a stage in `workspace` (stages below the start level). */
  latestOutputs(pipeline: string, stage: string, workspace: string): { unit: string; outputs: FileRef[] }[] {
    const rows = this.sql(
      `SELECT unit, outputs_json FROM stage_runs s WHERE pipeline = ? AND stage = ? AND status = 'succeeded' AND (workspace = ? OR workspace IS NULL)
                AND id = (SELECT MAX(id) FROM stage_runs t WHERE t.pipeline = s.pipeline AND t.stage = s.stage AND t.unit = s.unit AND t.workspace IS s.workspace AND t.status = 'succeeded') ORDER BY unit`,
    ).all(pipeline, stage, workspace) as { unit: string; outputs_json: string }[];
    return rows.map((r) => ({ unit: r.unit, outputs: JSON.parse(r.outputs_json) as FileRef[] }));
  }

  // ---- files -------------------------------------------------------------------------------

  /** sha256 recorded for `path` if its size and mtime still match (saves re-hashing big inputs). */
  knownHash(path: string, size: number, mtimeMs: number): string | undefined {
    const row = this.sql(`SELECT sha256 FROM files WHERE path = ? AND size = ? AND mtime_ms = ?`).get(
      path,
      size,
      mtimeMs,
    ) as { sha256: string } | undefined;
    return row?.sha256;
  }

  /** Registers a source input (state `source` unless the ledger already tracks it). */
  registerSource(f: FileRef & { mtimeMs: number }): void {
    this.write(() => this.upsertFileRow(f, { state: undefined }));
  }

  /** Marks files `deleted` (after `--clean`). */
  markDeleted(paths: string[]): void {
    this.write(() => {
      for (const p of paths)
        this.sql(`UPDATE files SET state = 'deleted', updated_at = ? WHERE path = ?`).run(now(), p);
    });
  }

  /** Complete files produced by the given stages of a pipeline (in one workspace when given). */
  filesOfStages(pipeline: string, stages: string[], workspace?: string): FileRow[] {
    if (stages.length === 0) return [];
    const marks = stages.map(() => '?').join(', ');
    return this.sql(
      `SELECT * FROM files WHERE pipeline = ? AND stage IN (${marks}) AND state = 'complete' AND (? IS NULL OR workspace = ?) ORDER BY path`,
    ).all(pipeline, ...stages, workspace ?? null, workspace ?? null) as FileRow[];
  }

  private upsertFileRow(
    f: FileRef & { mtimeMs: number | null },
    o: { state: 'complete' | undefined; producer?: UnitMeta & { stageRunId: number } },
  ): number {
    const p = o.producer;
    const existing = this.sql(`SELECT id FROM files WHERE path = ?`).get(f.path) as { id: number } | undefined;
    if (!existing) {
      const r = this.sql(
        `INSERT INTO files (path, sha256, size, mtime_ms, level, product, version, state, pipeline, stage, unit, stage_run_id, run_id, created_at, updated_at, workspace)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        f.path,
        f.sha256,
        f.size,
        f.mtimeMs,
        f.level ?? null,
        f.product ?? null,
        p?.version ?? null,
        o.state ?? 'source',
        p?.pipeline ?? null,
        p?.stage ?? null,
        p?.unit ?? null,
        p?.stageRunId ?? null,
        p?.runId ?? null,
        now(),
        now(),
        p?.workspace ?? null,
      );
      return Number(r.lastInsertRowid);
    }
    if (p) {
      this.sql(
        `UPDATE files SET sha256 = ?, size = ?, mtime_ms = ?, level = ?, product = ?, version = ?, state = 'complete', pipeline = ?, stage = ?, unit = ?, stage_run_id = ?, run_id = ?, workspace = ?, updated_at = ? WHERE id = ?`,
      ).run(
        f.sha256,
        f.size,
        f.mtimeMs,
        f.level ?? null,
        f.product ?? null,
        p.version,
        p.pipeline,
        p.stage,
        p.unit,
        p.stageRunId,
        p.runId,
        p.workspace ?? null,
        now(),
        existing.id,
      );
    } else if (f.mtimeMs !== null) {
      this.sql(`UPDATE files SET sha256 = ?, size = ?, mtime_ms = ?, updated_at = ? WHERE id = ?`).run(
        f.sha256,
        f.size,
        f.mtimeMs,
        now(),
        existing.id,
      );
    }
    return existing.id;
  }

  // ---- events ------------------------------------------------------------------------------

  /** Appends an event row. */
  addEvent(e: {
    runId?: string;
    type: string;
    stage?: string;
    unit?: string;
    n?: number;
    total?: number;
    message?: string;
    data?: unknown;
    at?: number;
  }): void {
    this.write(() => {
      this.sql(
        `INSERT INTO events (run_id, at, type, stage, unit, n, total, message, data_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        e.runId ?? null,
        e.at ?? now(),
        e.type,
        e.stage ?? null,
        e.unit ?? null,
        e.n ?? null,
        e.total ?? null,
        e.message ?? null,
        e.data === undefined ? null : JSON.stringify(e.data),
      );
    });
  }
}

function stripMtime(o: CommittedOutput): FileRef {
  const { mtimeMs: _ignored, ...ref } = o;
  return ref;
}

function lockedError(run: RunRow): StagebookError {
  return new StagebookError(
    'E_RUN_LOCKED',
    `run ${run.id} of pipeline ${run.pipeline} is live (pid ${run.owner_pid} on ${run.owner_host}, lease until ${new Date(run.lease_expires_at ?? 0).toISOString()})`,
    { where: 'Ledger', runId: run.id, pid: run.owner_pid, host: run.owner_host },
  );
}

/** JSON form of any thrown value (StagebookError keeps code and context). */
export function errorJson(e: unknown): Record<string, unknown> {
  if (e instanceof StagebookError)
    return { ...e.toJSON(), cause: e.cause instanceof Error ? e.cause.message : undefined };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { message: String(e) };
}
