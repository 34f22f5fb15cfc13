/**
 * The `alexis` pipeline (ALEXIS's onboarding and stages 1-4) for the engine and the CLI:
 *   <config> --onboard (L0)--> data_products/onboarding.json (+ availability.db)
 *            --download (L1)--> data_products/download.json (+ flare_candidates/, image_data/)
 *            --initialize (L2)--> data_products/initialize.json (+ image_data_availability.db)
 *            --init-files (L3) ... resample-img (L4)--> per-flare files (candidate-stages.ts)
 * Stages 0-3 are one unit each (ALEXIS's scripts each run over everything); the work inside is
 * idempotent, so a rerun with new flares downloads and processes only what is new.
 * Archives: `options.archives` (JSOC, NCEI SXI, NOAA XRS, HEK URLs), or `options.localArchive` to
 * serve the simulated Sun on a fixed loopback port for the duration of each stage (fixed, so the
 * URLs in the catalogues stay valid between runs).
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { definePipeline } from '../../engine/pipeline';
import { registerPipeline } from '../../engine/registry';
import { defineStage } from '../../engine/stage';
import { StagebookError } from '../../errors/stagebook-error';
import { downloadFlareData, flareSchema } from './download';
import { initializeFiles } from './initialize';
import { onboardAlexis } from './onboarding';
import { ONBOARDING_SOURCES } from './catalogues';
import { alexisCandidateStages } from './candidate-stages';
import { flareStages } from './flare-stages';
import { lassoStages } from './lasso-stages';
import { alexisOptionsSchema, calibrationParams, calibrationTables, opts, withArchives } from './pipeline-options';

export { alexisOptionsSchema };

const onboardParams = z.strictObject({
  start: z.string().describe('First instant (UTC ISO)'),
  end: z.string().describe('End (exclusive, UTC ISO)'),
  aiaWindowHours: z.number().positive().default(4),
  sxiSatellites: z.array(z.number().int()).default([13, 14, 15]),
  xrsSatellites: z.array(z.number().int()).default([15]),
  sources: z.array(z.enum(ONBOARDING_SOURCES)).default([...ONBOARDING_SOURCES]),
});

export const alexisOnboardStage = defineStage<z.output<typeof onboardParams>>({
  name: 'onboard',
  version: 1,
  kind: 'merge',
  level: 'L0',
  product: 'alexis-onboarding',
  usesCore: false,
  params: onboardParams,
  description:
    'Builds the availability catalogues (AIA, SXI, GOES XRS, HEK flares, HARPs) over a date range, resumable',
  async run(ctx) {
    const o = opts(ctx);
    const r = await withArchives(o, (a) =>
      onboardAlexis(
        {
          ...ctx.params,
          catalogue: path.join(o.products, 'availability.db'),
          cacheDir: path.join(o.main, 'xrs_data'),
          jsocUrl: a.jsoc,
          sxiUrl: a.sxi,
          xrsUrl: a.xrs,
          hekUrl: a.hek,
          policy: o.policy,
        },
        (p) => ctx.progress(p.done, p.total, `${p.source} ${p.windowStart}${p.skipped ? ' (done earlier)' : ''}`),
      ),
    );
    await ctx.writeJson(path.join(o.dataProducts, 'onboarding.json'), r);
  },
});

const downloadParams = z.strictObject({
  flares: z.array(flareSchema).min(1).describe('Flares: [{class, time}]'),
  aiaMinutes: z.number().positive().default(20),
  sxiMinutes: z.number().positive().default(40),
  sxiDataLevel: z.string().default('BA'),
  connections: z.number().int().min(1).max(64).default(10),
});

export const alexisDownloadStage = defineStage<z.output<typeof downloadParams>>({
  name: 'download',
  version: 1,
  kind: 'merge',
  level: 'L1',
  product: 'alexis-download',
  usesCore: false,
  after: ['onboard'],
  params: downloadParams,
  description:
    'Per-flare working directories and downloads (AIA +-20 min, SXI BA +-40 min) into the content-addressed cache',
  async run(ctx) {
    const o = opts(ctx);
    const r = await withArchives(o, () =>
      downloadFlareData(
        { ...ctx.params, mainDataDir: o.main, catalogue: path.join(o.products, 'availability.db'), policy: o.policy },
        (s) => ctx.progress(s.filesDone, s.filesTotal, 'downloads'),
      ),
    );
    const summary = {
      urls: r.urls,
      downloaded: r.downloaded,
      fromCache: r.fromCache,
      missing: r.missing.map((m) => m.item.url),
      failed: r.failed.map((f) => ({ url: f.item.url, code: f.code, message: f.message })),
      flares: r.flares,
    };
    if (r.failed.length > 0)
      throw new StagebookError(
        'E_DOWNLOAD_FAILED',
        `download: ${r.failed.length} of ${r.urls} file(s) failed (first: ${r.failed[0].message}); rerun to retry them`,
        { where: 'alexis download', count: r.failed.length },
      );
    await ctx.writeJson(path.join(o.dataProducts, 'download.json'), summary);
  },
});

const initializeParams = z.strictObject({
  ...calibrationParams,
  concurrency: z.number().int().min(1).max(64).default(availableParallelism()),
  thresholdRel: z.number().gt(0).max(1).default(0.9),
  reprocess: z.boolean().default(false),
});

export const alexisInitializeStage = defineStage<z.output<typeof initializeParams>>({
  name: 'initialize',
  version: 1,
  kind: 'merge',
  level: 'L2',
  product: 'alexis-initialize',
  after: ['download'],
  params: initializeParams,
  description: 'Cleans every downloaded image, finds peaks and clusters, writes image_data_availability',
  async run(ctx) {
    const o = opts(ctx);
    const { degradationTable, effectiveAreaTable } = await calibrationTables(ctx, o, 'initialize');
    const r = await initializeFiles(
      {
        mainDataDir: o.main,
        database: path.join(o.products, 'image_data_availability.db'),
        degradationTable,
        effectiveAreaTable,
        concurrency: ctx.params.concurrency,
        thresholdRel: ctx.params.thresholdRel,
        reprocess: ctx.params.reprocess,
      },
      (p) => ctx.progress(p.done, p.total, `${p.instrument} QUALITY ${p.QUALITY}`),
    );
    await ctx.writeJson(path.join(o.dataProducts, 'initialize.json'), r);
  },
});

/** The pipeline (registered as `alexis`). */
export const alexisPipeline = definePipeline({
  name: 'alexis',
  description:
    'ALEXIS: onboarding catalogues -> flare downloads -> cleaned images with peaks (image_data_availability) -> per-flare init tables (stage 3) -> candidates, region fluxes and resampled XRS/images (stage 4, steps 1-7) -> bounded-LASSO grid search, flare peaks, HARPs, GOES classes and the catalogue (steps 8-16)',
  // L3: stage 3 (per working directory); L4: stage 4.
  levels: ['L0', 'L1', 'L2', 'L3', 'L4'],
  stages: [
    alexisOnboardStage,
    alexisDownloadStage,
    alexisInitializeStage,
    ...alexisCandidateStages,
    ...lassoStages('resample-img'),
    ...flareStages(),
  ],
  optionsSchema: alexisOptionsSchema as unknown as import('../../config/loader').SchemaLike<Record<string, unknown>>,
});

registerPipeline(alexisPipeline);

/**
 * Stages 3-4 alone (registered as `alexis-candidates`), for a workspace whose stages 0-2 ran outside
 * the engine (notebooks 00-02 call the stage functions directly): the source input is
 * `data_products/image_data_availability.db` itself (config `inputs: {dir: data_products, pattern:
 * image_data_availability.db}`), so stage 3 re-runs whenever stage 2 changes the database.
 */
export const alexisCandidatesPipeline = definePipeline({
  name: 'alexis-candidates',
  description: 'ALEXIS stage 3 and stage 4 steps 1-7 from an existing image_data_availability.db (the notebooks)',
  levels: ['L3', 'L4'],
  stages: [
    { ...alexisCandidateStages[0], after: undefined, accepts: 'image_data_availability.db' },
    ...alexisCandidateStages.slice(1),
  ],
  optionsSchema: alexisOptionsSchema as unknown as import('../../config/loader').SchemaLike<Record<string, unknown>>,
});

registerPipeline(alexisCandidatesPipeline);
