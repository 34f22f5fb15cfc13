/**
 * The `alexis` pipeline (stages 1-2 of ALEXIS and its onboarding) for the engine and the CLI:
 *   <config> --onboard (L0)--> data_products/onboarding.json (+ availability.db)
 *            --download (L1)--> data_products/download.json (+ flare_candidates/, image_data/)
 *            --initialize (L2)--> data_products/initialize.json (+ image_data_availability.db)
 * Each stage is one unit (ALEXIS's scripts each run over everything); the work inside is
 * idempotent, so a rerun with new flares downloads and processes only what is new.
 * Archives: `options.archives` (JSOC, NCEI SXI, NOAA XRS, HEK URLs), or `options.localArchive` to
 * serve the simulated Sun on a fixed loopback port for the duration of each stage (fixed, so the
 * URLs in the catalogues stay valid between runs).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { downloadPolicySchema } from '../../acquisition/policy';
import { definePipeline } from '../../engine/pipeline';
import { registerPipeline } from '../../engine/registry';
import { defineStage, type StageContext } from '../../engine/stage';
import { StagebookError } from '../../errors/stagebook-error';
import { startLocalArchive } from '../../local-archive/server';
import { atomicWriteFile } from '../../workdirs/atomic';
import { neutralCalibrationCsv } from '../../testing/solar/calibration';
import { downloadFlareData, flareSchema } from './download';
import { initializeFiles } from './initialize';
import { onboardAlexis } from './onboarding';
import { ONBOARDING_SOURCES } from './catalogues';

const url = z.string().url();

/** The pipeline's `options` section. */
export const alexisOptionsSchema = z
  .strictObject({
    mainDataDir: z
      .string()
      .min(1)
      .default('alexis_data')
      .describe('MAIN_DATA_DIR, relative to the root (flare_candidates/, image_data/)'),
    dataProducts: z
      .string()
      .min(1)
      .default('data_products')
      .describe('DATA_DIR_PRODUCTS, relative to the root (the SQLite databases)'),
    archives: z
      .strictObject({ jsoc: url, sxi: url, xrs: url, hek: url })
      .optional()
      .describe('Archive URLs (real or local)'),
    localArchive: z
      .strictObject({
        port: z
          .number()
          .int()
          .min(1024)
          .max(65535)
          .describe('Fixed loopback port (URLs in the catalogues must stay valid between runs)'),
        aiaScale: z.number().int().min(32).max(4096).default(1024),
        aiaCadenceSeconds: z.number().int().min(12).default(12),
        seed: z.number().int().default(1),
      })
      .optional()
      .describe('Serve the simulated Sun instead of real archives'),
    policy: downloadPolicySchema.partial().optional(),
  })
  .refine((o) => (o.archives === undefined) !== (o.localArchive === undefined), {
    message: 'give exactly one of archives or localArchive',
  });
type AlexisOptions = z.output<typeof alexisOptionsSchema>;

function opts(ctx: StageContext<unknown>): AlexisOptions & { main: string; products: string } {
  const o = ctx.options as AlexisOptions;
  return { ...o, main: path.resolve(ctx.root, o.mainDataDir), products: path.resolve(ctx.root, o.dataProducts) };
}

/** Runs `fn` with the archive URLs (starting the simulated archives when configured). */
async function withArchives<T>(
  o: AlexisOptions,
  fn: (a: { jsoc: string; sxi: string; xrs: string; hek: string }) => Promise<T>,
): Promise<T> {
  if (o.archives) return fn(o.archives);
  const l = o.localArchive as NonNullable<AlexisOptions['localArchive']>;
  const archive = await startLocalArchive({
    port: l.port,
    sun: { aiaScale: l.aiaScale, aiaCadenceSeconds: l.aiaCadenceSeconds, scene: { seed: l.seed } },
  });
  try {
    return await fn({
      jsoc: `${archive.url}jsoc`,
      sxi: `${archive.url}ncei-sxi`,
      xrs: `${archive.url}noaa-xrs`,
      hek: `${archive.url}hek`,
    });
  } finally {
    await archive.close();
  }
}

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
  degradationTable: z.string().optional().describe('CSV channel,time,factor (required for real archives)'),
  effectiveAreaTable: z.string().optional().describe('CSV channel,eff_area,dn_gain (required for real archives)'),
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
    let { degradationTable, effectiveAreaTable } = ctx.params;
    if (!degradationTable || !effectiveAreaTable) {
      if (!o.localArchive)
        throw new StagebookError(
          'E_STAGE_PARAMS',
          'initialize: degradationTable and effectiveAreaTable are required with real archives (CSV tables you supply)',
          { where: 'alexis initialize', field: degradationTable ? 'effectiveAreaTable' : 'degradationTable' },
        );
      // The simulated Sun ships neutral tables (labelled in the files).
      const csv = neutralCalibrationCsv();
      degradationTable ??= path.join(o.products, 'simulated_degradation_NEUTRAL.csv');
      effectiveAreaTable ??= path.join(o.products, 'simulated_effective_area.csv');
      if (!existsSync(degradationTable)) await atomicWriteFile(degradationTable, csv.degradation);
      if (!existsSync(effectiveAreaTable)) await atomicWriteFile(effectiveAreaTable, csv.effectiveArea);
    }
    const r = await initializeFiles(
      {
        mainDataDir: o.main,
        database: path.join(o.products, 'image_data_availability.db'),
        degradationTable: path.resolve(ctx.root, degradationTable),
        effectiveAreaTable: path.resolve(ctx.root, effectiveAreaTable),
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
    'ALEXIS stages 1-2: onboarding catalogues -> flare downloads -> cleaned images with peaks and clusters (image_data_availability)',
  stages: [alexisOnboardStage, alexisDownloadStage, alexisInitializeStage],
  optionsSchema: alexisOptionsSchema as unknown as import('../../config/loader').SchemaLike<Record<string, unknown>>,
});

registerPipeline(alexisPipeline);
