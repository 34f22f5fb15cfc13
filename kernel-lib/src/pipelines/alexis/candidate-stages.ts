/**
 * ALEXIS stage 3 and stage 4 steps 1-7 as engine stages, one named file per step in each flare's
 * working directory (Ruffus semantics: @transform = `map`, @subdivide = `split`, @collate = `merge`
 * grouped by working directory). The engine keys each unit by its stage version, parameters and the
 * content hashes of its input files, so a rerun skips what is done and a changed parameter re-runs
 * that stage and then only the units whose input files actually changed.
 *
 *   initialize.json --init-files (L3)--> initialize_hyperspectral_with_these_files_df.csv,
 *                                         initialize_with_these_files_df.csv
 *   --temporal-clusters--> v3_temporal_clusters.json --hyperspectral-clusters--> v3_interesting_pixels.json
 *   --split-clusters--> *.cluster.{n}.v3_initialize_cluster_flux.json
 *   --cluster-flux--> *.v3_cluster_flux_timeseries.json
 *   --collate-flux--> clusters_flux_df_v3.csv --resample-xrs--> resampled_XRS_df_v3.csv
 *   --resample-img (with clusters_flux_df_v3.csv)--> resampled_img_df_v3.csv          (all L4)
 *
 * Side inputs, in the cache keys through the engine's `sideInputs` hook (side-inputs.ts): the
 * rows a unit reads from a database besides its input files, as a digest of exactly those rows:
 * - init-files: per working directory, the image_data_availability.db rows of its AIA and SXI query
 *   windows, and the list of working directories (a re-initialisation re-runs it only when the rows
 *   of some flare's window changed; downstream re-runs only where its init tables changed);
 * - resample-xrs: the goes_data rows (availability.db) of the unit's image time range, so a
 *   corrected or re-onboarded XRS sample re-runs exactly the flares whose range holds it.
 * Not keyed: the FITS files (immutable, content-addressed by URL).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { FileRef } from '../../ledger/types';
import { defineStage, type StageContext } from '../../engine/stage';
import { StagebookError } from '../../errors/stagebook-error';
import { alexisFlareNaming } from '../../workdirs/naming';
import { AlexisCatalogues } from './catalogues';
import { readDegradationTable, readEffectiveAreaTable } from './calibration';
import {
  CANDIDATE_FILES,
  CLUSTER_FLUX_INIT_SUFFIX,
  CLUSTER_FLUX_TIMESERIES_SUFFIX,
  clusterFluxFileName,
  formatCandidateFile,
  parseClusterFluxFileName,
  readCandidateFile,
  type CandidateFileKind,
  type CandidateFileValue,
  type ClusterFluxRow,
} from './candidate-files';
import {
  hyperspectralCandidates,
  hyperspectralParamsSchema,
  temporalClusters,
  temporalParamsSchema,
} from './candidate-clustering';
import { cleanAia } from './clean-aia';
import { cleanSxi } from './clean-sxi';
import { collateClusterFlux, halfWidthsFor, regionFluxRows, splitPerImage } from './cluster-flux';
import { ImageDataAvailability } from './image-db';
import { canonicalRows, isoSecond, sideInput } from './side-inputs';
import { calibrationParams, calibrationTables, opts } from './pipeline-options';
import { buildInitTables, initFilesParamsSchema, queryWindows } from './wd-init-files';
import { imageTimeRange, resampleImages, resampleXrs, xrsResampleParamsSchema } from './xrs-resample';

/** Root-relative path of a file in the working directory of `input`. */
function besideInput(ctx: StageContext<unknown>, input: FileRef, name: string): string {
  return path.relative(ctx.root, path.join(path.dirname(input.path), name));
}

async function write<K extends CandidateFileKind>(
  ctx: StageContext<unknown>,
  rel: string,
  kind: K,
  value: CandidateFileValue<K>,
): Promise<void> {
  await ctx.writeText(rel, formatCandidateFile(kind, value));
}

/** merge stages: one unit per working directory. */
const byWorkingDir = (f: FileRef, root: string): string => path.relative(root, path.dirname(f.path));

/** The input of a merge unit with this base name (E_NO_INPUTS naming the directory when absent). */
function inputNamed(ctx: StageContext<unknown>, name: string): FileRef {
  const f = ctx.inputs.find((i) => path.basename(i.path) === name);
  if (!f)
    throw new StagebookError('E_NO_INPUTS', `${ctx.stage}: ${ctx.unit} has no ${name}`, {
      where: ctx.stage,
      file: path.join(ctx.unit, name),
    });
  return f;
}

/** The working directories of stage 3 (none before any flare is downloaded). */
function workingDirs(main: string): string[] {
  const parent = path.join(main, 'flare_candidates');
  return (existsSync(parent) ? readdirSync(parent, { withFileTypes: true }) : [])
    .filter((e) => e.isDirectory() && e.name.endsWith('.working'))
    .map((e) => e.name)
    .sort();
}

