/**
 * Runs a pipeline over a workspace: acquires the scope's lease, walks the stages in topological
 * order within the level range, skips units whose cache key matches a verified earlier result,
 * runs the rest with captured logs and atomic outputs, and records everything in the ledger.
 * `resumeRun` takes over a dead run (expired lease) and continues it: finished units are cache
 * hits, so work restarts at the first incomplete stage.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { YamlSource } from '../config/loader';
import type { StagebookConfig } from '../config/schema';
import { Redactor, resolveSecret } from '../config/secrets';
import { StagebookError } from '../errors/stagebook-error';
import { EventBus, stagebookEvents, type StagebookEvent } from '../events/emitter';
import { Ledger, type Lease } from '../ledger/ledger';
import type { FileRef, RunStatus } from '../ledger/types';
import { RunLogFile, type LogLevel } from '../logging/unit-log';
import { coreModuleHash } from '../numeric/wasm/core';
import { sweepTempFiles } from '../workdirs/atomic';
import { PathGuard } from '../workdirs/confine';
import { fileFacts } from './cache-key';
import { Heartbeat } from './lease';
import { levelIndex, levelRange } from './levels';
import type { Pipeline } from './pipeline';
import { buildUnits, discoverSources, runPool, validatePipelineOptions, validateStageParams, type Unit } from './plan';
import type { AnyStage } from './stage';
import { executeUnit, type UnitEnv } from './unit';
import type { UnitExecutor } from './executor';
import { openExecutor } from './open-executor';
import { resolveWorkspace } from './workspace';
import { resourceError } from '../ledger/resource-errors';

/** Options of a run (everything but `events`, `signal`, `logFile`, `source` is stored for resume). */
export interface RunOptions {
  /** Run stages from this level (lower stages' results are taken from the ledger). */
  startLevel?: string;
  /** Run stages up to this level. */
  endLevel?: string;
  /** Glob on source inputs (relative to inputs.dir; base name when it has no `/`). */
  filter?: string;
  /** Explicit source files instead of the config's glob. */
  inputFiles?: string[];
  /** Overrides the config's engine.onError. */
  onError?: 'stop' | 'continue';
  /** Re-run even when cached: `true` for every stage, or a list of stage names. */
  force?: boolean | string[];
  /** Delete the outputs of the stages in the level range before running. */
  clean?: boolean;
  /** Event emitter (default: the process-wide `stagebookEvents`). */
  events?: EventBus;
  /** Run log file and its threshold (default info). */
  logFile?: string;
  logLevel?: LogLevel;
  /** Aborting stops launching units; the run ends `interrupted`. */
  signal?: AbortSignal;
  /** The parsed config file, so parameter errors name file:line:col. */
  source?: YamlSource;
  /** WASM core hash override (default: coreModuleHash(), computed only if a stage uses the core). */
  coreHash?: string;
  /** Absolute path of the module the pipeline was loaded from (stored, so `resume` can load it again). */
  pipelineModule?: string;
}

/** What a run returns. */
export interface RunResult {
  runId: string;
  pipeline: string;
  status: RunStatus;
  /** Units per outcome over the run (`frozen`: outputs taken from the ledger below the start level). */
  counts: Record<string, number>;
  /** Units per outcome per stage. */
  stages: Record<string, Record<string, number>>;
  /** Outputs of the last stage that ran. */
  outputs: FileRef[];
  failures: { stage: string; unit: string; code: string; message: string }[];
  resumed: boolean;
}

type StoredOptions = Pick<
  RunOptions,
  'startLevel' | 'endLevel' | 'filter' | 'inputFiles' | 'onError' | 'force' | 'clean' | 'pipelineModule'
>;

/** Runs `pipeline` with `config`. Never throws for stage failures (see `status`/`failures`). */
export async function runPipeline(
  pipeline: Pipeline,
  typedConfig: StagebookConfig,
  options: RunOptions = {},
): Promise<RunResult> {
  levelRange(pipeline.levels, options.startLevel, options.endLevel);
  const config = resolveWorkspace(typedConfig);
  const ledger = Ledger.open(config.ledger, { busyTimeoutMs: config.engine.busyTimeoutMs });
  try {
    const stored: StoredOptions = {
      startLevel: options.startLevel,
      endLevel: options.endLevel,
      filter: options.filter,
      inputFiles: options.inputFiles?.map((f) => path.resolve(f)),
      onError: options.onError,
      force: options.force,
      clean: options.clean,
      pipelineModule: options.pipelineModule,
    };
    const lease = ledger.createRun({
      pipeline: pipeline.name,
      scope: scopeOf(pipeline, config),
      options: stored as Record<string, unknown>,
      configFile: config.configFile,
      leaseMs: config.engine.lease.timeoutMs,
    });
    return await execute(pipeline, config, ledger, lease, { ...options, ...stored }, false);
  } finally {
    ledger.close();
  }
}

