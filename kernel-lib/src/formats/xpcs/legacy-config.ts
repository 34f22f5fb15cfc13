/**
 * XPCS legacy configuration (the HDF5 that XPCS-Eigen `corr` reads: `/xpcs` analysis settings and
 * `/measurement/instrument` geometry), after `xpcs-eigen:src/xpcs/configuration.cpp`.
 * Frame ranges stay 1-based as stored; the `_todo` variants win over the plain ones like
 * configuration.cpp.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { withHdf5, type Hdf5Reader } from '../hdf5/reader';

/** An integer map [H, W] (dqmap/sqmap: 1-based bins, 0 = excluded). */
export interface XpcsMap {
  data: Int32Array;
  shape: [number, number];
}

export interface XpcsDetectorGeometry {
  xDimension: number;
  yDimension: number;
  xPixelSize: number;
  yPixelSize: number;
  aduPerPhoton: number;
  exposureTime: number;
  exposurePeriod: number;
  efficiency: number;
  distance: number;
}

export interface XpcsLegacyConfig {
  file: string;
  dqmap: XpcsMap;
  sqmap: XpcsMap;
  delaysPerLevel: number;
  /** 1-based inclusive frame range of data and dark frames (dark 0 = none). */
  dataBegin: number;
  dataEnd: number;
  darkBegin: number;
  darkEnd: number;
  strideFrames: number;
  avgFrames: number;
  staticMeanWindowSize: number | null;
  analysisType: string;
  inputFileLocal: string | null;
  outputData: string;
  normalizeByFramesum: boolean;
  lld: number | null;
  sigma: number | null;
  flatfieldEnabled: boolean;
  smoothingMethod: string | null;
  smoothingFilter: string | null;
  twotime2onetimeWindowSize: number | null;
  compression: string | null;
  version: string | null;
  detector: XpcsDetectorGeometry;
  /** `/measurement/instrument/source_begin/beam_intensity_transmitted`, null when absent. */
  beamIntensityTransmitted: number | null;
  /** `/measurement/sample/thickness`, null when absent. */
  thickness: number | null;
}

const DET = '/measurement/instrument/detector/';

function readMap(r: Hdf5Reader, where: string, p: string): XpcsMap {
  const { data, shape } = r.readNumeric(p, where);
  if (shape.length !== 2) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: ${r.file}: dataset ${p} has shape [${shape}], expected [H, W]`,
      { where, file: r.file, dataset: p },
    );
  }
  return { data: Int32Array.from(data), shape: [shape[0], shape[1]] };
}

/** Scalar at the first existing path; E_MISSING_DATASET naming the first path when none exists. */
function scalarOf(r: Hdf5Reader, where: string, paths: string[]): number {
  const p = paths.find((x) => r.has(x, where)) ?? paths[0];
  return r.readScalar(p, where);
}

function optScalar(r: Hdf5Reader, where: string, p: string): number | null {
  return r.has(p, where) ? r.readScalar(p, where) : null;
}

function optString(r: Hdf5Reader, where: string, p: string): string | null {
  if (!r.has(p, where)) return null;
  const d = r.read(p, where).value;
  return typeof d === 'string' || Array.isArray(d) ? r.readString(p, where) : String(r.readScalar(p, where));
}

function readDetector(r: Hdf5Reader, where: string): XpcsDetectorGeometry {
  const s = (name: string): number => r.readScalar(DET + name, where);
  return {
    xDimension: s('x_dimension'),
    yDimension: s('y_dimension'),
    xPixelSize: s('x_pixel_size'),
    yPixelSize: s('y_pixel_size'),
    aduPerPhoton: s('adu_per_photon'),
    exposureTime: s('exposure_time'),
    exposurePeriod: s('exposure_period'),
    efficiency: s('efficiency'),
    distance: s('distance'),
  };
}

/** Builds the config from an open reader (see readXpcsLegacyConfig). */
export function xpcsLegacyConfigFrom(r: Hdf5Reader, where = 'readXpcsLegacyConfig'): XpcsLegacyConfig {
  const dqmap = readMap(r, where, '/xpcs/dqmap');
  const sqmap = readMap(r, where, '/xpcs/sqmap');
  if (dqmap.shape[0] !== sqmap.shape[0] || dqmap.shape[1] !== sqmap.shape[1]) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: ${r.file}: /xpcs/dqmap is [${dqmap.shape}] but /xpcs/sqmap is [${sqmap.shape}]`,
      { where, file: r.file, dataset: '/xpcs/sqmap' },
    );
  }
  const flat = optString(r, where, '/xpcs/flatfield_enabled');
  const norm = optScalar(r, where, '/xpcs/normalize_by_framesum');
  return {
    file: r.file,
    dqmap,
    sqmap,
    delaysPerLevel: scalarOf(r, where, ['/xpcs/delays_per_level']),
    dataBegin: scalarOf(r, where, ['/xpcs/data_begin_todo', '/xpcs/data_begin']),
    dataEnd: scalarOf(r, where, ['/xpcs/data_end_todo', '/xpcs/data_end']),
    darkBegin: optScalar(r, where, '/xpcs/dark_begin_todo') ?? optScalar(r, where, '/xpcs/dark_begin') ?? 0,
    darkEnd: optScalar(r, where, '/xpcs/dark_end_todo') ?? optScalar(r, where, '/xpcs/dark_end') ?? 0,
    strideFrames: optScalar(r, where, '/xpcs/stride_frames') ?? 1,
    avgFrames: optScalar(r, where, '/xpcs/avg_frames') ?? 1,
    staticMeanWindowSize: optScalar(r, where, '/xpcs/static_mean_window_size'),
    analysisType: optString(r, where, '/xpcs/analysis_type') ?? 'Multitau',
    inputFileLocal: optString(r, where, '/xpcs/input_file_local'),
    outputData: optString(r, where, '/xpcs/output_data') ?? '/exchange',
    normalizeByFramesum: norm !== null && norm !== 0,
    lld: optScalar(r, where, '/xpcs/lld'),
    sigma: optScalar(r, where, '/xpcs/sigma'),
    flatfieldEnabled: flat !== null && flat.toUpperCase() === 'ENABLED',
    smoothingMethod: optString(r, where, '/xpcs/smoothing_method'),
    smoothingFilter: optString(r, where, '/xpcs/smoothing_filter'),
    twotime2onetimeWindowSize: optScalar(r, where, '/xpcs/twotime2onetime_window_size'),
    compression: optString(r, where, '/xpcs/compression'),
    version: optString(r, where, '/xpcs/Version'),
    detector: readDetector(r, where),
    beamIntensityTransmitted: optScalar(r, where, '/measurement/instrument/source_begin/beam_intensity_transmitted'),
    thickness: optScalar(r, where, '/measurement/sample/thickness'),
  };
}

/**
 * Reads the legacy XPCS configuration of `file`. Required: `/xpcs/{dqmap, sqmap,
 * delays_per_level, data_begin(_todo), data_end(_todo)}` and the detector scalars; a missing one
 * raises E_MISSING_DATASET naming file and dataset.
 */
export async function readXpcsLegacyConfig(file: string): Promise<XpcsLegacyConfig> {
  return withHdf5(file, (r) => xpcsLegacyConfigFrom(r), 'readXpcsLegacyConfig');
}
