/**
 * Provenance of the catalogue files: each file carries the chain of (stage, version, params, runId)
 * entries of the stages that produced it and its inputs, so a catalogue row names the reprocessing
 * it came from even when upstream stages were cache hits of an earlier run.
 */
import path from 'node:path';
import type { StageContext } from '../../engine/stage';
import type { Provenance } from './catalogue-files';

/** The inputs' chains merged (first occurrence of a stage wins, order kept) plus this stage's entry. */
export function extendProvenance(ctx: StageContext<unknown>, version: number, upstream: Provenance[] = []): Provenance {
  const seen = new Set<string>();
  const out: Provenance = [];
  for (const chain of upstream)
    for (const e of chain)
      if (!seen.has(e.stage)) {
        seen.add(e.stage);
        out.push(e);
      }
  return [
    ...out.filter((e) => e.stage !== ctx.stage),
    { stage: ctx.stage, version, params: ctx.params, runId: ctx.runId },
  ];
}

/** Path relative to the root of a file next to an input (same working directory). */
export function besideInput(ctx: StageContext<unknown>, inputPath: string, name: string): string {
  return path.join(path.relative(ctx.root, path.dirname(inputPath)), name);
}

/** merge stages: one unit per working directory. */
export const byWorkingDir = (f: { path: string }): string => path.dirname(f.path);
