/**
 * One unit of one stage: cache check, execution through the run's executor (in this process or on
 * a BullMQ worker) with a captured log, atomic commit of outputs, or a recorded failure with a
 * `.err` marker. Whatever ran the stage code, this process records the unit: one fenced ledger
 * transaction renames the staged temps and registers them.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { StagebookConfig } from '../config/schema';
import type { Redactor } from '../config/secrets';
import { StagebookError, isStagebookError } from '../errors/stagebook-error';
import type { StagebookEvent } from '../events/emitter';
import { errorJson, type Lease, type Ledger } from '../ledger/ledger';
import type { FileRef } from '../ledger/types';
import { isResourceCode } from '../ledger/resource-errors';
import { UnitLog, type RunLogFile } from '../logging/unit-log';
import type { PathGuard } from '../workdirs/confine';
import { cacheKey, sha256File } from './cache-key';
import { discardOutputs, outputsStillValid, promoteOutputsSync, unitPath } from './context';
import type { StagedOutput, UnitExecutor, UnitHooks, UnitLogHandle, UnitOutcome } from './executor';
import type { Heartbeat } from './lease';
import type { Pipeline } from './pipeline';
import type { Unit } from './plan';
import type { RunResult } from './runner';
import type { AnyStage, SideInput } from './stage';
import { asStageError } from './stage-unit';
import { evaluateSideInputs, sideInputsError } from './unit-side-inputs';
import { allInside } from './workspace';

/** Shared state of a run, as seen by its units. */
export interface UnitEnv {
  runId: string;
  /** The held lease: every ledger write of a unit is fenced by it. */
  lease: Lease;
  /** Set when a fenced write found the lease taken over: the run ends `interrupted`. */
  leaseLost: boolean;
  /** Inputs of failed and blocked units (merge stages block only the groups these fall in). */
  failedInputs: FileRef[];
  pipeline: Pipeline;
  config: StagebookConfig;
  ledger: Ledger;
  guard: PathGuard;
  redactor: Redactor;
  emit(e: Omit<StagebookEvent, 'runId' | 'pipeline' | 'at'>): void;
  runLog: RunLogFile | undefined;
  heartbeat: Heartbeat;
  result: RunResult;
  pipelineOptions: Record<string, unknown>;
  onError: 'stop' | 'continue';
  force: boolean | string[];
  coreHash(): string;
  /** Runs the stage code of each unit (in this process, or on BullMQ workers). */
  executor: UnitExecutor;
  /** Set when the executor stopped waiting for units (run aborted, Redis unreachable): the run ends `interrupted`. */
  executorError?: StagebookError;
  /** Set after a failure under onError=stop: no new unit starts. */
  stopping: boolean;
  signal: AbortSignal;
}

function bump(result: RunResult, stage: string, outcome: string): void {
  result.counts[outcome] = (result.counts[outcome] ?? 0) + 1;
  const s = (result.stages[stage] ??= {});
  s[outcome] = (s[outcome] ?? 0) + 1;
}

/** Runs (or skips, or blocks) one unit; appends its outputs to `sink`. */
export async function executeUnit(
  env: UnitEnv,
  stage: AnyStage,
  params: unknown,
  unit: Unit,
  index: number,
  total: number,
  sink: FileRef[],
  forced?: 'blocked',
): Promise<void> {
  const { ledger, pipeline, config } = env;
  // side inputs are read before the cache decision (never for a blocked unit: its inputs may not exist)
  let sideInputs: SideInput[] | undefined;
  let sideError: StagebookError | undefined;
  if (stage.sideInputs && forced !== 'blocked') {
    try {
      sideInputs = await evaluateSideInputs(env, stage, params, unit);
    } catch (e) {
      sideError = sideInputsError(e, stage, unit);
    }
  }
  const key = cacheKey({
    stage: stage.name,
    version: stage.version,
    params,
    inputs: unit.inputs.map((f) => ({ path: unitPath(config.root, f.path), sha256: f.sha256 })),
    coreHash: stage.usesCore === false ? null : env.coreHash(),
    ...(sideInputs ? { sideInputs } : {}),
  });
  const base = {
    runId: env.runId,
    pipeline: pipeline.name,
    stage: stage.name,
    unit: unit.key,
    stageVersion: stage.version,
    params,
    cacheKey: key,
    inputs: unit.inputs,
    workspace: config.root,
    ...(sideInputs ? { sideInputs } : {}),
  };
  const ev = { stage: stage.name, unit: unit.key, n: index + 1, total };
  if (sideError) return failBeforeRun(env, stage, unit, base, ev, sideError);
  try {
    if (forced === 'blocked') {
      ledger.finishStageRun(
        ledger.startStageRun({ ...base, status: 'blocked' }, env.lease),
        { status: 'blocked' },
        env.lease,
      );
      env.failedInputs.push(...unit.inputs);
      bump(env.result, stage.name, 'blocked');
      env.emit({ type: 'stage-blocked', ...ev, status: 'blocked', message: 'an upstream unit failed' });
      return;
    }
    const isForced = env.force === true || (Array.isArray(env.force) && env.force.includes(stage.name));
    if (!isForced) {
      const cached = ledger.findCached(pipeline.name, stage.name, unit.key, key, config.root);
      // a hit needs this workspace's own files: inside its roots, present with the recorded hashes
      if (
        cached &&
        allInside(
          env.guard.roots,
          cached.outputs.map((o) => o.path),
        ) &&
        (await outputsStillValid(cached.outputs, config.engine.verifyOutputs))
      ) {
        ledger.recordCacheHit(base, cached, env.lease);
        sink.push(...cached.outputs);
        bump(env.result, stage.name, 'cached');
        env.emit({ type: 'stage-skipped-cached', ...ev, status: 'cached', outputs: cached.outputs.map((o) => o.path) });
        return;
      }
    }
  } catch (e) {
    if (!isStagebookError(e, 'E_LEASE_LOST')) throw e;
    leaseLost(env, e);
    return;
  }
  await runUnit(env, stage, params, unit, base, ev, sink);
}