/** Resumes run `runId` (its owner must be dead or finished): same options, same run id. */
export async function resumeRun(
  pipeline: Pipeline,
  typedConfig: StagebookConfig,
  runId: string,
  options: Pick<RunOptions, 'events' | 'logFile' | 'logLevel' | 'signal' | 'source' | 'coreHash'> = {},
): Promise<RunResult> {
  const config = resolveWorkspace(typedConfig);
  const ledger = Ledger.open(config.ledger, { busyTimeoutMs: config.engine.busyTimeoutMs });
  try {
    const run = ledger.getRun(runId);
    if (run.pipeline !== pipeline.name)
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `resumeRun: run ${runId} belongs to pipeline ${run.pipeline}, not ${pipeline.name}`,
        { where: 'resumeRun', field: 'runId' },
      );
    const stored = JSON.parse(run.options_json) as StoredOptions;
    if (run.scope !== scopeOf(pipeline, config)) {
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `resumeRun: run ${runId} ran in workspace scope ${run.scope}, not ${scopeOf(pipeline, config)} (resume it with its own config)`,
        { where: 'resumeRun', field: 'config' },
      );
    }
    const lease = ledger.takeOverRun(runId, config.engine.lease.timeoutMs);
    // force and clean applied to the first attempt; re-applying them would redo finished units
    return await execute(pipeline, config, ledger, lease, { ...options, ...stored, force: false, clean: false }, true);
  } finally {
    ledger.close();
  }
}

/** Lease scope: one live run per pipeline per workspace (the real path of its root). */
export function scopeOf(pipeline: Pipeline, config: StagebookConfig): string {
  return `${pipeline.name}@${resolveWorkspace(config).root}`;
}

async function execute(
  pipeline: Pipeline,
  config: StagebookConfig,
  ledger: Ledger,
  lease: Lease,
  options: RunOptions,
  resumed: boolean,
): Promise<RunResult> {
  const events = options.events ?? stagebookEvents;
  const redactor = new Redactor();
  const emit = makeEmitter(events, ledger, lease.runId, pipeline.name, redactor);
  const heartbeat = new Heartbeat(ledger.file, lease, config.engine.lease, config.engine.busyTimeoutMs);
  heartbeat.start();
  const result: RunResult = {
    runId: lease.runId,
    pipeline: pipeline.name,
    status: 'running',
    counts: {},
    stages: {},
    outputs: [],
    failures: [],
    resumed,
  };
  let runError: unknown;
  let env: UnitEnv | undefined;
  try {
    for (const envVar of Object.values(config.secrets)) if (process.env[envVar]) redactor.add(resolveSecret(envVar));
    const params = validateStageParams(pipeline, config, options.source);
    const pipelineOptions = validatePipelineOptions(pipeline, config, options.source);
    const guard = new PathGuard(config.writeRoots);
    sweepTempFiles(config.root);
    emit({ type: 'run-started', message: resumed ? `resuming run ${lease.runId}` : `run ${lease.runId}` });
    const runLog = options.logFile ? new RunLogFile(options.logFile, options.logLevel ?? 'info', redactor) : undefined;
    env = {
      pipeline,
      config,
      ledger,
      guard,
      redactor,
      emit,
      runLog,
      heartbeat,
      result,
      pipelineOptions,
      lease,
      leaseLost: false,
      failedInputs: [],
      runId: lease.runId,
      onError: options.onError ?? config.engine.onError,
      force: options.force ?? false,
      coreHash: lazyCoreHash(options.coreHash),
      stopping: false,
      signal: combineSignals(options.signal, heartbeat.signal),
      executor: undefined as unknown as UnitExecutor, // set right below (it needs the run's signal)
    };
    env.executor = await openExecutor({
      pipeline: pipeline.name,
      pipelineModule: options.pipelineModule,
      config,
      guard,
      redactor,
      pipelineOptions,
      signal: env.signal,
    });
    if (options.clean) await cleanOutputs(env, options);
    await walkStages(env, params, options);
    result.status =
      options.signal?.aborted || heartbeat.lost || env.leaseLost || env.executorError
        ? 'interrupted'
        : statusFromUnits(result.counts);
    // Redis gone for longer than the policy: the run ends interrupted (resumable) and says why
    if (env.executorError?.code === 'E_EXECUTOR') runError = env.executorError;
  } catch (e) {
    runError = resourceError(e, `run ${lease.runId}`, config.ledger) ?? e;
    result.status = 'failed';
  } finally {
    heartbeat.stop();
    await env?.executor?.close();
  }
  try {
    ledger.finishRun(lease, result.status, runError);
    emit({
      type: 'run-finished',
      status: result.status,
      message: runError instanceof Error ? redactor.redact(runError.message) : undefined,
    });
  } catch (e) {
    // the ledger cannot record the end (disk full, ledger locked): the run stays `running` with
    // this (soon dead) pid, which `status` shows as stale and `resume` continues
    runError ??= resourceError(e, `run ${lease.runId}: finishing`, config.ledger) ?? e;
  }
  if (runError) throw runError;
  return result;
}

