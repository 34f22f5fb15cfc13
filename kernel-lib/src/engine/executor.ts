/**
 * Where a unit's stage code runs. The control node (the process holding the run's lease) plans,
 * checks the cache, records every unit in the ledger and commits outputs; an executor only runs the
 * stage code and hands back staged outputs (temps, hashed) or an error:
 * - `in-process` runs it here (today's behaviour: `engine.concurrency` units at once);
 * - `bullmq` submits a job to Redis and waits for a `stagebook worker` to run it (bullmq/).
 * Both hand back the same `UnitOutcome`, and the control node commits both the same way (one
 * fenced transaction renames the temps and registers them), so a pipeline leaves identical outputs
 * and ledger records whichever executor ran it.
 */
import type { StagebookError } from '../errors/stagebook-error';
import type { CommittedOutput } from '../ledger/types';
import type { LogLevel } from '../logging/unit-log';
import type { Unit } from './plan';
import type { AnyStage } from './stage';

/** One unit to run: everything the stage code needs, with its ledger identity. */
export interface UnitTask {
  runId: string;
  /** The ledger row of this attempt (the control node's). */
  stageRunId: number;
  stage: AnyStage;
  params: unknown;
  unit: Unit;
  cacheKey: string;
  /** Position of the unit in its stage (progress: n of total). */
  index: number;
  total: number;
}

/** An output written under its temp name, hashed, not yet renamed (the commit renames it). */
export type StagedOutput = CommittedOutput & { tmpPath: string };

/** The captured log of a unit, as the control node needs it to record the outcome. */
export interface UnitLogHandle {
  text(): string;
  error(message: string): void;
  /** Writes the unit's `.err` marker. */
  markFailed(error: Record<string, unknown>): void;
  /** Removes a `.err` marker of an earlier failure. */
  clearFailed(): void;
}

/** How the stage code ended (after the executor's retries). */
export type UnitOutcome =
  | { ok: true; outputs: StagedOutput[]; log: UnitLogHandle; worker?: string; attempts: number }
  | { ok: false; error: StagebookError; log: UnitLogHandle; worker?: string; attempts: number };

/** What an executor reports while a unit runs (relayed as the usual engine events). */
export interface UnitHooks {
  /** The stage code started (in-process: at once; bullmq: when a worker took the job). */
  started(info: { worker?: string; attempt: number }): void;
  /** `worker`: the BullMQ worker running the unit (absent in-process). */
  progress(n: number, total: number, message?: string, worker?: string): void;
  log(level: LogLevel, message: string): void;
  /** An attempt failed or stalled and the unit will run again. */
  retrying(info: { worker?: string; attempt: number; reason: string }): void;
}

/** Runs units; one per run (opened by the runner, closed when the run ends). */
export interface UnitExecutor {
  readonly kind: 'in-process' | 'bullmq';
  /** Units of one stage in flight at once. */
  readonly slots: number;
  /**
   * Whether staged outputs were written by another process: the control node then re-checks each
   * temp (present, same size and hash) before committing it.
   */
  readonly remote: boolean;
  run(task: UnitTask, hooks: UnitHooks): Promise<UnitOutcome>;
  /** Queue depths and workers, for `stagebook status` (in-process: nothing). */
  close(): Promise<void>;
}
