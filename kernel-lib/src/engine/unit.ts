/**
 * One unit of one stage: cache check, execution with a captured log, atomic commit of outputs,
 * or a recorded failure with a `.err` marker.
 */
import path from 'node:path';
import type { StagebookConfig } from '../config/schema';
import type { Redactor } from '../config/secrets';
import { StagebookError, isStagebookError } from '../errors/stagebook-error';
import type { StagebookEvent } from '../events/emitter';
import { errorJson, type Lease, type Ledger } from '../ledger/ledger';
import type { FileRef } from '../ledger/types';
import { isResourceCode, resourceError } from '../ledger/resource-errors';
import { UnitLog, type RunLogFile } from '../logging/unit-log';
import type { PathGuard } from '../workdirs/confine';
import { cacheKey } from './cache-key';
import {
  checkOutputCount,
  createStageContext,
  discardOutputs,
  outputsStillValid,
  prepareOutputs,
  promoteOutputsSync,
  unitPath,
} from './context';
import type { Heartbeat } from './lease';
import type { Pipeline } from './pipeline';
import type { Unit } from './plan';
import type { RunResult } from './runner';
import type { AnyStage } from './stage';
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
  const key = cacheKey({
    stage: stage.name,
    version: stage.version,
    params,
    inputs: unit.inputs.map((f) => ({ path: unitPath(config.root, f.path), sha256: f.sha256 })),
    coreHash: stage.usesCore === false ? null : env.coreHash(),
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
  };
  const ev = { stage: stage.name, unit: unit.key, n: index + 1, total };
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
  env.emit({ type: 'stage-started', ...ev, status: 'running' });
  const where = `${stage.name} ${unit.key}`;
  const log = new UnitLog(config.logDir, stage.name, unit.key, env.redactor, (level, message) => {
    env.runLog?.write(level, message, where);
    env.emit({ type: 'log', stage: stage.name, unit: unit.key, level, message });
  });
  // each unit gets its own signal, linked to the run's only while it runs: listeners a stage adds
  // (one per unit) die with the unit instead of piling up on the run's signal
  // (MaxListenersExceededWarning past 10 units, issue 11 item 13)
  const unitSignal = new AbortController();
  const forward = (): void => unitSignal.abort();
  if (env.signal.aborted) unitSignal.abort();
  else env.signal.addEventListener('abort', forward, { once: true });
  const { ctx, pending } = createStageContext({
    runId: env.runId,
    pipeline: env.pipeline.name,
    stage,
    unit: unit.key,
    params,
    inputs: unit.inputs,
    root: config.root,
    guard: env.guard,
    options: env.pipelineOptions,
    log,
    signal: unitSignal.signal,
    secrets: config.secrets,
    onProgress: (n, total, message) =>
      env.emit({ type: 'progress', stage: stage.name, unit: unit.key, n, total, message }),
  });
  try {
    await stage.run(ctx);
    checkOutputCount(stage, pending);
    const outputs = await prepareOutputs(stage, pending);
    const meta = {
      runId: env.runId,
      pipeline: env.pipeline.name,
      stage: stage.name,
      unit: unit.key,
      version: stage.version,
      workspace: config.root,
    };
    // fenced: lease check, renames and registration in one transaction (issue 11 item 5)
    ledger.commitOutputs(stageRunId, meta, unit.inputs, outputs, log.text(), {
      lease: env.lease,
      promote: () => promoteOutputsSync(pending),
    });
    log.clearFailed();
    const refs = outputs.map(({ mtimeMs: _m, ...r }) => r);
    sink.push(...refs);
    bump(env.result, stage.name, 'succeeded');
    env.emit({
      type: 'stage-finished',
      ...ev,
      status: 'succeeded',
      durationMs: Date.now() - started,
      outputs: refs.map((r) => r.path),
    });
  } catch (e) {
    await discardOutputs(pending);
    if (isStagebookError(e, 'E_LEASE_LOST')) return leaseLost(env, e);
    // a write error without a path (ENOSPC from write(2)) is reported against the unit's output directory
    const outDir = pending[0] ? path.dirname(pending[0].finalPath) : config.root;
    recordFailure(env, stage, unit, stageRunId, log, asStageError(e, stage, unit, outDir), ev, started);
  } finally {
    env.signal.removeEventListener('abort', forward);
  }
}

function asStageError(e: unknown, stage: AnyStage, unit: Unit, outDir: string): StagebookError {
  if (e instanceof StagebookError && e.code !== 'E_STAGE_FAILED') return withUnit(e, stage, unit);
  const resource = resourceError(e, `stage ${stage.name} on ${unit.key}`, outDir);
  if (resource) return resource;
  if (e instanceof StagebookError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new StagebookError(
    'E_STAGE_FAILED',
    `stage ${stage.name} failed on ${unit.key}: ${msg}`,
    { where: `stage ${stage.name}`, stage: stage.name, unit: unit.key },
    { cause: e },
  );
}

/**
 * A stage's own error, with the unit and its input files named when the message does not say them
 * (a writer reporting garbage it was given names its output, not the input it came from).
 */
function withUnit(e: StagebookError, stage: AnyStage, unit: Unit): StagebookError {
  if (e.message.includes(unit.key) || unit.inputs.some((f) => e.message.includes(f.path))) return e;
  const inputs = unit.inputs.map((f) => f.path);
  const named =
    inputs.length <= 3 ? inputs.join(', ') : `${inputs.slice(0, 3).join(', ')} and ${inputs.length - 3} more`;
  return new StagebookError(
    e.code,
    `stage ${stage.name} on ${unit.key} (input ${named}): ${e.message}`,
    { ...e.context, stage: stage.name, unit: unit.key, inputs },
    { cause: e },
  );
}

function recordFailure(
  env: UnitEnv,
  stage: AnyStage,
  unit: Unit,
  stageRunId: number,
  log: UnitLog,
  err: StagebookError,
  ev: { stage: string; unit: string; n: number; total: number },
  started: number,
): void {
  log.error(`${err.code}: ${err.message}`);
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
  });
  // a full disk or a read-only directory fails every next unit the same way: stop whatever onError says
  if (env.onError === 'stop' || isResourceCode(err.code)) env.stopping = true;
}
