/**
 * Normalised cross-correlation of two equal-length series, the oracle's definition
 * (cross_correlation.json, function "normalised_cross_correlation"):
 *   ncc = scipy.signal.correlate(y - mean(y), x - mean(x), 'full', method='direct') / (n * std(x) * std(y))
 *   lags = correlation_lags(n, n, 'full'); best_lag = lags[argmax(ncc)] (first index on ties)
 * with population std (ddof = 0). A positive best lag means y is x delayed (y = roll(x, lag)).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { requireFinite, requireLength, toFloat64, type NumericArray } from '../validate';
import { correlateSignals, correlationLags, type CorrelationMethod } from './correlate';
import { npMean, npStd } from './summation';

export interface NormalizedCrossCorrelationOptions {
  /** Correlation method; the reference definition uses 'direct' (default). */
  method?: CorrelationMethod;
}

export interface NormalizedCrossCorrelationResult {
  /** ncc at each lag (length 2n - 1). */
  ncc: Float64Array;
  /** Lags -(n-1) .. n-1. */
  lags: Int32Array;
  /** Lag of the first maximum of ncc. */
  bestLag: number;
  /** ncc[argmax]. */
  maxNcc: number;
}

function centred(x: Float64Array): Float64Array {
  const m = npMean(x);
  return x.map((v) => v - m);
}

/**
 * Normalised cross-correlation of x and y (same length n >= 1), see the module comment for the
 * exact formula (numpy means and population standard deviations).
 * @throws StagebookError E_INVALID_SHAPE (length mismatch), E_NON_FINITE, E_EMPTY_INPUT,
 *   E_INVALID_ARGUMENT when x or y is constant (std = 0: the normalisation is undefined)
 */
export function normalizedCrossCorrelation(
  x: NumericArray,
  y: NumericArray,
  options: NormalizedCrossCorrelationOptions = {},
): NormalizedCrossCorrelationResult {
  const where = 'normalizedCrossCorrelation';
  const xs = toFloat64(where, 'x', x);
  const ys = toFloat64(where, 'y', y);
  requireLength(where, 'x', xs, 1);
  if (xs.length !== ys.length) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: x and y must have the same length, got ${xs.length} and ${ys.length}`,
      { where, field: 'y' },
    );
  }
  requireFinite(where, 'x', xs);
  requireFinite(where, 'y', ys);
  const n = xs.length;
  const sx = npStd(xs);
  const sy = npStd(ys);
  for (const [field, s] of [
    ['x', sx],
    ['y', sy],
  ] as const) {
    if (s === 0)
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `${where}: ${field} is constant (std = 0), the normalisation is undefined`,
        { where, field },
      );
  }
  const raw = correlateSignals(centred(ys), centred(xs), { mode: 'full', method: options.method ?? 'direct' });
  const denom = n * sx * sy;
  const ncc = raw.map((v) => v / denom);
  const lags = correlationLags(n, n, 'full');
  let best = 0;
  for (let i = 1; i < ncc.length; i++) if (ncc[i] > ncc[best]) best = i;
  return { ncc, lags, bestLag: lags[best], maxNcc: ncc[best] };
}
