/**
 * `findPeaksCwt`: scipy.signal.find_peaks_cwt (scipy 1.10) = cwt -> _identify_ridge_lines ->
 * _filter_ridge_lines -> sorted first column of each surviving ridge line.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { toFloat64, type NumericArray } from '../validate';
import { checkOptionKeys, signalArg } from './args';
import { cwtMatrix, filterRidgeLines, identifyRidgeLines, rickerWavelet, type WaveletFunction } from './cwt';

export interface FindPeaksCwtOptions {
  /** 'ricker' (default) or a real wavelet function `(points, width) => samples`. */
  wavelet?: 'ricker' | WaveletFunction;
  /** Per-row maximum column jump of a ridge line; default widths / 4. */
  maxDistances?: NumericArray | null;
  /** Maximum number of rows a ridge line may skip; default ceil(widths[0]). */
  gapThresh?: number | null;
  /** Minimum ridge line length in rows; default ceil(len(widths) / 4). */
  minLength?: number | null;
  /** Minimum signal-to-noise ratio; default 1. */
  minSnr?: number;
  /** Percentile of row 0 used as noise floor; default 10. */
  noisePerc?: number;
  /** Window of the noise percentile; default ceil(len(x) / 20). */
  windowSize?: number | null;
}

const WHERE = 'findPeaksCwt';
const OPTION_KEYS = ['wavelet', 'maxDistances', 'gapThresh', 'minLength', 'minSnr', 'noisePerc', 'windowSize'] as const;

function invalid(field: string, message: string): never {
  throw new StagebookError('E_INVALID_ARGUMENT', `${WHERE}: \`${field}\` ${message}`, { where: WHERE, field });
}

function optionalNumber(opts: Record<string, unknown>, key: string, field: string): number | undefined {
  const v = opts[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || Number.isNaN(v)) invalid(field, `must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function widthsArg(widths: unknown): Float64Array {
  const w = typeof widths === 'number' ? Float64Array.of(widths) : toFloat64(WHERE, 'widths', widths);
  if (w.length === 0) invalid('widths', 'must not be empty');
  for (const v of w) if (!(v > 0 && Number.isFinite(v))) invalid('widths', `must be positive finite numbers, got ${v}`);
  return w;
}

function waveletArg(v: unknown): WaveletFunction {
  if (v === undefined || v === null || v === 'ricker') return rickerWavelet;
  if (typeof v === 'function') return v as WaveletFunction;
  invalid('wavelet', `must be 'ricker' or a function (points, width) => samples, got ${JSON.stringify(v)}`);
}

/**
 * Finds peaks with the continuous wavelet transform, exactly as scipy.signal.find_peaks_cwt in
 * scipy 1.10 (Du et al. 2006 ridge-line method). Returns the ascending peak indices (duplicates are
 * possible, as in scipy).
 *
 * @throws StagebookError for an empty or NaN-containing x, empty/non-positive widths, too few
 *   maxDistances, noisePerc outside [0, 100], a negative windowSize or bad option types.
 */
export function findPeaksCwt(
  x: NumericArray,
  widths: NumericArray | number,
  options: FindPeaksCwtOptions = {},
): Int32Array {
  const opts = checkOptionKeys(WHERE, options, OPTION_KEYS);
  const xs = signalArg(WHERE, x);
  const w = widthsArg(widths);
  const wavelet = waveletArg(opts.wavelet);
  const gapThresh = optionalNumber(opts, 'gapThresh', 'gap_thresh') ?? Math.ceil(w[0]);
  const maxDistances =
    opts.maxDistances === undefined || opts.maxDistances === null
      ? w.map((v) => v / 4.0)
      : toFloat64(WHERE, 'max_distances', opts.maxDistances);
  if (maxDistances.length < w.length)
    invalid('max_distances', `must have at least as many entries as widths (${maxDistances.length} < ${w.length})`);
  const windowSize = optionalNumber(opts, 'windowSize', 'window_size');
  if (windowSize !== undefined && windowSize < 0) invalid('window_size', `must be >= 0, got ${windowSize}`);
  const filterOptions = {
    windowSize,
    minLength: optionalNumber(opts, 'minLength', 'min_length'),
    minSnr: optionalNumber(opts, 'minSnr', 'min_snr') ?? 1,
    noisePerc: optionalNumber(opts, 'noisePerc', 'noise_perc') ?? 10,
  };
  const matrix = cwtMatrix(xs, w, wavelet);
  const lines = identifyRidgeLines(matrix, maxDistances, gapThresh);
  const kept = filterRidgeLines(matrix, lines, filterOptions);
  return Int32Array.from(kept, (line) => line.cols[0]).sort();
}
