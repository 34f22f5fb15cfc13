/**
 * Runs one unit's stage code, wherever it runs (the in-process executor, a `stagebook worker`):
 * captured log, stage context with confined outputs, `run`, output count check, temps hashed.
 * Nothing is renamed or recorded here: the control node commits the staged outputs in its fenced
 * ledger transaction (unit.ts), so a process killed here leaves only temps, never a result.
 */
import path from 'node:path';
import type { Redactor } from '../config/secrets';
import { StagebookError } from '../errors/stagebook-error';
import { resourceError } from '../ledger/resource-errors';
import { UnitLog, type LogLevel } from '../logging/unit-log';
import type { PathGuard } from '../workdirs/confine';
import { checkOutputCount, createStageContext, discardOutputs, prepareOutputs } from './context';
import type { StagedOutput } from './executor';
import type { Unit } from './plan';
import type { AnyStage } from './stage';

/** What the stage code needs (plain values: a worker rebuilds them from a job). */
export interface StageCodeDeps {
  runId: string;
  pipeline: string;
  stage: AnyStage;
  params: unknown;
  unit: Unit;
  root: string;
  logDir: string;
  secrets: Record<string, string>;
  guard: PathGuard;
  options: Record<string, unknown>;
  redactor: Redactor;
  signal: AbortSignal;
  onLog(level: LogLevel, message: string): void;
  onProgress(n: number, total: number, message?: string): void;
}

/** The stage code's result; a failure is already in the log (one `ERROR code: message` line). */
export type StageCodeResult =
  { ok: true; outputs: StagedOutput[]; log: UnitLog } | { ok: false; error: StagebookError; log: UnitLog };

/** Runs the stage code of one unit; never throws for a failure of the stage itself. */
export async function runStageCode(d: StageCodeDeps): Promise<StageCodeResult> {
  const log = new UnitLog(d.logDir, d.stage.name, d.unit.key, d.redactor, d.onLog);
  const { ctx, pending } = createStageContext({
    runId: d.runId,
    pipeline: d.pipeline,
    stage: d.stage,
    unit: d.unit.key,
    params: d.params,
    inputs: d.unit.inputs,
    root: d.root,
    guard: d.guard,
    options: d.options,
    log,
    signal: d.signal,
    secrets: d.secrets,
    onProgress: d.onProgress,
  });
  try {
    await d.stage.run(ctx);
    checkOutputCount(d.stage, pending);
    const prepared = await prepareOutputs(d.stage, pending);
    return { ok: true, outputs: prepared.map((o, i) => ({ ...o, tmpPath: pending[i].tmpPath })), log };
  } catch (e) {
    await discardOutputs(pending);
    // a write error without a path (ENOSPC from write(2)) is reported against the unit's output directory
    const outDir = pending[0] ? path.dirname(pending[0].finalPath) : d.root;
    const error = asStageError(e, d.stage, d.unit, outDir);
    log.error(`${error.code}: ${error.message}`);
    return { ok: false, error, log };
  }
}

/** A thrown value as the StagebookError recorded for the unit (resource faults keep their codes). */
export function asStageError(e: unknown, stage: AnyStage, unit: Unit, outDir: string): StagebookError {
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
