/**
 * What every stage of the `alexis` pipeline shares: the pipeline's `options` schema, the resolved
 * data directories, the archives (real URLs, or the simulated Sun served on a fixed loopback port
 * for the duration of a stage) and the calibration tables AIA cleaning needs.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { downloadPolicySchema } from '../../acquisition/policy';
import type { StageContext } from '../../engine/stage';
import { StagebookError } from '../../errors/stagebook-error';
import { startLocalArchive } from '../../local-archive/server';
import { neutralCalibrationCsv } from '../../testing/solar/calibration';
import { atomicWriteFile } from '../../workdirs/atomic';

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
export type AlexisOptions = z.output<typeof alexisOptionsSchema>;

export function opts(
  ctx: Pick<StageContext<unknown>, 'options' | 'root'>,
): AlexisOptions & { main: string; products: string } {
  const o = ctx.options as AlexisOptions;
  return { ...o, main: path.resolve(ctx.root, o.mainDataDir), products: path.resolve(ctx.root, o.dataProducts) };
}

/** Runs `fn` with the archive URLs (starting the simulated archives when configured). */
export async function withArchives<T>(
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

/** Calibration-table parameters of the stages that clean AIA images. */
export const calibrationParams = {
  degradationTable: z.string().optional().describe('CSV channel,time,factor (required for real archives)'),
  effectiveAreaTable: z.string().optional().describe('CSV channel,eff_area,dn_gain (required for real archives)'),
};

/**
 * The tables' absolute paths: the stage's parameters, or with the simulated Sun its neutral tables
 * (written once into data_products, labelled NEUTRAL). Real archives without tables: E_STAGE_PARAMS.
 */
export async function calibrationTables(
  ctx: StageContext<unknown>,
  o: ReturnType<typeof opts>,
  stage: string,
): Promise<{ degradationTable: string; effectiveAreaTable: string }> {
  let { degradationTable, effectiveAreaTable } = ctx.params as {
    degradationTable?: string;
    effectiveAreaTable?: string;
  };
  if (!degradationTable || !effectiveAreaTable) {
    if (!o.localArchive)
      throw new StagebookError(
        'E_STAGE_PARAMS',
        `${stage}: degradationTable and effectiveAreaTable are required with real archives (CSV tables you supply)`,
        { where: `alexis ${stage}`, field: degradationTable ? 'effectiveAreaTable' : 'degradationTable' },
      );
    // The simulated Sun ships neutral tables (labelled in the files).
    const csv = neutralCalibrationCsv();
    degradationTable ??= path.join(o.products, 'simulated_degradation_NEUTRAL.csv');
    effectiveAreaTable ??= path.join(o.products, 'simulated_effective_area.csv');
    if (!existsSync(degradationTable)) await atomicWriteFile(degradationTable, csv.degradation);
    if (!existsSync(effectiveAreaTable)) await atomicWriteFile(effectiveAreaTable, csv.effectiveArea);
  }
  return {
    degradationTable: path.resolve(ctx.root, degradationTable),
    effectiveAreaTable: path.resolve(ctx.root, effectiveAreaTable),
  };
}