/**
 * The status of a finished run from its unit outcomes: `succeeded` when no unit failed or was
 * blocked; otherwise `partial` when some unit succeeded or was a cache hit, `failed` when none did.
 * A run with failures is never `succeeded` (issue 22 item 4).
 */
export function statusFromUnits(counts: Readonly<Record<string, number>>): 'succeeded' | 'partial' | 'failed' {
  const bad = (counts.failed ?? 0) + (counts.blocked ?? 0);
  if (bad === 0) return 'succeeded';
  return (counts.succeeded ?? 0) + (counts.cached ?? 0) > 0 ? 'partial' : 'failed';
}

async function walkStages(env: UnitEnv, params: Map<string, unknown>, options: RunOptions): Promise<void> {
  const { pipeline, config, ledger } = env;
  const range = levelRange(pipeline.levels, options.startLevel, options.endLevel);
  const produced = new Map<string, { outputs: FileRef[]; complete: boolean }>();
  for (const stage of pipeline.order) {
    const li = levelIndex(pipeline.levels, stage.level);
    if (li > range.end) continue;
    if (li < range.start) {
      const outs = ledger.latestOutputs(pipeline.name, stage.name, config.root).flatMap((u) => u.outputs);
      produced.set(stage.name, { outputs: outs, complete: true });
      bump(env.result, stage.name, 'frozen', outs.length);
      continue;
    }
    const upstream = stage.after ?? [];
    let inputs: FileRef[];
    let complete = true;
    if (upstream.length === 0) inputs = await sourceRefs(env, options);
    else {
      inputs = [];
      for (const u of upstream) {
        const p = produced.get(u);
        if (!p)
          throw new StagebookError(
            'E_NO_INPUTS',
            `stage ${stage.name}: upstream ${u} is above the end level ${options.endLevel}`,
            { where: `stage ${stage.name}` },
          );
        if (p.outputs.length === 0 && li === range.start && range.start > 0) {
          throw new StagebookError(
            'E_NO_INPUTS',
            `stage ${stage.name}: the ledger has no outputs of ${u} (level below ${pipeline.levels[range.start]}); run from a lower start level first`,
            { where: `stage ${stage.name}` },
          );
        }
        inputs.push(...p.outputs);
        complete &&= p.complete;
      }
    }
    const units = buildUnits(stage, inputs, config.root);
    // outputs are collected per unit and joined in unit order, not completion order: with units
    // in flight at once (engine.concurrency, BullMQ workers) the next stage's inputs, and so a merge
    // stage's input order and its ledger record, must not depend on which unit finished first
    const perUnit: FileRef[][] = units.map(() => []);
    const before = env.result.failures.length;
    // a merge group waits only for what it depends on: the groups a failed unit's files fall in
    const blocked =
      stage.kind === 'merge' && !complete
        ? blockedGroups(stage, units, env.failedInputs, config.root)
        : new Set<string>();
    for (const [i, u] of units.entries())
      if (blocked.has(u.key))
        await executeUnit(env, stage, params.get(stage.name), u, i, units.length, perUnit[i], 'blocked');
    const open = units.filter((u) => !blocked.has(u.key));
    await runPool(
      open,
      env.executor.slots,
      (u) => {
        const i = units.indexOf(u);
        return executeUnit(env, stage, params.get(stage.name), u, i, units.length, perUnit[i]);
      },
      () => env.stopping || env.signal.aborted,
    );
    const stageOut = perUnit.flat();
    const stageComplete = complete && env.result.failures.length === before && blocked.size === 0;
    produced.set(stage.name, { outputs: stageOut, complete: stageComplete });
    env.result.outputs = stageOut;
    if (env.stopping || env.signal.aborted) break;
  }
}

