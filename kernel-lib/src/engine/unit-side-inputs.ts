/**
 * A stage's `sideInputs` hook (stage.ts) for one unit, run by the control process before the cache
 * decision: its entries are checked (a label once, a sha256 of 64 hex digits) and any failure
 * becomes the unit's E_STAGE_SIDE_INPUTS naming stage and unit (unit.ts records it as failed).
 */
import { z } from 'zod';
import { StagebookError } from '../errors/stagebook-error';
import type { FileRef } from '../ledger/types';
import type { Unit } from './plan';
import type { AnyStage, SideInput } from './stage';

/** What the hook sees of the run (unit.ts passes its UnitEnv). */
export interface SideInputEnv {
  runId: string;
  pipeline: { name: string };
  config: { root: string };
  pipelineOptions: Record<string, unknown>;
  signal: AbortSignal;
}

/** What a hook may return: labels and sha256 digests. */
const sideInputsSchema = z.array(
  z.strictObject({ path: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hex digits') }),
);

/** Runs a stage's `sideInputs` hook for a unit and checks what it returned. */
export async function evaluateSideInputs(
  env: SideInputEnv,
  stage: AnyStage,
  params: unknown,
  unit: Unit,
): Promise<SideInput[]> {
  const hook = stage.sideInputs as NonNullable<AnyStage['sideInputs']>;
  const got: unknown = await hook({
    runId: env.runId,
    pipeline: env.pipeline.name,
    stage: stage.name,
    unit: unit.key,
    params,
    inputs: unit.inputs,
    input: unit.inputs[0] as FileRef,
    root: env.config.root,
    options: env.pipelineOptions,
    signal: env.signal,
  });
  const parsed = sideInputsSchema.safeParse(got);
  if (!parsed.success)
    throw new StagebookError('E_STAGE_SIDE_INPUTS', `returned ${z.prettifyError(parsed.error)}`, {
      where: `stage ${stage.name}`,
    });
  const seen = new Set<string>();
  for (const s of parsed.data) {
    if (seen.has(s.path))
      throw new StagebookError('E_STAGE_SIDE_INPUTS', `returned the label ${s.path} twice`, { where: stage.name });
    seen.add(s.path);
  }
  return parsed.data;
}

/** The unit's failure for a throwing / malformed hook: names stage and unit, keeps the cause. */
export function sideInputsError(e: unknown, stage: AnyStage, unit: Unit): StagebookError {
  const why = e instanceof Error ? e.message : String(e);
  return new StagebookError(
    'E_STAGE_SIDE_INPUTS',
    `stage ${stage.name}, unit ${unit.key}: its sideInputs hook failed: ${why}`,
    { where: `stage ${stage.name}`, stage: stage.name, unit: unit.key },
    { cause: e },
  );
}
