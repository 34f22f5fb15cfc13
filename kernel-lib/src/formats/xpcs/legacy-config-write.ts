/**
 * Writes a legacy XPCS-Eigen configuration file (the `/xpcs` + `/measurement` layout that
 * `corr` and readXpcsLegacyConfig read), so simulated or converted datasets can run through the
 * same pipeline as beamline data. Scalars are stored as (1,1) arrays like APS files
 * (xpcs-eigen configuration.cpp reads either), strings as HDF5 strings.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { writeHdf5, type Hdf5DatasetSpec } from '../hdf5';

export interface XpcsLegacyConfigInput {
  /** Dynamic and static q-bin maps (1-based, 0 = excluded), H*W, and their shape [H, W]. */
  dqmap: Int32Array;
  sqmap: Int32Array;
  shape: [number, number];
  delaysPerLevel: number;
  /** 1-based inclusive data frame range. */
  dataBegin: number;
  dataEnd: number;
  /** Name of the IMM file the config belongs to (`/xpcs/input_file_local`). */
  inputFileLocal: string;
  analysisType?: 'Multitau' | 'Twotime';
  staticMeanWindowSize?: number;
  twotime2onetimeWindowSize?: number;
  /** Detector geometry; defaults describe a 55 um pixel detector at 5 m, 1 ms frames. */
  detector?: Partial<{
    xPixelSize: number;
    yPixelSize: number;
    aduPerPhoton: number;
    exposureTime: number;
    exposurePeriod: number;
    efficiency: number;
    distance: number;
  }>;
  thickness?: number;
  /** q value of each dynamic / static bin (1/A), ascending bin order; default: the bin numbers. */
  dqlist?: ArrayLike<number>;
  sqlist?: ArrayLike<number>;
  /** `/measurement/instrument/acquisition/root_folder` (the APS cycle is derived from it). */
  rootFolder?: string;
}

const scalar = (path: string, v: number, dtype: 'i8' | 'f8' = 'f8'): Hdf5DatasetSpec => ({
  path,
  data: Float64Array.of(v),
  shape: [1, 1],
  dtype,
});

/** Writes `file` atomically (temp file, then rename). */
export async function writeXpcsLegacyConfig(file: string, c: XpcsLegacyConfigInput): Promise<void> {
  const [h, w] = c.shape;
  for (const [name, m] of [
    ['dqmap', c.dqmap],
    ['sqmap', c.sqmap],
  ] as const) {
    if (m.length !== h * w) {
      throw new StagebookError(
        'E_INVALID_SHAPE',
        `writeXpcsLegacyConfig: ${name} has ${m.length} values, shape [${h}, ${w}] needs ${h * w}`,
        { where: 'writeXpcsLegacyConfig', field: name, file },
      );
    }
  }
  const nBins = (m: Int32Array): number => m.reduce((a, v) => Math.max(a, v), 0);
  const qList = (given: ArrayLike<number> | undefined, n: number): Float64Array =>
    given ? Float64Array.from(given) : Float64Array.from({ length: n }, (_, i) => i + 1);
  const dnoq = nBins(c.dqmap);
  const snoq = nBins(c.sqmap);
  const d = {
    xPixelSize: 0.055,
    yPixelSize: 0.055,
    aduPerPhoton: 1,
    exposureTime: 0.001,
    exposurePeriod: 0.001,
    efficiency: 1,
    distance: 5000,
    ...c.detector,
  };
  const det = '/measurement/instrument/detector/';
  const specs: Hdf5DatasetSpec[] = [
    { path: '/xpcs/dqmap', data: c.dqmap, shape: [h, w], dtype: 'i4' },
    { path: '/xpcs/sqmap', data: c.sqmap, shape: [h, w], dtype: 'i4' },
    { path: '/xpcs/mask', data: Int32Array.from(c.dqmap, (v) => (v > 0 ? 1 : 0)), shape: [h, w], dtype: 'i4' },
    { path: '/xpcs/dqlist', data: qList(c.dqlist, dnoq), shape: [1, dnoq] },
    { path: '/xpcs/sqlist', data: qList(c.sqlist, snoq), shape: [1, snoq] },
    { path: '/xpcs/dphilist', data: new Float64Array(dnoq), shape: [1, dnoq] },
    { path: '/xpcs/sphilist', data: new Float64Array(snoq), shape: [1, snoq] },
    scalar('/xpcs/dnoq', dnoq, 'i8'),
    scalar('/xpcs/snoq', snoq, 'i8'),
    scalar('/xpcs/delays_per_level', c.delaysPerLevel, 'i8'),
    scalar('/xpcs/data_begin_todo', c.dataBegin, 'i8'),
    scalar('/xpcs/data_end_todo', c.dataEnd, 'i8'),
    scalar('/xpcs/dark_begin_todo', 0, 'i8'),
    scalar('/xpcs/dark_end_todo', 0, 'i8'),
    scalar('/xpcs/stride_frames', 1, 'i8'),
    scalar('/xpcs/avg_frames', 1, 'i8'),
    scalar('/xpcs/static_mean_window_size', c.staticMeanWindowSize ?? 10, 'i8'),
    scalar('/xpcs/twotime2onetime_window_size', c.twotime2onetimeWindowSize ?? 50, 'i8'),
    scalar('/xpcs/normalize_by_framesum', 0, 'i8'),
    { path: '/xpcs/analysis_type', data: c.analysisType ?? 'Multitau' },
    { path: '/xpcs/input_file_local', data: c.inputFileLocal },
    { path: '/xpcs/output_data', data: '/exchange' },
    { path: '/xpcs/smoothing_method', data: 'symmetric' },
    { path: '/xpcs/smoothing_filter', data: 'Average' },
    { path: '/xpcs/flatfield_enabled', data: 'DISABLED' },
    { path: '/xpcs/Version', data: 'stagebook-0.1' },
    scalar(det + 'x_dimension', w),
    scalar(det + 'y_dimension', h),
    scalar(det + 'x_pixel_size', d.xPixelSize),
    scalar(det + 'y_pixel_size', d.yPixelSize),
    scalar(det + 'adu_per_photon', d.aduPerPhoton),
    scalar(det + 'exposure_time', d.exposureTime),
    scalar(det + 'exposure_period', d.exposurePeriod),
    scalar(det + 'efficiency', d.efficiency),
    scalar(det + 'distance', d.distance),
    scalar('/measurement/sample/thickness', c.thickness ?? 1),
    { path: '/measurement/instrument/acquisition/root_folder', data: c.rootFolder ?? '/data/2026-3/stagebook-demo/' },
  ];
  await writeHdf5(file, specs);
}