/** Records a unit that failed before its stage code could run (its side inputs could not be read). */
function failBeforeRun(
  env: UnitEnv,
  stage: AnyStage,
  unit: Unit,
  base: Parameters<Ledger['startStageRun']>[0],
  ev: { stage: string; unit: string; n: number; total: number },
  err: StagebookError,
): void {
  const started = Date.now();
  let stageRunId: number;
  try {
    stageRunId = env.ledger.startStageRun(base, env.lease);
  } catch (e) {
    if (!isStagebookError(e, 'E_LEASE_LOST')) throw e;
    return leaseLost(env, e);
  }
  const where = `${stage.name} ${unit.key}`;
  const log = new UnitLog(env.config.logDir, stage.name, unit.key, env.redactor, (level, message) => {
    env.runLog?.write(level, message, where);
    env.emit({ type: 'log', stage: stage.name, unit: unit.key, level, message });
  });
  log.error(`${err.code}: ${err.message}`);
  recordFailure(env, stage, unit, stageRunId, err, ev, started, { log, attempts: 0 });
}

/** This run was taken over: record nothing more (the new owner owns the rows and files), stop. */
function leaseLost(env: UnitEnv, e: StagebookError): void {
  env.leaseLost = true;
  env.stopping = true;
  env.emit({ type: 'log', level: 'error', message: e.message });
}

async function runUnit(
  env: UnitEnv,
  stage: AnyStage,
  params: unknown,
  unit: Unit,
  base: Parameters<Ledger['startStageRun']>[0],
  ev: { stage: string; unit: string; n: number; total: number },
  sink: FileRef[],
): Promise<void> {
  const { ledger, config } = env;
  const started = Date.now();
  let stageRunId: number;
  try {
    stageRunId = ledger.startStageRun(base, env.lease);
  } catch (e) {
    if (!isStagebookError(e, 'E_LEASE_LOST')) throw e;
    return leaseLost(env, e);
  }
  const where = `${stage.name} ${unit.key}`;
  const task = { runId: env.runId, stageRunId, stage, params, unit, cacheKey: base.cacheKey, index: ev.n - 1 };
  let outcome: UnitOutcome;
  try {
    outcome = await env.executor.run({ ...task, total: ev.total }, unitHooks(env, ev, where));
  } catch (e) {
    // the run stopped waiting (abort, Redis gone): the row stays `running`, the run's end marks it
    // `interrupted`, and the job stays in Redis for `stagebook resume` to reattach to
    if (!isStagebookError(e, 'E_ABORTED') && !isStagebookError(e, 'E_EXECUTOR')) throw e;
    env.stopping = true;
    env.executorError ??= e;
    return;
  }
  if (!outcome.ok) return recordFailure(env, stage, unit, stageRunId, outcome.error, ev, started, outcome);
  const pending = outcome.outputs.map((o) => ({
    finalPath: o.path,
    tmpPath: o.tmpPath,
    level: o.level ?? stage.level,
    product: o.product,
  }));
  try {
    const outputs = outcome.outputs.map(({ tmpPath: _t, ...o }) => o);
    // another process wrote these temps: take them only as it reported them (present, same size and hash)
    if (env.executor.remote) await verifyStaged(stage, outcome.outputs, config.engine.verifyOutputs);
    const meta = {
      runId: env.runId,
      pipeline: env.pipeline.name,
      stage: stage.name,
      unit: unit.key,
      version: stage.version,
      workspace: config.root,
    };
    // fenced: lease check, renames and registration in one transaction (issue 11 item 5)
    ledger.commitOutputs(stageRunId, meta, unit.inputs, outputs, outcome.log.text(), {
      lease: env.lease,
      promote: () => promoteOutputsSync(pending),
    });
    outcome.log.clearFailed();
    const refs = outputs.map(({ mtimeMs: _m, ...r }) => r);
    sink.push(...refs);
    bump(env.result, stage.name, 'succeeded');
    env.emit({
      type: 'stage-finished',
      ...ev,
      status: 'succeeded',
      durationMs: Date.now() - started,
      outputs: refs.map((r) => r.path),
      ...workerFields(outcome),
    });
  } catch (e) {
    await discardOutputs(pending);
    if (isStagebookError(e, 'E_LEASE_LOST')) return leaseLost(env, e);
    const outDir = pending[0] ? path.dirname(pending[0].finalPath) : config.root;
    const err = asStageError(e, stage, unit, outDir);
    outcome.log.error(`${err.code}: ${err.message}`);
    recordFailure(env, stage, unit, stageRunId, err, ev, started, outcome);
  }
}

