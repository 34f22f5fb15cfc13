/**
 * The XPCS decay model fitted per q: g2(t) = baseline + beta * exp(-2 (t / tau)^k)
 * (a stretched exponential; k = 1 for simple diffusion), as in the 8-ID plots' `*FIT1` datasets.
 */
import { StagebookError } from '../errors/stagebook-error';
import { leastSquares, type LeastSquaresResult } from './least-squares';

export interface G2FitOptions {
  /** Fit the stretching exponent k (default false: k fixed at 1). */
  fitExponent?: boolean;
  /** Ignore lags below this (default: none). */
  minTau?: number;
  /** Ignore lags above this (default: none). */
  maxTau?: number;
}

export interface G2Fit {
  baseline: number;
  beta: number;
  tau: number;
  exponent: number;
  /** One-sigma errors of [baseline, beta, tau(, exponent)]. */
  baselineErr: number;
  betaErr: number;
  tauErr: number;
  exponentErr: number;
  reducedChiSquare: number;
  converged: boolean;
}

/** The model itself (for plotting fitted curves). */
export function g2Model(t: number, baseline: number, beta: number, tau: number, exponent = 1): number {
  return baseline + beta * Math.exp(-2 * Math.pow(t / tau, exponent));
}

/**
 * Fits one g2 curve. `taus` are lags (frames or seconds), `g2` the values, `stderr` optional
 * per-point errors (weights). Initial guesses: baseline = last value, beta = first - last,
 * tau = lag where g2 falls to half of its contrast.
 */
export function fitG2Decay(
  taus: ArrayLike<number>,
  g2: ArrayLike<number>,
  stderr?: ArrayLike<number>,
  options: G2FitOptions = {},
): G2Fit {
  if (taus.length !== g2.length || (stderr && stderr.length !== g2.length)) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `fitG2Decay: taus (${taus.length}), g2 (${g2.length}) and stderr (${stderr?.length ?? '-'}) must have one value per lag`,
      { where: 'fitG2Decay' },
    );
  }
  const keep = Array.from({ length: taus.length }, (_, i) => i).filter(
    (i) => taus[i] > 0 && taus[i] >= (options.minTau ?? 0) && taus[i] <= (options.maxTau ?? Infinity),
  );
  const x = keep.map((i) => taus[i]);
  const y = keep.map((i) => g2[i]);
  const sigma = stderr ? keep.map((i) => stderr[i]) : undefined;
  if (x.length < 4)
    throw new StagebookError('E_EMPTY_INPUT', `fitG2Decay: ${x.length} usable lags, need at least 4`, {
      where: 'fitG2Decay',
    });
  const base0 = y[y.length - 1];
  const beta0 = Math.max(y[0] - base0, 1e-6);
  const half = x.find((_, i) => y[i] - base0 < beta0 / 2) ?? x[Math.floor(x.length / 2)];
  const fitK = options.fitExponent === true;
  const r: LeastSquaresResult = leastSquares({
    model: (t, p) => g2Model(t, p[0], p[1], p[2], fitK ? p[3] : 1),
    x,
    y,
    sigma,
    initial: fitK ? [base0, beta0, half, 1] : [base0, beta0, half],
    lower: fitK ? [-Infinity, 0, 1e-12, 0.1] : [-Infinity, 0, 1e-12],
    upper: fitK ? [Infinity, Infinity, Infinity, 5] : undefined,
  });
  return {
    baseline: r.params[0],
    beta: r.params[1],
    tau: r.params[2],
    exponent: fitK ? r.params[3] : 1,
    baselineErr: r.errors[0],
    betaErr: r.errors[1],
    tauErr: r.errors[2],
    exponentErr: fitK ? r.errors[3] : 0,
    reducedChiSquare: r.reducedChiSquare,
    converged: r.converged,
  };
}
