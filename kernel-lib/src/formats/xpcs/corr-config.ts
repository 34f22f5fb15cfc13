/**
 * The `/xpcs` configuration as XPCS-Eigen `corr` reads it (xpcs-eigen@08486b7
 * src/xpcs/configuration.cpp), strictly: every field under the entry group is either honoured
 * (turned into corr settings) or refused with E_CONFIG_UNSUPPORTED naming field and value.
 * Fields corr itself never uses are listed as descriptive and validated. The table below is the
 * single place that says what happens to each field (docs/xpcs-corr.md renders it).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { withHdf5, type Hdf5Reader } from '../hdf5/reader';
import { configUnsupported, parseXpcsCorrSettings, type XpcsCorrSettings } from '../../numeric/xpcs/corr-settings';

/** What stagebook does with each `/xpcs` field. */
export const XPCS_CORR_FIELDS = {
  dqmap: 'honoured: dynamic q bins (1-based, 0 = excluded)',
  sqmap: 'honoured: static bins',
  mask: 'honoured in the default mode (mask 0 excludes a pixel); compat mode ignores it like corr',
  transposed: 'honoured: ENABLED transposes dqmap/sqmap and swaps the dimensions (configuration.cpp:108-131)',
  data_begin_todo: 'honoured: first data frame (1-based)',
  data_end_todo: 'honoured: last data frame; N = (end-begin+1) // (stride*avg)',
  dark_begin_todo: 'honoured: dark block (dense frames only)',
  dark_end_todo: 'honoured: dark block; begin == end or end == 0 means no dark',
  lld: 'honoured: threshold v > lld + sigma*dark_std (with a dark block)',
  sigma: 'honoured: see lld',
  delays_per_level: 'honoured: multi-tau delays per level',
  stride_frames: 'honoured',
  avg_frames: 'honoured',
  static_mean_window_size: 'honoured: partition-mean-partial windows',
  normalize_by_framesum: 'honoured',
  flatfield_enabled: 'honoured: ENABLED multiplies by /measurement/instrument/detector/flatfield',
  analysis_type: 'honoured: Multitau or Twotime',
  smoothing_method: 'honoured (Twotime): symmetric or StaticMap, case-insensitive',
  smoothing_filter: 'honoured (Twotime): Average or None',
  qphi_bin_to_process: 'honoured (Twotime): q-bins to correlate',
  twotime2onetime_window_size: 'honoured (Twotime): g2partials window',
  input_file_local: 'honoured: the frame file when none is given',
  output_data: 'honoured: the result group',
  compression: 'honoured: must agree with the frame file (corr decides from the IMM header)',
  data_begin: 'descriptive (corr reads it but never uses it): must contain data_begin_todo',
  data_end: 'descriptive: must contain data_end_todo',
  dark_begin: 'descriptive (corr uses only the _todo fields)',
  dark_end: 'descriptive',
  dqlist: 'descriptive: q of each dynamic bin (copied)',
  sqlist: 'descriptive: q of each static bin (copied)',
  dphilist: 'descriptive (copied)',
  sphilist: 'descriptive (copied)',
  dnoq: 'descriptive: number of dynamic bins (copied)',
  snoq: 'descriptive: number of static bins (copied)',
  Version: 'descriptive (copied)',
  // Further fields of real 8-ID configurations (gladier-xpcs tools/xpcs_qc.py lists them); corr never reads them.
  dnophi: 'descriptive: angular dynamic bins',
  snophi: 'descriptive',
  dqspan: 'descriptive: q edges',
  sqspan: 'descriptive',
  dphispan: 'descriptive',
  sphispan: 'descriptive',
  swbinX: 'descriptive: static binning used to build the maps',
  swbinY: 'descriptive',
  input_file_remote: 'descriptive',
  output_file_local: 'descriptive',
  output_file_remote: 'descriptive',
  qmap_hdf5_filename: 'descriptive',
  specfile: 'descriptive',
  specscan_dark_number: 'descriptive',
  specscan_data_number: 'descriptive',
  batches: 'descriptive',
  num_g2partials: 'descriptive (g2partials count follows twotime2onetime_window_size)',
  dynamic_mean_window_size: 'descriptive (corr has no dynamic mean window)',
  normalization_method: 'descriptive (partition_norm_factor always uses the transmitted flux, as corr)',
  blemish_enabled: 'honoured only as DISABLED: neither corr nor stagebook applies a blemish file; ENABLED is refused',
  kinetics: 'honoured only as DISABLED: kinetics-mode frames are not supported; ENABLED is refused',
  normalize_by_smoothed_img: 'honoured only as 0: corr does not implement it; other values are refused',
} as const;