/** The engine events of a running unit (log lines also go to the run log file). */
function unitHooks(
  env: UnitEnv,
  ev: { stage: string; unit: string; n: number; total: number },
  where: string,
): UnitHooks {
  const remote = env.executor.remote;
  return {
    started: (info) =>
      env.emit({
        type: 'stage-started',
        ...ev,
        status: 'running',
        ...(remote ? { worker: info.worker, attempt: info.attempt } : {}),
      }),
    progress: (n, total, message, worker) =>
      env.emit({ type: 'progress', stage: ev.stage, unit: ev.unit, n, total, message, ...(worker ? { worker } : {}) }),
    log: (level, message) => {
      env.runLog?.write(level, message, where);
      env.emit({ type: 'log', stage: ev.stage, unit: ev.unit, level, message });
    },
    retrying: (info) => {
      const message = `attempt ${info.attempt} failed on ${info.worker ?? 'a worker'} (${info.reason}); it runs again`;
      env.runLog?.write('warn', message, where);
      env.emit({
        type: 'unit-retrying',
        stage: ev.stage,
        unit: ev.unit,
        level: 'warn',
        message,
        worker: info.worker,
        attempt: info.attempt,
      });
    },
  };
}

/** Worker and attempt count of a remote outcome, for the unit's final event (absent in-process). */
function workerFields(o: { worker?: string; attempts: number }): { worker?: string; attempt?: number } {
  return o.worker === undefined ? {} : { worker: o.worker, attempt: o.attempts };
}

/** Checks temps another process staged: each present with the size (and hash, per policy) it reported. */
async function verifyStaged(stage: AnyStage, outputs: StagedOutput[], mode: 'hash' | 'size'): Promise<void> {
  for (const o of outputs) {
    let ok: boolean;
    try {
      const st = await fsp.stat(o.tmpPath);
      ok = st.size === o.size && (mode === 'size' || (await sha256File(o.tmpPath)) === o.sha256);
    } catch {
      ok = false;
    }
    if (!ok)
      throw new StagebookError(
        'E_STAGE_OUTPUT',
        `stage ${stage.name}: the staged output ${o.tmpPath} (for ${o.path}) is missing or differs from what its worker reported`,
        { where: `stage ${stage.name}`, file: o.path },
      );
  }
}

function recordFailure(
  env: UnitEnv,
  stage: AnyStage,
  unit: Unit,
  stageRunId: number,
  err: StagebookError,
  ev: { stage: string; unit: string; n: number; total: number },
  started: number,
  outcome: { log: UnitLogHandle; worker?: string; attempts: number },
): void {
  const { log } = outcome;
  const json = errorJson(err);
  try {
    env.ledger.finishStageRun(stageRunId, { status: 'failed', error: err, log: log.text() }, env.lease);
  } catch (e) {
    if (!isStagebookError(e, 'E_LEASE_LOST')) throw e;
    return leaseLost(env, e);
  }
  log.markFailed(json);
  env.failedInputs.push(...unit.inputs);
  bump(env.result, stage.name, 'failed');
  const message = env.redactor.redact(err.message);
  env.result.failures.push({ stage: stage.name, unit: unit.key, code: err.code, message });
  env.emit({
    type: 'stage-failed',
    ...ev,
    status: 'failed',
    durationMs: Date.now() - started,
    error: { code: err.code, message },
    ...workerFields(outcome),
  });
  // a full disk or a read-only directory fails every next unit the same way: stop whatever onError says
  if (env.onError === 'stop' || isResourceCode(err.code)) env.stopping = true;
}
