/**
 * The metrics ALEXIS ranks its LASSO fits by (pipeline/create_peakfinder_scale.py: fit_all_zoom_LASSO
 * and calculate_fits_metric_distance, with modules/LASSO_metrics_module.py), for fit = A.b:
 * MSE (sklearn mean_squared_error), RMSE, Pearson r and p (scipy.stats.mstats.pearsonr),
 * vector_fit = <fit, x> / <fit, fit> and E_tot = sum(x) / sum(fit) (the closed forms of the
 * one-variable least squares ALEXIS solves with cvxpy), and
 * distance = sqrt(RMSE^2 + MSE^2 + (1 - vector_fit)^2 + (1 - E_tot)^2 + (1 - r)^2 / 4),
 * summed left to right. A zero denominator gives NaN (the least-squares problem has no unique
 * minimiser); NaN propagates into distance (ALEXIS' pandas sum would skip it: see
 * shared/oracle/README-alexis.md, lasso_metrics).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { pearsonrMasked, type PearsonrWarning } from '../signals';
import { requireFinite, toFloat64, type NumericArray } from '../validate';
import { matVec, toMatrix, type DenseMatrix } from './bounded-lasso';

export interface LassoFitMetrics {
  MSE: number;
  RMSE: number;
  /** Pearson r of (x, fit); NaN for constant input or fewer than 2 samples. */
  r: number;
  p: number;
  vectorFit: number;
  eTot: number;
  distance: number;
  fit: Float64Array;
  /** scipy's warnings (e.g. ConstantInputWarning). */
  warnings: PearsonrWarning[];
}

/** a / b, NaN when b is 0 (no unique least-squares scale). */
function ratio(a: number, b: number): number {
  return b === 0 ? NaN : a / b;
}

/**
 * Metrics of the fit A.b against x (see the module comment).
 * @throws StagebookError E_INVALID_SHAPE (b length vs A columns, x length vs A rows), E_NON_FINITE
 */
export function lassoFitMetrics(A: DenseMatrix, x: NumericArray, b: NumericArray): LassoFitMetrics {
  const where = 'lassoFitMetrics';
  const a = toMatrix(where, 'A', A);
  const xs = toFloat64(where, 'x', x);
  const bs = toFloat64(where, 'b', b);
  if (bs.length !== a.cols) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: shapes (${a.rows},${a.cols}) and (${bs.length},) not aligned: b must have one value per column of A`,
      { where, field: 'b' },
    );
  }
  if (xs.length !== a.rows) {
    throw new StagebookError('E_INVALID_SHAPE', `${where}: x has length ${xs.length} but A has ${a.rows} rows`, {
      where,
      field: 'x',
    });
  }
  requireFinite(where, 'A', a.data);
  requireFinite(where, 'x', xs);
  requireFinite(where, 'b', bs);
  const fit = matVec(a, bs);
  let sq = 0;
  let fx = 0;
  let ff = 0;
  let sumX = 0;
  let sumFit = 0;
  for (let i = 0; i < fit.length; i++) {
    sq += (xs[i] - fit[i]) ** 2;
    fx += fit[i] * xs[i];
    ff += fit[i] * fit[i];
    sumX += xs[i];
    sumFit += fit[i];
  }
  const MSE = sq / fit.length;
  const RMSE = Math.sqrt(MSE);
  const pr = pearsonrMasked(xs, fit);
  const vectorFit = ratio(fx, ff);
  const eTot = ratio(sumX, sumFit);
  const r = pr.statistic;
  const distance = Math.sqrt(RMSE ** 2 + MSE ** 2 + (1 - vectorFit) ** 2 + (1 - eTot) ** 2 + (1 - r) ** 2 / 4);
  return { MSE, RMSE, r, p: pr.pvalue, vectorFit, eTot, distance, fit, warnings: pr.warnings };
}