/** Settings neither corr nor stagebook implements: only their "off" values are accepted. */
const OFF_ONLY: Record<string, string[]> = {
  blemish_enabled: ['DISABLED'],
  kinetics: ['DISABLED'],
  normalize_by_smoothed_img: ['0'],
};

export interface ReadXpcsCorrConfigOptions {
  compat?: 'none' | 'xpcs-eigen';
  /** Entry group (corr --entry / --inpath, default /xpcs). */
  inpath?: string;
  g2out?: boolean;
  darkout?: boolean;
  frameout?: number;
}

export interface XpcsCorrConfig {
  file: string;
  settings: XpcsCorrSettings;
  /** `output_data` (default /exchange). */
  outputData: string;
  inputFileLocal: string | null;
  /** `compression` as written (ENABLED = sparse IMM expected), null when absent. */
  compression: boolean | null;
}

const DET = '/measurement/instrument/detector/';

class FieldReader {
  constructor(
    readonly r: Hdf5Reader,
    readonly entry: string,
    readonly where: string,
  ) {}

  path(name: string): string {
    return `${this.entry}/${name}`;
  }

  has(name: string): boolean {
    return this.r.has(this.path(name));
  }

  int(name: string, dflt?: number): number {
    if (!this.has(name)) {
      if (dflt !== undefined) return dflt;
      throw new StagebookError('E_MISSING_DATASET', `${this.where}: ${this.r.file}: ${this.path(name)} is required`, {
        where: this.where,
        file: this.r.file,
        dataset: this.path(name),
      });
    }
    const v = this.r.readScalar(this.path(name), this.where);
    if (!Number.isInteger(v)) configUnsupported(this.where, this.path(name), v, 'must be an integer');
    return v;
  }

  float(name: string, dflt: number): number {
    return this.has(name) ? this.r.readScalar(this.path(name), this.where) : dflt;
  }

  str(name: string, dflt: string | null): string | null {
    return this.has(name) ? this.r.readString(this.path(name), this.where).trim() : dflt;
  }

  oneOf<T extends string>(name: string, dflt: T, allowed: readonly T[], caseInsensitive = false): T {
    const v = this.str(name, dflt)!;
    const hit = allowed.find((a) => (caseInsensitive ? a.toLowerCase() === v.toLowerCase() : a === v));
    if (hit === undefined) configUnsupported(this.where, this.path(name), v, `expected one of ${allowed.join(', ')}`);
    return hit;
  }
}

function refuseUnknownFields(f: FieldReader): void {
  const prefix = f.entry + '/';
  for (const p of f.r.datasetPaths()) {
    if (!p.startsWith(prefix)) continue;
    const name = p.slice(prefix.length);
    if (!(name in XPCS_CORR_FIELDS)) {
      let shown = '…';
      try {
        const d = f.r.read(p, f.where);
        shown = typeof d.value === 'string' || typeof d.value === 'number' ? String(d.value) : `[${d.shape}]`;
      } catch {
        /* the name alone identifies it */
      }
      configUnsupported(
        f.where,
        p,
        shown,
        'not a setting corr or stagebook knows; remove it or extend XPCS_CORR_FIELDS after checking what it means',
      );
    }
  }
}

function refuseEnabledUnsupported(f: FieldReader): void {
  for (const [name, allowed] of Object.entries(OFF_ONLY)) {
    if (!f.has(name)) continue;
    const d = f.r.read(f.path(name), f.where);
    const v =
      typeof d.value === 'number'
        ? String(d.value)
        : typeof d.value === 'string'
          ? d.value.trim()
          : ArrayBuffer.isView(d.value) && d.value.length === 1
            ? String(d.value[0])
            : JSON.stringify(d.value);
    if (!allowed.includes(v))
      configUnsupported(
        f.where,
        f.path(name),
        v,
        `only ${allowed.join('/')} is supported (${XPCS_CORR_FIELDS[name as keyof typeof XPCS_CORR_FIELDS]})`,
      );
  }
}

