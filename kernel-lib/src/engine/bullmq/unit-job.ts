/**
 * The wire format between the control node and `stagebook worker`: a unit job (what to run), its
 * result (staged outputs + log), the progress messages a worker relays while it runs, and the
 * failure reason. Job data is validated with zod on the worker (a job written by another stagebook
 * version fails cleanly instead of running half-understood). No secret is ever in a job: secrets
 * travel as environment-variable NAMES and each worker reads its own environment.
 */
import { z } from 'zod';
import { sha256Text } from '../cache-key';
import { StagebookError, type StagebookErrorCode } from '../../errors/stagebook-error';

/** Version of the job format (a worker refuses jobs of another format). */
export const UNIT_JOB_FORMAT = 1;

const fileRefSchema = z.object({
  path: z.string(),
  sha256: z.string(),
  size: z.number(),
  level: z.string().nullish(),
  product: z.string().nullish(),
});

/** What a worker needs to run one unit with the same stage code as the control node. */
export const unitJobSchema = z.object({
  format: z.literal(UNIT_JOB_FORMAT),
  runId: z.string(),
  stageRunId: z.number().int(),
  /** Registered pipeline name, or the absolute path of the module exporting it. */
  pipeline: z.string(),
  pipelineModule: z.string().optional(),
  stage: z.string(),
  /** The stage version the control node planned with: a worker running other code refuses the job. */
  version: z.number().int(),
  unit: z.string(),
  inputs: z.array(fileRefSchema),
  params: z.unknown(),
  cacheKey: z.string(),
  index: z.number().int(),
  total: z.number().int(),
  workspace: z.object({
    root: z.string(),
    writeRoots: z.array(z.string()),
    logDir: z.string(),
    /** logical name -> environment variable NAME (never a value) */
    secrets: z.record(z.string(), z.string()),
  }),
  options: z.record(z.string(), z.unknown()),
});
export type UnitJob = z.output<typeof unitJobSchema>;

const stagedOutputSchema = fileRefSchema.extend({ tmpPath: z.string(), mtimeMs: z.number() });

/** A worker's result: the temps it staged (hashed) and the unit's log. */
export const unitResultSchema = z.object({
  format: z.literal(UNIT_JOB_FORMAT),
  worker: z.string(),
  attempt: z.number().int(),
  outputs: z.array(stagedOutputSchema),
  log: z.string(),
});
export type UnitResult = z.output<typeof unitResultSchema>;

/** Messages a worker relays through BullMQ's job progress while the unit runs. */
export type UnitRelay =
  | { k: 'started'; worker: string; attempt: number }
  | { k: 'progress'; n: number; total: number; message?: string }
  | { k: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { k: 'attempt-failed'; worker: string; attempt: number; reason: string };

/**
 * The job id of a unit: one per (run, stage, unit, cache key). Submitting a unit again (a resumed
 * run) finds the same job in Redis and reattaches to it instead of running the unit twice.
 */
export function unitJobId(runId: string, stage: string, unit: string, cacheKey: string): string {
  return `u-${sha256Text(`${runId}\n${stage}\n${unit}\n${cacheKey}`).slice(0, 40)}`;
}

/** The failure a worker reports (BullMQ keeps it as the job's failedReason). */
export interface UnitFailure {
  code: StagebookErrorCode;
  message: string;
  worker?: string;
  attempt?: number;
  log?: string;
}

/** BullMQ's reason for a job that stalled more often than maxStalledCount (its workers died). */
const STALLED_LIMIT = /stalled more than allowable limit/i;

export function encodeFailure(f: UnitFailure): string {
  return JSON.stringify({ stagebook: UNIT_JOB_FORMAT, ...f });
}

/** A job's failedReason as a unit failure (a reason BullMQ wrote itself gets a code of its own). */
export function decodeFailure(reason: string | undefined): UnitFailure {
  const text = reason ?? '';
  try {
    const j = JSON.parse(text) as Partial<UnitFailure> & { stagebook?: number };
    if (j && j.stagebook === UNIT_JOB_FORMAT && typeof j.code === 'string' && typeof j.message === 'string')
      return { code: j.code, message: j.message, worker: j.worker, attempt: j.attempt, log: j.log };
  } catch {
    // not ours: BullMQ's own reason
  }
  if (STALLED_LIMIT.test(text))
    return {
      code: 'E_WORKER_LOST',
      message: `the unit's worker was lost (killed or hung) more often than the stalled-job policy allows: ${text}`,
    };
  return { code: 'E_EXECUTOR', message: `the job failed outside the stage code: ${text || 'no reason given'}` };
}

/** The StagebookError of a decoded failure. */
export function failureError(f: UnitFailure, stage: string, unit: string): StagebookError {
  return new StagebookError(f.code, f.message, { where: `stage ${stage}`, stage, unit, worker: f.worker });
}
