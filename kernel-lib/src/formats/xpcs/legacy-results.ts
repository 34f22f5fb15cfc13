/**
 * XPCS-Eigen result layout under `/exchange` (xpcs-eigen `main.cpp`, checked by gladier-xpcs
 * `xpcs_qc.py`). Inputs are plain typed arrays + shapes so any correlation kernel can feed it.
 * Shapes written exactly as corr writes them: norm-0-g2/stderr (n_tau, n_q), tau (1, n_tau),
 * pixelSum (H, W), frameSum (2, N) with row 0 = frame number from 1, partition-mean-total
 * (1, n_sbin), partition-mean-partial (n_windows, n_sbin), timestamp_clock/tick (2, N),
 * C2T_all/g2_%05d (frames, frames), g2full (frames, n_q), g2partials (w, n_partials, n_q).
 */
import { invalidArgument } from '../../errors/stagebook-error';
import { withHdf5 } from '../hdf5/reader';
import { writeHdf5, type Hdf5DatasetSpec } from '../hdf5/writer';

/** A flat C-order array with its shape. */
export interface ShapedArray {
  data: ArrayLike<number>;
  shape: number[];
}

export interface XpcsLegacyResults {
  /** Multi-tau g2 and its standard error, [nTau, nQ] C order; tau in frames (length nTau). */
  multiTau?: { g2: ArrayLike<number>; stderr: ArrayLike<number>; tau: ArrayLike<number>; nTau: number; nQ: number };
  /** Per-pixel mean intensity [H, W]. */
  pixelSum?: ShapedArray;
  /** Mean intensity per pixel for each frame (length N); frame numbers 1..N are added. */
  frameSum?: ArrayLike<number>;
  /** Per static bin mean over all frames (length n_sbin). */
  partitionMeanTotal?: ArrayLike<number>;
  /** Per window and static bin means [n_windows, n_sbin]. */
  partitionMeanPartial?: ShapedArray;
  partitionNormFactor?: number;
  /** Per-frame IMM `elapsed` clock and `corecotick` (length N each). */
  timestampClock?: ArrayLike<number>;
  timestampTick?: ArrayLike<number>;
  twoTime?: {
    /** One frames x frames matrix per q bin, stored as C2T_all/g2_%05d with the given q number. */
    c2t?: Array<{ q: number; data: ArrayLike<number>; size: number }>;
    g2full?: ShapedArray;
    g2partials?: ShapedArray;
  };
}

export interface WriteXpcsResultsOptions {
  /** Group for results (`/xpcs/output_data`, default "/exchange"). */
  outputData?: string;
  /** Start from a byte copy of this HDF5 configuration file (corr writes into its input file): `/xpcs` and `/measurement` stay exact. */
  configFile?: string;
}

function f64(where: string, field: string, a: ArrayLike<number>, n: number): Float64Array {
  if (!a || typeof a.length !== 'number') invalidArgument(where, field, 'must be an array of numbers');
  if (a.length !== n) invalidArgument(where, field, `has ${a.length} values, shape needs ${n}`);
  return a instanceof Float64Array ? a : Float64Array.from(a);
}

function shaped(where: string, field: string, s: ShapedArray, rank: number): Hdf5DatasetSpec['data'] {
  if (!Array.isArray(s?.shape) || s.shape.length !== rank || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    invalidArgument(where, `${field}.shape`, `must be ${rank} non-negative integers, got ${JSON.stringify(s?.shape)}`);
  }
  return f64(
    where,
    `${field}.data`,
    s.data,
    s.shape.reduce((a, b) => a * b, 1),
  );
}

function withRowIndex(where: string, field: string, v: ArrayLike<number>): Float64Array {
  const n = v?.length ?? 0;
  const out = new Float64Array(2 * n);
  const vals = f64(where, field, v, n);
  for (let i = 0; i < n; i++) out[i] = i + 1;
  out.set(vals, n);
  return out;
}

function multiTauSpecs(where: string, g: string, m: NonNullable<XpcsLegacyResults['multiTau']>): Hdf5DatasetSpec[] {
  const { nTau, nQ } = m;
  if (!Number.isInteger(nTau) || nTau < 0 || !Number.isInteger(nQ) || nQ < 0)
    invalidArgument(where, 'results.multiTau', `nTau/nQ must be non-negative integers, got ${nTau}/${nQ}`);
  return [
    { path: `${g}/norm-0-g2`, data: f64(where, 'results.multiTau.g2', m.g2, nTau * nQ), shape: [nTau, nQ] },
    { path: `${g}/norm-0-stderr`, data: f64(where, 'results.multiTau.stderr', m.stderr, nTau * nQ), shape: [nTau, nQ] },
    { path: `${g}/tau`, data: f64(where, 'results.multiTau.tau', m.tau, nTau), shape: [1, nTau] },
  ];
}

function twoTimeSpecs(where: string, g: string, t: NonNullable<XpcsLegacyResults['twoTime']>): Hdf5DatasetSpec[] {
  const out: Hdf5DatasetSpec[] = [];
  (t.c2t ?? []).forEach((c, i) => {
    if (!Number.isInteger(c.q) || c.q < 0 || c.q > 99999)
      invalidArgument(where, `results.twoTime.c2t[${i}].q`, `must be an integer 0..99999, got ${c.q}`);
    const data = f64(where, `results.twoTime.c2t[${i}].data`, c.data, c.size * c.size);
    out.push({ path: `${g}/C2T_all/g2_${String(c.q).padStart(5, '0')}`, data, shape: [c.size, c.size] });
  });
  if (t.g2full)
    out.push({
      path: `${g}/g2full`,
      data: shaped(where, 'results.twoTime.g2full', t.g2full, 2),
      shape: t.g2full.shape,
    });
  if (t.g2partials)
    out.push({
      path: `${g}/g2partials`,
      data: shaped(where, 'results.twoTime.g2partials', t.g2partials, 3),
      shape: t.g2partials.shape,
    });
  return out;
}