/** The image_data_availability rows stage 3 reads for one working directory (its query windows). */
function initRows(db: ImageDataAvailability, name: string, p: z.output<typeof initFilesParamsSchema>) {
  const { time } = alexisFlareNaming.parse(name);
  return queryWindows(time.getTime(), p).flatMap((w) => db.window(w.instrument, w.from, w.to));
}

export const alexisInitFilesStage = defineStage<z.output<typeof initFilesParamsSchema>>({
  name: 'init-files',
  version: 1,
  kind: 'split',
  level: 'L3',
  product: 'alexis-init-files',
  usesCore: false,
  after: ['initialize'],
  accepts: 'initialize.json',
  params: initFilesParamsSchema,
  description:
    'Stage 3: per working directory, the good (wavelength, instrument, telescope) groups and both init tables',
  sideInputs(ctx) {
    const o = opts(ctx);
    const dirs = workingDirs(o.main);
    const file = path.join(o.products, 'image_data_availability.db');
    const db = new ImageDataAvailability(file, { readonly: true });
    try {
      // rows come ordered by (time_stamp, url, dbscan_1_label) per instrument window: canonical already
      return [
        sideInput(ctx.root, path.join(o.main, 'flare_candidates'), 'working-dirs', '[*.working]', dirs),
        ...dirs.map((name) =>
          sideInput(ctx.root, file, 'image_data_availability', `[${name}]`, initRows(db, name, ctx.params)),
        ),
      ];
    } finally {
      db.close();
    }
  },
  async run(ctx) {
    const o = opts(ctx);
    const parent = path.join(o.main, 'flare_candidates');
    // No flare_candidates/ yet (no flare downloaded): no working directory, nothing to do.
    const dirs = workingDirs(o.main);
    const db = new ImageDataAvailability(path.join(o.products, 'image_data_availability.db'), { readonly: true });
    const summary: unknown[] = [];
    try {
      for (const [i, name] of dirs.entries()) {
        const rows = initRows(db, name, ctx.params);
        const t = buildInitTables(rows, name, ctx.params);
        const rel = path.relative(ctx.root, path.join(parent, name));
        if (t.files.length > 0) {
          await write(ctx, path.join(rel, CANDIDATE_FILES.initHyperspectral), 'initHyperspectral', t.hyperspectral);
          await write(ctx, path.join(rel, CANDIDATE_FILES.initFiles), 'initFiles', t.files);
        } else ctx.log.warn(`no data for ${name}: no group passes (${t.groups.map((g) => g.reason).join('; ')})`);
        summary.push({
          working_dir: name,
          images: t.files.length,
          peak_rows: t.hyperspectral.length,
          groups: t.groups,
        });
        ctx.progress(i + 1, dirs.length, name);
      }
    } finally {
      db.close();
    }
    await ctx.writeJson(path.join(o.dataProducts, 'init_files.json'), { workingDirs: summary });
  },
});

export const alexisTemporalStage = defineStage<z.output<typeof temporalParamsSchema>>({
  name: 'temporal-clusters',
  version: 1,
  kind: 'map',
  level: 'L4',
  product: 'alexis-temporal-clusters',
  after: ['init-files'],
  accepts: CANDIDATE_FILES.initHyperspectral,
  params: temporalParamsSchema,
  description: 'Step 1: temporal DBSCAN per (wavelength, instrument, telescope), eps 50", min_samples int(0.15 n)',
  async run(ctx) {
    const rows = readCandidateFile('initHyperspectral', ctx.input.path);
    const t = temporalClusters(rows, path.basename(path.dirname(ctx.input.path)), ctx.params);
    ctx.log.info(`${t.clusters.length} temporal clusters in ${t.groups.filter((g) => g.clustered).length} groups`);
    await write(ctx, besideInput(ctx, ctx.input, CANDIDATE_FILES.temporalClusters), 'temporalClusters', t);
  },
});

export const alexisHyperspectralStage = defineStage<z.output<typeof hyperspectralParamsSchema>>({
  name: 'hyperspectral-clusters',
  version: 1,
  kind: 'map',
  level: 'L4',
  product: 'alexis-candidates',
  after: ['temporal-clusters'],
  accepts: CANDIDATE_FILES.temporalClusters,
  params: hyperspectralParamsSchema,
  description: 'Step 2: hyperspectral DBSCAN over the temporal clusters, eps 50", min_samples max(1, int(2/3 #wl))',
  async run(ctx) {
    const c = hyperspectralCandidates(readCandidateFile('temporalClusters', ctx.input.path), ctx.params);
    ctx.log.info(`${c.length} candidate(s)`);
    await write(ctx, besideInput(ctx, ctx.input, CANDIDATE_FILES.interestingPixels), 'interestingPixels', c);
  },
});