function readMaps(f: FieldReader): {
  dq: Float64Array;
  sq: Float64Array;
  mask: Float64Array | null;
  shape: [number, number];
} {
  const dq = f.r.readNumeric(f.path('dqmap'), f.where);
  const sq = f.r.readNumeric(f.path('sqmap'), f.where);
  const x = f.r.readScalar(DET + 'x_dimension', f.where);
  const y = f.r.readScalar(DET + 'y_dimension', f.where);
  if (dq.data.length !== x * y || sq.data.length !== x * y) {
    configUnsupported(
      f.where,
      f.path('dqmap'),
      `[${dq.shape}]`,
      `the detector is ${y}x${x} (y_dimension x x_dimension); dqmap/sqmap must hold ${x * y} values`,
    );
  }
  const mask = f.has('mask') ? f.r.readNumeric(f.path('mask'), f.where).data : null;
  if (mask && mask.length !== x * y)
    configUnsupported(f.where, f.path('mask'), `[${mask.length}]`, `must hold ${x * y} values`);
  const transposed = f.oneOf('transposed', 'DISABLED', ['ENABLED', 'DISABLED']);
  if (transposed === 'DISABLED') return { dq: dq.data, sq: sq.data, mask, shape: [y, x] };
  // configuration.cpp:114-131: the maps are stored transposed; new[row*ydim + col] = old[col*xdim + row].
  const t = (a: Float64Array) => {
    const o = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) o[(i % x) * y + Math.floor(i / x)] = a[i];
    return o;
  };
  return { dq: t(dq.data), sq: t(sq.data), mask: mask && t(mask), shape: [x, y] };
}

/** corr reads qphi_bin_to_process as dims[0] longs (configuration.cpp:228-231): an (n, 1) dataset; compat reproduces the other shapes' quirks. */
function qphiBins(f: FieldReader, compat: boolean, twoTime: boolean): number[] {
  if (!f.has('qphi_bin_to_process')) {
    if (twoTime)
      configUnsupported(f.where, f.path('qphi_bin_to_process'), 'missing', 'Twotime needs the q-bins to process');
    return [];
  }
  const { data, shape } = f.r.readNumeric(f.path('qphi_bin_to_process'), f.where);
  const bins = compat ? Array.from(data.subarray(0, shape.length < 2 ? 0 : shape[0])) : Array.from(data);
  return bins.map((b) => Math.trunc(b));
}

function checkDescriptive(f: FieldReader, begin: number, end: number): void {
  if (f.has('data_begin') && f.int('data_begin') > begin)
    configUnsupported(f.where, f.path('data_begin'), f.int('data_begin'), `data_begin_todo = ${begin} lies before it`);
  if (f.has('data_end') && f.int('data_end') < end)
    configUnsupported(f.where, f.path('data_end'), f.int('data_end'), `data_end_todo = ${end} lies after it`);
}

const NORM_INPUTS = {
  xPixelSize: DET + 'x_pixel_size',
  yPixelSize: DET + 'y_pixel_size',
  aduPerPhoton: DET + 'adu_per_photon',
  exposureTime: DET + 'exposure_time',
  efficiency: DET + 'efficiency',
  distance: DET + 'distance',
  beamIntensityTransmitted: '/measurement/instrument/source_begin/beam_intensity_transmitted',
  thickness: '/measurement/sample/thickness',
} as const;

/** partition_norm_factor inputs, or null when one is absent (the dataset is then not written). */
function normFactorInputs(r: Hdf5Reader, where: string): Record<keyof typeof NORM_INPUTS, number> | null {
  if (Object.values(NORM_INPUTS).some((p) => !r.has(p))) return null;
  return Object.fromEntries(Object.entries(NORM_INPUTS).map(([k, p]) => [k, r.readScalar(p, where)])) as Record<
    keyof typeof NORM_INPUTS,
    number
  >;
}

const FIELD_OF: Record<string, string> = {
  dataBeginTodo: 'data_begin_todo',
  dataEndTodo: 'data_end_todo',
  darkBeginTodo: 'dark_begin_todo',
  darkEndTodo: 'dark_end_todo',
  lld: 'lld',
  sigma: 'sigma',
  delaysPerLevel: 'delays_per_level',
  strideFrames: 'stride_frames',
  avgFrames: 'avg_frames',
  staticMeanWindowSize: 'static_mean_window_size',
  twotime2onetimeWindowSize: 'twotime2onetime_window_size',
  qphiBinToProcess: 'qphi_bin_to_process',
};

/** Schema failures of values read from the file are configuration refusals naming the /xpcs field. */
function parseAsConfig(where: string, entry: string, input: Record<string, unknown>): XpcsCorrSettings {
  try {
    return parseXpcsCorrSettings(where, input);
  } catch (e) {
    const key = String((e as { context?: { field?: string } }).context?.field ?? '').split('.')[0];
    if (!(key in FIELD_OF)) throw e;
    return configUnsupported(where, `${entry}/${FIELD_OF[key]}`, JSON.stringify(input[key]), (e as Error).message);
  }
}