/**
 * Groups of a merge stage that depend on a failure upstream: the group key of every file a failed
 * (or blocked) unit read, and of every file those were derived from in this run. Without `groupBy`
 * there is one group, which every failure blocks. A key no current group has blocks nothing: that
 * dataset has no files at this stage at all.
 */
export function blockedGroups(
  stage: AnyStage,
  units: readonly Unit[],
  failedInputs: readonly FileRef[],
  root: string,
): Set<string> {
  if (!stage.groupBy) return new Set(units.map((u) => u.key));
  const keys = new Set(units.map((u) => u.key));
  const out = new Set<string>();
  for (const f of failedInputs) {
    let key: string;
    try {
      key = stage.groupBy(f, root);
    } catch {
      return keys; // cannot tell which group the failure belongs to: block them all (safe)
    }
    if (keys.has(key)) out.add(key);
  }
  return out;
}

async function sourceRefs(env: UnitEnv, options: RunOptions): Promise<FileRef[]> {
  const files = discoverSources(env.config, options.inputFiles, options.filter);
  if (files.length === 0) {
    throw new StagebookError(
      'E_NO_INPUTS',
      `run ${env.pipeline.name}: no inputs match ${options.inputFiles ? 'the input file list' : `${env.config.inputs.dir}/${env.config.inputs.pattern}`}${options.filter ? ` with filter ${options.filter}` : ''}`,
      { where: 'runPipeline', field: 'inputs' },
    );
  }
  const refs: FileRef[] = [];
  for (const f of files) {
    const st = await fsp.stat(f);
    const sha256 = env.ledger.knownHash(f, st.size, st.mtimeMs) ?? (await fileFacts(f)).sha256;
    env.ledger.registerSource({ path: f, sha256, size: st.size, mtimeMs: st.mtimeMs });
    refs.push({ path: f, sha256, size: st.size });
  }
  return refs;
}

async function cleanOutputs(env: UnitEnv, options: RunOptions): Promise<void> {
  const range = levelRange(env.pipeline.levels, options.startLevel, options.endLevel);
  const stages = env.pipeline.order.filter((s) => {
    const li = levelIndex(env.pipeline.levels, s.level);
    return li >= range.start && li <= range.end;
  });
  const files = env.ledger.filesOfStages(
    env.pipeline.name,
    stages.map((s) => s.name),
    env.config.root,
  );
  for (const f of files) await fsp.rm(env.guard.resolve(f.path, 'clean'), { force: true });
  env.ledger.markDeleted(files.map((f) => f.path));
  env.emit({
    type: 'log',
    level: 'info',
    message: `clean: removed ${files.length} output file(s) of ${stages.map((s) => s.name).join(', ')}`,
  });
}

/** Adds `n` to a stage/outcome counter of the result. */
export function bump(result: RunResult, stage: string, outcome: string, n = 1): void {
  result.counts[outcome] = (result.counts[outcome] ?? 0) + n;
  const s = (result.stages[stage] ??= {});
  s[outcome] = (s[outcome] ?? 0) + n;
}

function makeEmitter(
  events: EventBus,
  ledger: Ledger,
  runId: string,
  pipeline: string,
  redactor: Redactor,
): (e: Omit<StagebookEvent, 'runId' | 'pipeline' | 'at'>) => void {
  return (partial) => {
    const e: StagebookEvent = { ...partial, runId, pipeline, at: Date.now() };
    if (e.message) e.message = redactor.redact(e.message);
    if (e.type !== 'progress' && e.type !== 'log') {
      ledger.addEvent({
        runId,
        type: e.type,
        stage: e.stage,
        unit: e.unit,
        n: e.n,
        total: e.total,
        message: e.message,
        at: e.at,
        data:
          e.error || e.status || e.worker
            ? { error: e.error, status: e.status, worker: e.worker, attempt: e.attempt }
            : undefined,
      });
    }
    events.emit(e);
  };
}

function lazyCoreHash(override: string | undefined): () => string {
  let cached: string | undefined = override;
  return () => {
    cached ??= coreModuleHash();
    return cached;
  };
}

function combineSignals(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  if (!a) return b;
  const c = new AbortController();
  const abort = (): void => c.abort();
  if (a.aborted || b.aborted) c.abort();
  a.addEventListener('abort', abort, { once: true });
  b.addEventListener('abort', abort, { once: true });
  return c.signal;
}
