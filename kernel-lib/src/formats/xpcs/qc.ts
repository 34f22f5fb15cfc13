/**
 * QC checklist of a legacy XPCS result file, after gladier-xpcs `tools/xpcs_qc.py` (expected
 * dataset paths and their number of dimensions). Paths and shapes come from the seed notes'
 * `/xpcs`, `/measurement` and `/exchange` tables. Scalars are accepted as () or the (1,1)/(1,)
 * arrays legacy files store them as. Fit datasets are produced by a separate fitting step, so
 * they are opt-in (`includeFits`).
 */
import { invalidArgument } from '../../errors/stagebook-error';
import { withHdf5, type Hdf5Reader } from '../hdf5/reader';

export interface XpcsQcItem {
  path: string;
  /** Accepted numbers of dimensions. */
  ndim: number[];
  /** Which analyses need it. */
  when: 'always' | 'multitau' | 'twotime' | 'fit';
}

const SCALAR = [0, 1, 2];
const item = (path: string, ndim: number[], when: XpcsQcItem['when'] = 'always'): XpcsQcItem => ({ path, ndim, when });

const CONFIG_SCALARS = ['delays_per_level', 'stride_frames', 'avg_frames', 'static_mean_window_size', 'dnoq', 'snoq'];
const DETECTOR_SCALARS = [
  'x_dimension',
  'y_dimension',
  'x_pixel_size',
  'y_pixel_size',
  'adu_per_photon',
  'exposure_time',
  'exposure_period',
  'efficiency',
  'distance',
];
const FIT_NAMES = ['contrast', 'baseline', 'tau', 'exponent'];

/** The checklist (paths relative to a result group of "/exchange"). */
export const XPCS_QC_CHECKLIST: readonly XpcsQcItem[] = [
  item('/xpcs/dqmap', [2]),
  item('/xpcs/sqmap', [2]),
  item('/xpcs/dqlist', [1, 2]),
  item('/xpcs/sqlist', [1, 2]),
  item('/xpcs/dphilist', [1, 2]),
  item('/xpcs/sphilist', [1, 2]),
  item('/xpcs/mask', [2]),
  item('/xpcs/analysis_type', SCALAR),
  item('/xpcs/Version', SCALAR),
  ...CONFIG_SCALARS.map((n) => item(`/xpcs/${n}`, SCALAR)),
  ...DETECTOR_SCALARS.map((n) => item(`/measurement/instrument/detector/${n}`, SCALAR)),
  item('/exchange/pixelSum', [2]),
  item('/exchange/frameSum', [2]),
  item('/exchange/partition-mean-total', [2]),
  item('/exchange/partition-mean-partial', [2]),
  item('/exchange/timestamp_clock', [2]),
  item('/exchange/timestamp_tick', [2]),
  item('/exchange/norm-0-g2', [2], 'multitau'),
  item('/exchange/norm-0-stderr', [2], 'multitau'),
  item('/exchange/tau', [2], 'multitau'),
  item('/exchange/g2full', [2], 'twotime'),
  item('/exchange/g2partials', [3], 'twotime'),
  ...[1, 2].flatMap((k) => [
    ...FIT_NAMES.flatMap((n) => [
      item(`/exchange/${n}FIT${k}`, [1, 2], 'fit'),
      item(`/exchange/${n}ErrFIT${k}`, [1, 2], 'fit'),
    ]),
    item(`/exchange/g2avgFIT${k}`, [2, 3], 'fit'), // xpcs_qc.py expects 3 dimensions
  ]),
];

export interface XpcsQcOptions {
  /** 'Multitau' (default) or 'Twotime': which result datasets are required. */
  analysisType?: 'Multitau' | 'Twotime';
  /** Also require the fit datasets (default false). */
  includeFits?: boolean;
  /** Result group (default "/exchange"). */
  outputData?: string;
}

export interface XpcsQcReport {
  file: string;
  ok: boolean;
  checked: number;
  missing: string[];
  wrongDims: Array<{ path: string; expected: number[]; actual: number }>;
}

/** Runs the checklist on an open file. */
export function xpcsQcFrom(r: Hdf5Reader, options: XpcsQcOptions = {}): XpcsQcReport {
  const type = options.analysisType ?? 'Multitau';
  if (type !== 'Multitau' && type !== 'Twotime')
    invalidArgument(
      'checkXpcsFile',
      'options.analysisType',
      `must be 'Multitau' or 'Twotime', got ${JSON.stringify(type)}`,
    );
  const group = (options.outputData ?? '/exchange').replace(/\/+$/, '');
  const wanted = XPCS_QC_CHECKLIST.filter(
    (i) => i.when === 'always' || i.when === type.toLowerCase() || (i.when === 'fit' && options.includeFits),
  );
  const report: XpcsQcReport = { file: r.file, ok: true, checked: wanted.length, missing: [], wrongDims: [] };
  for (const it of wanted) {
    const p = it.path.startsWith('/exchange/') ? group + it.path.slice('/exchange'.length) : it.path;
    if (!r.has(p, 'checkXpcsFile')) {
      report.missing.push(p);
      continue;
    }
    const nd = r.shapeOf(p, 'checkXpcsFile').length;
    if (!it.ndim.includes(nd)) report.wrongDims.push({ path: p, expected: it.ndim, actual: nd });
  }
  report.ok = report.missing.length === 0 && report.wrongDims.length === 0;
  return report;
}

/** Checks `file` against the XPCS QC checklist; never throws for missing datasets (it reports them), E_FORMAT for a corrupt file. */
export async function checkXpcsFile(file: string, options: XpcsQcOptions = {}): Promise<XpcsQcReport> {
  return withHdf5(file, (r) => xpcsQcFrom(r, options), 'checkXpcsFile');
}