export const alexisSplitClustersStage = defineStage({
  name: 'split-clusters',
  version: 1,
  kind: 'merge',
  level: 'L4',
  product: 'alexis-cluster-flux-init',
  usesCore: false,
  after: ['hyperspectral-clusters', 'init-files'],
  accepts: `{${CANDIDATE_FILES.interestingPixels},${CANDIDATE_FILES.initFiles}}`,
  groupBy: byWorkingDir,
  params: z.strictObject({}),
  description: 'Step 3: one file per image with a row per candidate (Ruffus @subdivide)',
  async run(ctx) {
    const candidates = readCandidateFile('interestingPixels', inputNamed(ctx, CANDIDATE_FILES.interestingPixels).path);
    const files = readCandidateFile('initFiles', inputNamed(ctx, CANDIDATE_FILES.initFiles).path);
    if (candidates.length === 0) ctx.log.warn(`${ctx.unit}: no candidates, no flux files`);
    const parts = candidates.length === 0 ? [] : splitPerImage(candidates, files);
    for (const p of parts) await write(ctx, path.join(ctx.unit, clusterFluxFileName(p.id)), 'clusterFluxInit', p.rows);
  },
});

const halfWidths = z.array(z.number().positive()).length(4);
const fluxParams = z.strictObject({
  ...calibrationParams,
  aiaHalfWidthsPx: halfWidths.default([125, 85, 67, 41]).describe('AIA half-widths at 0.6"/px (150/100/80/50" boxes)'),
  sxiHalfWidthsPx: halfWidths.default([15, 10, 8, 5]).describe('SXI half-widths (px)'),
});
const tableCache = new Map<string, ReturnType<typeof readTables>>();
function readTables(deg: string, area: string) {
  return { degradation: readDegradationTable(deg), area: readEffectiveAreaTable(area) };
}

export const alexisClusterFluxStage = defineStage<z.output<typeof fluxParams>>({
  name: 'cluster-flux',
  version: 1,
  kind: 'map',
  level: 'L4',
  product: 'alexis-cluster-flux',
  after: ['split-clusters'],
  accepts: `*${CLUSTER_FLUX_INIT_SUFFIX}`,
  params: fluxParams,
  description: 'Step 4: box fluxes at four zoom sizes around each candidate in one cleaned image (wasm boxsum)',
  async run(ctx) {
    const rows = readCandidateFile('clusterFluxInit', ctx.input.path);
    const first = rows.find((r) => r.QUALITY === 0);
    const name = path.basename(ctx.input.path);
    if (!first)
      throw new StagebookError('E_EMPTY_INPUT', `cluster-flux: ${name} has no QUALITY 0 row`, {
        where: 'cluster-flux',
        file: name,
      });
    const t = await calibrationTables(ctx, opts(ctx), 'cluster-flux');
    const key = `${t.degradationTable}\n${t.effectiveAreaTable}`;
    if (!tableCache.has(key)) tableCache.set(key, readTables(t.degradationTable, t.effectiveAreaTable));
    const tables = tableCache.get(key) as ReturnType<typeof readTables>;
    const cleaned =
      first.instrument === 'AIA'
        ? cleanAia(first.file_path, tables.degradation, tables.area)
        : cleanSxi(first.file_path, first.telescope);
    if (cleaned.QUALITY !== 0 || !cleaned.image)
      throw new StagebookError(
        'E_FORMAT',
        `cluster-flux: ${first.file_path} cleans to QUALITY ${cleaned.QUALITY} now (0 in stage 2): ` +
          'calibration tables changed?',
        { where: 'cluster-flux', file: first.file_path },
      );
    const widths = halfWidthsFor(
      first.instrument,
      cleaned.image.cdelt1,
      ctx.params.aiaHalfWidthsPx,
      ctx.params.sxiHalfWidthsPx,
    );
    const out = name.slice(0, -CLUSTER_FLUX_INIT_SUFFIX.length) + CLUSTER_FLUX_TIMESERIES_SUFFIX;
    await write(
      ctx,
      besideInput(ctx, ctx.input, out),
      'clusterFluxTimeseries',
      regionFluxRows(rows, cleaned.image, widths),
    );
  },
});

