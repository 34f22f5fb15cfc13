/**
 * Pearson correlation with its p-value: scipy.stats.pearsonr (scipy 1.10, 1-D) and
 * scipy.stats.mstats.pearsonr (masked pairs dropped). The p-value is the tail of the exact null
 * distribution of r, a beta(n/2 - 1, n/2 - 1) law on [-1, 1] (scipy: stats.beta(ab, ab, loc=-1,
 * scale=2)), computed with our regularized incomplete beta (betainc.ts).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { toFloat64, type NumericArray } from '../validate';
import { betaincPair } from './betainc';
import { npMean, npSumSquares } from './summation';

export type Alternative = 'two-sided' | 'less' | 'greater';

export interface PearsonrOptions {
  /** Alternative hypothesis (scipy default 'two-sided'). */
  alternative?: Alternative;
}

/**
 * Warnings scipy would emit through `warnings.warn` (the call still returns):
 * 'ConstantInputWarning' (r and p are NaN) and 'NearConstantInputWarning' (r may be inaccurate).
 */
export interface PearsonrWarning {
  type: 'ConstantInputWarning' | 'NearConstantInputWarning';
  message: string;
}

export interface PearsonrResult {
  /** Pearson's r, clipped to [-1, 1]; NaN for constant input. */
  statistic: number;
  /** p-value for `alternative`; NaN for constant input. */
  pvalue: number;
  /** Warnings scipy would have emitted (empty when none). */
  warnings: PearsonrWarning[];
}

export interface PearsonrMaskedResult extends PearsonrResult {
  /** True when fewer than 2 unmasked pairs remain: scipy returns (masked, masked); here NaN, NaN. */
  masked: boolean;
}

function validateAlternative(where: string, alternative: unknown): Alternative {
  if (alternative !== 'two-sided' && alternative !== 'less' && alternative !== 'greater') {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: alternative must be 'two-sided', 'less' or 'greater', got ${JSON.stringify(alternative)}`,
      { where, field: 'alternative' },
    );
  }
  return alternative;
}

/** True when every element equals x[0] (numpy `(x == x[0]).all()`: false as soon as NaN appears). */
function isConstant(x: Float64Array): boolean {
  const x0 = x[0];
  for (let i = 1; i < x.length; i++) if (x[i] !== x0) return false;
  return x0 === x0;
}

/**
 * Euclidean norm (scipy.linalg.norm uses BLAS nrm2, which never overflows): the plain sum of
 * squares, redone on data scaled by max|x| only when that sum overflows or underflows.
 */
function norm2(x: Float64Array): number {
  const s = npSumSquares(x);
  if (Number.isFinite(s) && s > 1e-280) return Math.sqrt(s);
  let scale = 0;
  for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]));
  if (scale === 0) return 0;
  return scale * Math.sqrt(npSumSquares(x.map((v) => v / scale)));
}

function pValue(r: number, n: number, alternative: Alternative): number {
  // dist = beta(ab, ab, loc=-1, scale=2): cdf(r) = I_((r+1)/2)(ab, ab), sf = the complement.
  const ab = n / 2 - 1;
  if (alternative === 'two-sided') {
    const x = (Math.abs(r) + 1) / 2;
    return 2 * betaincPair(ab, ab, x, 1 - x).q;
  }
  const x = (r + 1) / 2;
  const { p, q } = betaincPair(ab, ab, x, 1 - x);
  return alternative === 'less' ? p : q;
}

function requireFiniteData(where: string, field: string, x: Float64Array): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      // scipy: scipy.linalg.norm(check_finite=True) -> ValueError 'array must not contain infs or NaNs'.
      throw new StagebookError(
        'E_NON_FINITE',
        `${where}: ${field}[${i}] is ${x[i]}; array must not contain infs or NaNs`,
        { where, field, index: i },
      );
    }
  }
}

/** The scipy 1.10 algorithm on two equal-length float64 arrays (length already checked >= 2). */
function pearsonCore(where: string, x: Float64Array, y: Float64Array, alternative: Alternative): PearsonrResult {
  const n = x.length;
  if (isConstant(x) || isConstant(y)) {
    const message = 'An input array is constant; the correlation coefficient is not defined.';
    return { statistic: NaN, pvalue: NaN, warnings: [{ type: 'ConstantInputWarning', message }] };
  }
  if (n === 2) {
    // scipy: r = sign(x1 - x0) * sign(y1 - y0), p = 1 (NaN propagates through sign as in numpy).
    return { statistic: Math.sign(x[1] - x[0]) * Math.sign(y[1] - y[0]), pvalue: 1, warnings: [] };
  }
  const xmean = npMean(x);
  const ymean = npMean(y);
  const xm = x.map((v) => v - xmean);
  const ym = y.map((v) => v - ymean);
  requireFiniteData(where, 'x', xm);
  requireFiniteData(where, 'y', ym);
  const normxm = norm2(xm);
  const normym = norm2(ym);
  const warnings: PearsonrWarning[] = [];
  if (normxm < 1e-13 * Math.abs(xmean) || normym < 1e-13 * Math.abs(ymean)) {
    warnings.push({
      type: 'NearConstantInputWarning',
      message: 'An input array is nearly constant; the computed correlation coefficient may be inaccurate.',
    });
  }
  // np.dot(xm / normxm, ym / normym): the normalised vectors are formed first, as scipy does.
  let dot = 0;
  for (let i = 0; i < n; i++) dot += (xm[i] / normxm) * (ym[i] / normym);
  const r = Math.max(Math.min(dot, 1), -1);
  return { statistic: r, pvalue: pValue(r, n, alternative), warnings };
}

function pairedInputs(where: string, x: NumericArray, y: NumericArray): [Float64Array, Float64Array] {
  const xs = toFloat64(where, 'x', x);
  const ys = toFloat64(where, 'y', y);
  if (xs.length !== ys.length) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: x and y must have the same length, got ${xs.length} and ${ys.length}`,
      { where, field: 'y' },
    );
  }
  return [xs, ys];
}

