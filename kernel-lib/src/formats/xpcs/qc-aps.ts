/**
 * The complete QC list of the 8-ID pipeline (gladier-xpcs@fc3f38f `tools/xpcs_qc.py`
 * `expected_datasets`): every dataset path the QC and plotting step reads, with the exact number
 * of dimensions it checks (`len(dset.shape) == n`). checkXpcsFile (qc.ts) is the tolerant check
 * stagebook's own files pass; this one reproduces xpcs_qc.py, so a result file meant for the APS
 * tools can be checked before it is handed over (missing /measurement metadata shows up here).
 */
import { withHdf5, type Hdf5Reader } from '../hdf5/reader';

export interface XpcsApsQcItem {
  path: string;
  ndim: number;
}

const under = (group: string, ndim: number, names: string): XpcsApsQcItem[] =>
  names.split(' ').map((n) => ({ path: `${group}/${n}`, ndim }));

/** xpcs_qc.py expected_datasets, in its order, grouped by parent and dimension count. */
export const XPCS_APS_QC_LIST: readonly XpcsApsQcItem[] = [
  ...under('/exchange', 2, 'baselineErrFIT1 baselineErrFIT2 baselineFIT1 baselineFIT2 contrastErrFIT1'),
  ...under('/exchange', 2, 'contrastErrFIT2 contrastFIT1 contrastFIT2 exponentErrFIT2 exponentFIT2 frameSum'),
  ...under('/exchange', 2, 'norm-0-g2 norm-0-stderr partition-mean-partial partition-mean-total'),
  ...under('/exchange', 2, 'partition_norm_factor pixelSum tau tauErrFIT1 tauErrFIT2 tauFIT1 tauFIT2'),
  ...under('/exchange', 2, 'timestamp_clock timestamp_tick'),
  ...under('/exchange', 3, 'g2avgFIT1 g2avgFIT2'),
  ...under('', 2, 'hdf_metadata_version'),
  ...under('/measurement/instrument/acquisition', 2, 'angle attenuation beam_center_x beam_center_y beam_size_H'),
  ...under('/measurement/instrument/acquisition', 2, 'beam_size_V ccdxspec ccdzspec dark_begin dark_end data_begin'),
  ...under('/measurement/instrument/acquisition', 2, 'data_end specscan_dark_number specscan_data_number stage_x'),
  ...under('/measurement/instrument/acquisition', 2, 'stage_z stage_zero_x stage_zero_z xspec zspec'),
  ...under('/measurement/instrument/acquisition', 0, 'compression data_folder datafilename parent_folder'),
  ...under('/measurement/instrument/acquisition', 0, 'root_folder specfile'),
  ...under('/measurement/instrument/detector', 2, 'adu_per_photon bit_depth distance efficiency exposure_period'),
  ...under('/measurement/instrument/detector', 2, 'exposure_time flatfield gain lld sigma x_binning x_dimension'),
  ...under('/measurement/instrument/detector', 2, 'x_pixel_size y_binning y_dimension y_pixel_size'),
  ...under('/measurement/instrument/detector', 0, 'blemish_enabled flatfield_enabled geometry kinetics_enabled'),
  ...under('/measurement/instrument/detector', 0, 'manufacturer'),
  ...under('/measurement/instrument/detector/kinetics', 2, 'first_usable_window last_usable_window top window_size'),
  ...under('/measurement/instrument/detector/roi', 2, 'x1 x2 y1 y2'),
  ...under('/measurement/instrument/source_begin', 2, 'beam_intensity_incident beam_intensity_transmitted current'),
  ...under('/measurement/instrument/source_begin', 2, 'energy'),
  ...under('/measurement/instrument/source_begin', 0, 'datetime'),
  ...under('/measurement/instrument/source_end', 2, 'current'),
  ...under('/measurement/instrument/source_end', 0, 'datetime'),
  ...under('/measurement/sample', 2, 'orientation temperature_A temperature_A_set temperature_B temperature_B_set'),
  ...under('/measurement/sample', 2, 'thickness translation translation_table'),
  ...under('/xpcs', 0, 'Version analysis_type blemish_enabled compression flatfield_enabled input_file_local'),
  ...under('/xpcs', 0, 'input_file_remote kinetics normalization_method output_data output_file_local'),
  ...under('/xpcs', 0, 'output_file_remote qmap_hdf5_filename smoothing_method specfile'),
  ...under('/xpcs', 2, 'avg_frames batches dark_begin dark_begin_todo dark_end dark_end_todo data_begin'),
  ...under('/xpcs', 2, 'data_begin_todo data_end data_end_todo delays_per_level dnophi dnoq dphilist dphispan'),
  ...under('/xpcs', 2, 'dqlist dqmap dqspan dynamic_mean_window_size lld mask normalize_by_framesum'),
  ...under('/xpcs', 2, 'normalize_by_smoothed_img num_g2partials qphi_bin_to_process sigma snophi snoq'),
  ...under('/xpcs', 2, 'specscan_dark_number specscan_data_number sphilist sphispan sqlist sqmap sqspan'),
  ...under('/xpcs', 2, 'static_mean_window_size stride_frames swbinX swbinY twotime2onetime_window_size'),
];

export interface XpcsApsQcReport {
  file: string;
  ok: boolean;
  checked: number;
  /** Paths xpcs_qc.py would report as bad or missing. */
  bad: Array<{ path: string; expected: number; actual: number | null }>;
}

/** Runs the xpcs_qc.py check on an open file (`/exchange` replaced by `outputData`). */
export function xpcsApsQcFrom(r: Hdf5Reader, outputData = '/exchange'): XpcsApsQcReport {
  const g = outputData.replace(/\/+$/, '');
  const bad: XpcsApsQcReport['bad'] = [];
  for (const it of XPCS_APS_QC_LIST) {
    const p = it.path.startsWith('/exchange/') ? g + it.path.slice('/exchange'.length) : it.path;
    const actual = r.has(p) ? r.shapeOf(p).length : null;
    if (actual !== it.ndim) bad.push({ path: p, expected: it.ndim, actual });
  }
  return { file: r.file, ok: bad.length === 0, checked: XPCS_APS_QC_LIST.length, bad };
}

export async function checkXpcsFileAps(file: string, outputData = '/exchange'): Promise<XpcsApsQcReport> {
  return withHdf5(file, (r) => xpcsApsQcFrom(r, outputData), 'checkXpcsFileAps');
}