export const alexisCollateFluxStage = defineStage({
  name: 'collate-flux',
  version: 1,
  kind: 'merge',
  level: 'L4',
  product: 'alexis-clusters-flux',
  usesCore: false,
  after: ['cluster-flux'],
  accepts: `*${CLUSTER_FLUX_TIMESERIES_SUFFIX}`,
  groupBy: byWorkingDir,
  params: z.strictObject({
    minPoints: z.number().int().min(1).default(10).describe('groups under this get QUALITY 9'),
  }),
  description:
    'Step 5: all region fluxes of a working directory; groups under 10 points -> QUALITY 9 (Ruffus @collate)',
  async run(ctx) {
    const order = (f: FileRef): (string | number)[] => {
      const id = parseClusterFluxFileName(path.basename(f.path));
      return id ? [id.telescope, id.instrument, id.wavelength, id.n] : [path.basename(f.path), 0];
    };
    const files = [...ctx.inputs].sort((a, b) => {
      const x = order(a);
      const y = order(b);
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
      return 0;
    });
    const rows: ClusterFluxRow[] = files.flatMap((f) => readCandidateFile('clusterFluxTimeseries', f.path));
    const out = collateClusterFlux(rows, (ctx.params as { minPoints: number }).minPoints);
    ctx.log.info(`${out.length} rows, ${out.filter((r) => r.QUALITY === 9).length} with QUALITY 9`);
    await write(ctx, path.join(ctx.unit, CANDIDATE_FILES.clustersFlux), 'clustersFlux', out);
  },
});

/** The goes_data rows of a resample-xrs unit: its image time range [t0, t1) (Unix seconds). */
function xrsSamples(ctx: Pick<StageContext<unknown>, 'options' | 'root' | 'input'>) {
  const o = opts(ctx);
  const cluster = readCandidateFile('clustersFlux', ctx.input.path);
  const [t0, t1] = imageTimeRange(cluster, ctx.input.path);
  const file = path.join(o.products, 'availability.db');
  const cat = new AlexisCatalogues(file, { readonly: true });
  try {
    const samples = cat.goesBetween(t0 * 1000, t1 * 1000).filter((s) => s.time_stamp >= t0 && s.time_stamp < t1);
    return { samples, file, t0, t1 };
  } finally {
    cat.close();
  }
}

export const alexisResampleXrsStage = defineStage<z.output<typeof xrsResampleParamsSchema>>({
  name: 'resample-xrs',
  version: 1,
  kind: 'map',
  level: 'L4',
  product: 'alexis-resampled-xrs',
  usesCore: false,
  after: ['collate-flux'],
  accepts: CANDIDATE_FILES.clustersFlux,
  params: xrsResampleParamsSchema,
  description:
    'Step 6: GOES XRS over the image time range, linear spline at 1 min; channels missing >= 150 points dropped',
  sideInputs(ctx) {
    const { samples, file, t0, t1 } = xrsSamples(ctx);
    const rows = canonicalRows(samples, ['time_stamp', 'instrument', 'wavelength']);
    const range = `[${isoSecond(t0 * 1000)},${isoSecond(t1 * 1000)})`;
    return [sideInput(ctx.root, file, 'goes_data', range, rows)];
  },
  async run(ctx) {
    const { samples } = xrsSamples(ctx);
    const rel = besideInput(ctx, ctx.input, CANDIDATE_FILES.resampledXrs);
    const r = resampleXrs(samples, ctx.params, {
      workingDir: path.basename(path.dirname(ctx.input.path)),
      clusterFluxFile: path.relative(ctx.root, ctx.input.path),
      xrsResampleFile: rel,
    });
    for (const c of r.channels)
      ctx.log.info(
        `XRS ${c.instrument} ${c.wavelength}: ${c.points} points, ${c.missing} missing${c.kept ? '' : ' -> dropped'}`,
      );
    await write(ctx, rel, 'resampledXrs', r.rows);
  },
});

export const alexisResampleImgStage = defineStage({
  name: 'resample-img',
  version: 1,
  kind: 'merge',
  level: 'L4',
  product: 'alexis-resampled-img',
  usesCore: false,
  after: ['collate-flux', 'resample-xrs'],
  accepts: `{${CANDIDATE_FILES.clustersFlux},${CANDIDATE_FILES.resampledXrs}}`,
  groupBy: byWorkingDir,
  params: z.strictObject({}),
  description: 'Step 7: region and full-disk fluxes interpolated onto the resampled XRS times',
  async run(ctx) {
    const cluster = readCandidateFile('clustersFlux', inputNamed(ctx, CANDIDATE_FILES.clustersFlux).path);
    const xrs = readCandidateFile('resampledXrs', inputNamed(ctx, CANDIDATE_FILES.resampledXrs).path);
    const rel = path.join(ctx.unit, CANDIDATE_FILES.resampledImg);
    await write(ctx, rel, 'resampledImg', resampleImages(cluster, xrs, rel));
  },
});

/** Stage 3 and stage 4 steps 1-7, in pipeline order. */
export const alexisCandidateStages = [
  alexisInitFilesStage,
  alexisTemporalStage,
  alexisHyperspectralStage,
  alexisSplitClustersStage,
  alexisClusterFluxStage,
  alexisCollateFluxStage,
  alexisResampleXrsStage,
  alexisResampleImgStage,
] as const;