/** Builds corr settings from an open file (see readXpcsCorrConfig). */
export function xpcsCorrConfigFrom(
  r: Hdf5Reader,
  options: ReadXpcsCorrConfigOptions = {},
  where = 'readXpcsCorrConfig',
): XpcsCorrConfig {
  const compat = (options.compat ?? 'none') === 'xpcs-eigen';
  const entry = (options.inpath ?? '/xpcs').replace(/\/+$/, '');
  const f = new FieldReader(r, entry, where);
  refuseUnknownFields(f);
  refuseEnabledUnsupported(f);
  const maps = readMaps(f);
  const analysisType = f.oneOf('analysis_type', 'Multitau', ['Multitau', 'Twotime']);
  const twoTime = analysisType === 'Twotime';
  const darkBeginTodo = f.int('dark_begin_todo', 0);
  const darkEndTodo = f.int('dark_end_todo', 0);
  if (darkEndTodo !== 0 && darkEndTodo < darkBeginTodo)
    configUnsupported(
      where,
      f.path('dark_end_todo'),
      darkEndTodo,
      `before dark_begin_todo = ${darkBeginTodo} (undefined in corr)`,
    );
  const flat = f.oneOf('flatfield_enabled', 'DISABLED', ['ENABLED', 'DISABLED']);
  const dataBeginTodo = f.int('data_begin_todo');
  const dataEndTodo = f.int('data_end_todo');
  checkDescriptive(f, dataBeginTodo, dataEndTodo);
  if (twoTime && !f.has('twotime2onetime_window_size'))
    configUnsupported(
      where,
      f.path('twotime2onetime_window_size'),
      'missing',
      'Twotime needs it (corr dies with SIGFPE without it)',
    );
  const compression = f.has('compression')
    ? f.oneOf('compression', 'DISABLED', ['ENABLED', 'DISABLED']) === 'ENABLED'
    : null;
  const settings = parseAsConfig(where, entry, {
    compat: compat ? 'xpcs-eigen' : 'none',
    shape: maps.shape,
    dqmap: maps.dq,
    sqmap: maps.sq,
    mask: maps.mask,
    dataBeginTodo,
    dataEndTodo,
    darkBeginTodo,
    darkEndTodo,
    lld: f.float('lld', 0),
    sigma: f.float('sigma', 0),
    delaysPerLevel: f.int('delays_per_level'),
    strideFrames: f.int('stride_frames', 1),
    avgFrames: f.int('avg_frames', 1),
    staticMeanWindowSize: f.int('static_mean_window_size'),
    normalizeByFramesum: f.int('normalize_by_framesum', 0) !== 0,
    flatfield: flat === 'ENABLED' ? r.readNumeric(DET + 'flatfield', where).data : null,
    analysisType,
    smoothingMethod: f.oneOf('smoothing_method', 'symmetric', ['symmetric', 'StaticMap'], true),
    smoothingFilter: f.oneOf('smoothing_filter', 'None', ['Average', 'None'], true),
    qphiBinToProcess: qphiBins(f, compat, twoTime),
    twotime2onetimeWindowSize: f.int('twotime2onetime_window_size', 1),
    normFactor: normFactorInputs(r, where),
    g2out: options.g2out ?? false,
    darkout: options.darkout ?? false,
    frameout: options.frameout ?? 0,
  });
  return {
    file: r.file,
    settings,
    outputData: f.str('output_data', '/exchange')!,
    inputFileLocal: f.str('input_file_local', null),
    compression,
  };
}

/**
 * Reads the corr configuration of `file`; every field under `inpath` (default /xpcs) is honoured
 * or refused (E_CONFIG_UNSUPPORTED naming `/xpcs/<field> = <value>`).
 */
export async function readXpcsCorrConfig(
  file: string,
  options: ReadXpcsCorrConfigOptions = {},
): Promise<XpcsCorrConfig> {
  return withHdf5(file, (r) => xpcsCorrConfigFrom(r, options), 'readXpcsCorrConfig');
}

/** `compression` must agree with the frame file (corr silently trusts the IMM header instead). */
export function checkCompression(config: XpcsCorrConfig, sparseFrames: boolean, frameFile: string): void {
  if (config.settings.compat === 'xpcs-eigen' || config.compression === null || config.compression === sparseFrames)
    return;
  configUnsupported(
    'readXpcsCorrConfig',
    '/xpcs/compression',
    config.compression ? 'ENABLED' : 'DISABLED',
    `but ${frameFile} holds ${sparseFrames ? 'sparse (compressed)' : 'dense'} frames`,
  );
}
