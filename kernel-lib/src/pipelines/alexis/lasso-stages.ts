/**
 * ALEXIS stage 4 steps 8-11 as engine stages (Ruffus semantics: each writes ALEXIS's named file in
 * the working directory; the engine's cache keys skip units whose inputs, parameters and version
 * are unchanged, and a parameter change re-runs that stage and whatever its changed files feed):
 *   resampled_img_df_v3.csv --gridsearch-normalize (split)--> ...gridsearch_{k}.v3_normalized_and_lowpass_resampled_data.json
 *   --lasso-fit (map)--> ...gridsearch_{k}.zoom_in_lasso_results_v3.json
 *   --lasso-collate (merge per dir)--> v3_LASSO_df.json, all_fits_distance_calculated_v4.json
 *   --fit-select (map)--> all_best_fits_w_lowpass_filter_v4.json, best_of_the_rest_fit_vote_w_lowpass_filter_v4.json
 */
import path from 'node:path';
import { z } from 'zod';
import { defineStage, type AnyStage } from '../../engine/stage';
import { readCandidateFile } from './candidate-files';
import {
  FILES,
  eventFitFileSchema,
  fitTableFileSchema,
  gridsearchFileSchema,
  lassoResultsFileSchema,
  readCatalogueFile,
  type FitRow,
} from './catalogue-files';
import { besideInput, byWorkingDir, extendProvenance } from './catalogue-provenance';
import { collateFits, fitGridsearch, gridsearchFiles, selectFits } from './lasso-steps';
import { resampledFlareData } from './resampled-input';
import type { LassoFitPayload } from './lasso-fit-task';
import { runInWorkers } from '../../numeric/parallel/pool';

const TASK = path.join(__dirname, 'lasso-fit-task.ts');

/** Stage versions (bump when what a stage writes changes; recorded in the ledger and in every row). */
export const LASSO_STAGE_VERSIONS = { 'gridsearch-normalize': 1, 'lasso-fit': 1, 'lasso-collate': 1, 'fit-select': 1 };

const lassoParams = z.strictObject({
  lambdaLog10From: z.number().default(-3).describe('log10 of the first lam (ALEXIS: logspace(-3, 1, 50))'),
  lambdaLog10To: z.number().default(1),
  lambdaCount: z.number().int().min(1).max(1000).default(50),
  threads: z
    .number()
    .int()
    .min(0)
    .max(64)
    .default(0)
    .describe(
      '0: fit on the engine thread; N: in a pool of N worker threads (with engine.concurrency >= N, N subsets at once)',
    ),
});
const selectParams = z.strictObject({
  coeffThreshold: z.number().min(0).max(1).default(0.1).describe('Clusters with a coefficient above it survive'),
});

/** The level of steps 8-16 (ALEXIS stage 4, as in the alexis pipeline's ladder): a pipeline of these stages alone uses this ladder. */
export const CATALOGUE_LEVELS: readonly string[] = ['L4'];

/** numpy.logspace(from, to, count). */
export function logspace(from: number, to: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => 10 ** (count === 1 ? from : from + ((to - from) * i) / (count - 1)));
}

/**
 * Steps 8-11; `after` names the stage that writes resampled_img_df_v3.csv (none: pipeline sources);
 * `versions` overrides stage versions (a reprocessing, tests).
 */