/**
 * scipy.stats.pearsonr(x, y, alternative) (scipy 1.10): r = dot(xm/|xm|, ym/|ym|) with
 * xm = x - mean(x) (numpy pairwise mean), clipped to [-1, 1]; p from the beta null distribution
 * (two-sided p = 2 * sf(|r|)). n == 2 gives r = +-1, p = 1. Constant x or y gives NaN, NaN and a
 * 'ConstantInputWarning' entry in `warnings` (scipy warns instead of raising).
 * @throws StagebookError E_INVALID_SHAPE (length mismatch), E_EMPTY_INPUT (n < 2),
 *   E_NON_FINITE (NaN/inf, as scipy's check_finite), E_INVALID_ARGUMENT (alternative)
 */
export function pearsonr(x: NumericArray, y: NumericArray, options: PearsonrOptions = {}): PearsonrResult {
  const where = 'pearsonr';
  const alternative = validateAlternative(where, options.alternative ?? 'two-sided');
  const [xs, ys] = pairedInputs(where, x, y);
  if (xs.length < 2) {
    throw new StagebookError('E_EMPTY_INPUT', `${where}: x and y must have length at least 2, got ${xs.length}`, {
      where,
      field: 'x',
      length: xs.length,
    });
  }
  return pearsonCore(where, xs, ys, alternative);
}

function maskAt(mask: ArrayLike<boolean | number> | null | undefined, i: number): boolean {
  return mask != null && Boolean(mask[i]);
}

/**
 * scipy.stats.mstats.pearsonr(x, y) with masks (true = masked): pairs masked in EITHER input are
 * dropped (values under a mask may be NaN), then scipy.stats.pearsonr runs on the rest. Fewer than
 * 2 remaining pairs: scipy returns (masked, masked); here `{statistic: NaN, pvalue: NaN,
 * masked: true}`. NaN in an unmasked pair is an error, as in scipy.
 * @throws StagebookError E_INVALID_SHAPE when x, y and the masks differ in length
 */
export function pearsonrMasked(
  x: NumericArray,
  y: NumericArray,
  xMask?: ArrayLike<boolean | number> | null,
  yMask?: ArrayLike<boolean | number> | null,
  options: PearsonrOptions = {},
): PearsonrMaskedResult {
  const where = 'pearsonrMasked';
  const alternative = validateAlternative(where, options.alternative ?? 'two-sided');
  const [xs, ys] = pairedInputs(where, x, y);
  for (const [field, mask] of [
    ['xMask', xMask],
    ['yMask', yMask],
  ] as const) {
    if (mask != null && mask.length !== xs.length) {
      throw new StagebookError(
        'E_INVALID_SHAPE',
        `${where}: ${field} has length ${mask.length}, expected ${xs.length}`,
        { where, field },
      );
    }
  }
  const keptX: number[] = [];
  const keptY: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (maskAt(xMask, i) || maskAt(yMask, i)) continue;
    keptX.push(xs[i]);
    keptY.push(ys[i]);
  }
  if (keptX.length < 2) return { statistic: NaN, pvalue: NaN, warnings: [], masked: true };
  return { ...pearsonCore(where, Float64Array.from(keptX), Float64Array.from(keptY), alternative), masked: false };
}