/** Dataset specs for the `/exchange` results (validated; nothing is written). */
export function xpcsLegacyResultSpecs(
  results: XpcsLegacyResults,
  outputData = '/exchange',
  where = 'writeXpcsLegacyResults',
): Hdf5DatasetSpec[] {
  if (!results || typeof results !== 'object') invalidArgument(where, 'results', 'must be an object');
  if (typeof outputData !== 'string' || !outputData.startsWith('/'))
    invalidArgument(where, 'options.outputData', `must be an absolute group path, got ${JSON.stringify(outputData)}`);
  const g = outputData.replace(/\/+$/, '');
  const out: Hdf5DatasetSpec[] = [];
  const r = results;
  if (r.multiTau) out.push(...multiTauSpecs(where, g, r.multiTau));
  if (r.pixelSum)
    out.push({
      path: `${g}/pixelSum`,
      data: shaped(where, 'results.pixelSum', r.pixelSum, 2),
      shape: r.pixelSum.shape,
    });
  if (r.frameSum)
    out.push({
      path: `${g}/frameSum`,
      data: withRowIndex(where, 'results.frameSum', r.frameSum),
      shape: [2, r.frameSum.length],
    });
  if (r.partitionMeanTotal) {
    const n = r.partitionMeanTotal.length;
    out.push({
      path: `${g}/partition-mean-total`,
      data: f64(where, 'results.partitionMeanTotal', r.partitionMeanTotal, n),
      shape: [1, n],
    });
  }
  if (r.partitionMeanPartial)
    out.push({
      path: `${g}/partition-mean-partial`,
      data: shaped(where, 'results.partitionMeanPartial', r.partitionMeanPartial, 2),
      shape: r.partitionMeanPartial.shape,
    });
  if (r.partitionNormFactor !== undefined) {
    if (typeof r.partitionNormFactor !== 'number')
      invalidArgument(where, 'results.partitionNormFactor', 'must be a number');
    out.push({ path: `${g}/partition_norm_factor`, data: r.partitionNormFactor, shape: [] });
  }
  if (r.timestampClock)
    out.push({
      path: `${g}/timestamp_clock`,
      data: withRowIndex(where, 'results.timestampClock', r.timestampClock),
      shape: [2, r.timestampClock.length],
    });
  if (r.timestampTick)
    out.push({
      path: `${g}/timestamp_tick`,
      data: withRowIndex(where, 'results.timestampTick', r.timestampTick),
      shape: [2, r.timestampTick.length],
    });
  if (r.twoTime) out.push(...twoTimeSpecs(where, g, r.twoTime));
  return out;
}

/**
 * Writes XPCS results in the legacy layout to a new file `file` (temp file + rename). With
 * `options.configFile`, the result file starts as a byte copy of that configuration file, as
 * XPCS-Eigen corr writes into its input file: `/xpcs`, `/measurement` and their attributes keep
 * their exact types (big-endian numbers, fixed-length strings) for h5py. A configuration file that
 * already holds datasets in the result group is refused (HDF5 cannot drop stale results in place).
 */
export async function writeXpcsLegacyResults(
  file: string,
  results: XpcsLegacyResults,
  options: WriteXpcsResultsOptions = {},
): Promise<void> {
  const where = 'writeXpcsLegacyResults';
  const outputData = options.outputData ?? '/exchange';
  const specs = xpcsLegacyResultSpecs(results, outputData, where);
  const config = options.configFile;
  if (config !== undefined) {
    const prefix = outputData.replace(/\/+$/, '') + '/';
    const stale = await withHdf5(config, (r) => r.datasetPaths(where).filter((p) => p.startsWith(prefix)), where);
    if (stale.length)
      invalidArgument(
        where,
        'options.configFile',
        `${config} already holds results under ${prefix} (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', ...' : ''})`,
      );
  }
  await writeHdf5(file, specs, { base: config });
}

/** What readXpcsLegacyResults returns: every result dataset present, with its HDF5 shape. */
export type XpcsLegacyResultArrays = Record<string, { data: Float64Array; shape: number[] }>;

/**
 * Reads every dataset under `outputData` (default "/exchange"), keyed by its path relative to
 * the group (e.g. "norm-0-g2", "C2T_all/g2_00001").
 */
export async function readXpcsLegacyResults(file: string, outputData = '/exchange'): Promise<XpcsLegacyResultArrays> {
  const where = 'readXpcsLegacyResults';
  return withHdf5(
    file,
    (r) => {
      const prefix = outputData.replace(/\/+$/, '') + '/';
      const out: XpcsLegacyResultArrays = {};
      for (const p of r.datasetPaths(where).filter((x) => x.startsWith(prefix))) {
        const d = r.read(p, where);
        if (typeof d.value === 'string' || Array.isArray(d.value)) continue;
        out[p.slice(prefix.length)] = r.readNumeric(p, where);
      }
      return out;
    },
    where,
  );
}