export function lassoStages(after?: string, versions: Partial<typeof LASSO_STAGE_VERSIONS> = {}): AnyStage[] {
  const V = { ...LASSO_STAGE_VERSIONS, ...versions };
  const normalize = defineStage<Record<string, never>>({
    name: 'gridsearch-normalize',
    version: V['gridsearch-normalize'],
    kind: 'split',
    level: 'L4',
    product: 'alexis-gridsearch',
    usesCore: false,
    after: after ? [after] : undefined,
    accepts: '**/resampled_img_df_v3.csv',
    params: z.strictObject({}) as never,
    description: 'Step 8: one file per cluster subset, every XRS/image pair, columns normalised and low-passed',
    async run(ctx) {
      const rows = readCandidateFile('resampledImg', ctx.input.path);
      const data = resampledFlareData(path.basename(path.dirname(ctx.input.path)), rows);
      const prov = extendProvenance(ctx, V['gridsearch-normalize']);
      for (const f of gridsearchFiles(data, prov))
        await ctx.writeJson(besideInput(ctx, ctx.input.path, FILES.gridsearch(f.gridsearch)), f);
    },
  });
  const fit = defineStage<z.output<typeof lassoParams>>({
    name: 'lasso-fit',
    version: V['lasso-fit'],
    kind: 'map',
    level: 'L4',
    product: 'alexis-lasso',
    after: ['gridsearch-normalize'],
    params: lassoParams,
    description: 'Step 9: the bounded LASSO over every box combination and lam of one cluster subset (wasm-core)',
    async run(ctx) {
      const file = readCatalogueFile(ctx.input.path, gridsearchFileSchema);
      const { lambdaLog10From: a, lambdaLog10To: b, lambdaCount: n } = ctx.params;
      // threads only decides where the work runs, never what it writes
      const lams = logspace(a, b, n);
      const rows =
        ctx.params.threads === 0
          ? fitGridsearch(file, lams)
          : (
              await runInWorkers<LassoFitPayload, FitRow[]>(
                TASK,
                'fitGridsearchFile',
                [{ file: ctx.input.path, lams }],
                {
                  threads: ctx.params.threads,
                },
              )
            )[0];
      await ctx.writeJson(besideInput(ctx, ctx.input.path, FILES.lassoOf(path.basename(ctx.input.path))), {
        workingDir: file.workingDir,
        gridsearch: file.gridsearch,
        rows,
        provenance: extendProvenance(ctx, V['lasso-fit'], [file.provenance]),
      });
    },
  });
  const collate = defineStage<Record<string, never>>({
    name: 'lasso-collate',
    version: V['lasso-collate'],
    kind: 'merge',
    level: 'L4',
    product: 'alexis-lasso-table',
    usesCore: false,
    after: ['lasso-fit'],
    groupBy: byWorkingDir,
    params: z.strictObject({}) as never,
    description: 'Step 10: every subset fit of a working directory, with the composite distance, best first',
    async run(ctx) {
      const files = ctx.inputs.map((f) => readCatalogueFile(f.path, lassoResultsFileSchema));
      const rows: FitRow[] = files.flatMap((f) => f.rows).sort((a, b) => a.gridsearch - b.gridsearch);
      const provenance = extendProvenance(
        ctx,
        V['lasso-collate'],
        files.map((f) => f.provenance),
      );
      const workingDir = files[0]?.workingDir ?? path.basename(ctx.unit);
      await ctx.writeJson(besideInput(ctx, ctx.input.path, FILES.lassoDf), { workingDir, rows, provenance });
      await ctx.writeJson(besideInput(ctx, ctx.input.path, FILES.distance), {
        workingDir,
        rows: collateFits(rows),
        provenance,
      });
    },
  });
  const select = defineStage<z.output<typeof selectParams>>({
    name: 'fit-select',
    version: V['fit-select'],
    kind: 'split', // two outputs
    level: 'L4',
    product: 'alexis-best-fit',
    usesCore: false,
    after: ['lasso-collate'],
    accepts: `**/${FILES.distance}`,
    params: selectParams,
    description: 'Step 11: per pair the clusters above the threshold, their agreement, the event fit',
    async run(ctx) {
      const table = readCatalogueFile(ctx.input.path, fitTableFileSchema);
      const { kept, event } = selectFits(table.rows, ctx.params.coeffThreshold);
      const provenance = extendProvenance(ctx, V['fit-select'], [table.provenance]);
      await ctx.writeJson(besideInput(ctx, ctx.input.path, FILES.bestFits), {
        workingDir: table.workingDir,
        rows: kept,
        provenance,
      });
      await ctx.writeJson(besideInput(ctx, ctx.input.path, FILES.eventFit), {
        workingDir: table.workingDir,
        fit: event,
        provenance,
      });
    },
  });
  return [normalize, fit, collate, select];
}

export { eventFitFileSchema };
