/**
 * Linear B-splines as scipy.interpolate.splrep(x, y, k=1, s=0) / splev(x_new, tck, ext=0) build
 * them (FITPACK curfit/splev): knots t = [x0, x0, x1, ..., x_(m-2), x_(m-1), x_(m-1)],
 * coefficients c = y (+ 2 trailing zeros), i.e. piecewise-linear interpolation through the data,
 * extended linearly outside [x0, x_(m-1)].
 */
import { StagebookError } from '../../errors/stagebook-error';
import { requireFinite, toFloat64, type NumericArray } from '../validate';

/** A degree-1 spline in FITPACK's (t, c, k) form. */
export interface LinearTck {
  t: Float64Array;
  c: Float64Array;
  k: 1;
}

/**
 * splrep(x, y, k=1, s=0): the interpolating linear spline.
 * x must be STRICTLY increasing. scipy accepts duplicate x (FITPACK only checks non-decreasing)
 * and silently returns NaN coefficients and NaN/garbage values; we reject duplicates instead, as
 * the reference notes recommend.
 * @throws StagebookError E_EMPTY_INPUT (m < 2: scipy 'm > k must hold'), E_INVALID_SHAPE (length
 *   mismatch), E_INVALID_ARGUMENT (x unsorted: scipy 'Error on input data'; duplicate x),
 *   E_NON_FINITE
 */
export function splrepLinear(x: NumericArray, y: NumericArray): LinearTck {
  const where = 'splrepLinear';
  const xs = toFloat64(where, 'x', x);
  const ys = toFloat64(where, 'y', y);
  if (xs.length !== ys.length) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: x and y must have the same length, got ${xs.length} and ${ys.length}`,
      { where, field: 'y' },
    );
  }
  const m = xs.length;
  if (m < 2)
    throw new StagebookError(
      'E_EMPTY_INPUT',
      `${where}: x has ${m} points, needs at least 2 for a linear spline (m > k must hold)`,
      { where, field: 'x', length: m },
    );
  requireFinite(where, 'x', xs);
  requireFinite(where, 'y', ys);
  for (let i = 1; i < m; i++) {
    if (xs[i] < xs[i - 1]) {
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `${where}: x must be increasing (scipy: 'Error on input data'), but x[${i}] = ${xs[i]} < x[${i - 1}] = ${xs[i - 1]}`,
        { where, field: 'x', index: i },
      );
    }
    if (xs[i] === xs[i - 1]) {
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `${where}: duplicate x value ${xs[i]} at indices ${i - 1} and ${i}; x must be strictly increasing (scipy would return NaN coefficients)`,
        { where, field: 'x', index: i },
      );
    }
  }
  const t = new Float64Array(m + 2);
  t[0] = xs[0];
  t.set(xs, 1);
  t[m + 1] = xs[m - 1];
  const c = new Float64Array(m + 2);
  c.set(ys);
  return { t, c, k: 1 };
}

function validateTck(where: string, tck: LinearTck): { t: Float64Array; c: Float64Array } {
  if (!tck || tck.k !== 1)
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: tck.k must be 1 (only linear splines are supported)`, {
      where,
      field: 'tck.k',
    });
  const t = toFloat64(where, 'tck.t', tck.t);
  const c = toFloat64(where, 'tck.c', tck.c);
  if (t.length < 4 || c.length < t.length - 2) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: tck needs >= 4 knots and len(c) >= len(t) - 2, got ${t.length} knots and ${c.length} coefficients`,
      { where, field: 'tck' },
    );
  }
  return { t, c };
}

/**
 * splev(xNew, tck, ext=0) for k = 1: on the knot interval t[l] <= x < t[l+1] (the last one closed,
 * the first and last extended outward) the value is FITPACK fpbspl's
 *   c[l-1] * f * (t[l+1] - x) + c[l] * f * (x - t[l]),  f = 1 / (t[l+1] - t[l]).
 * NaN in xNew gives NaN (as scipy).
 */
export function splev(xNew: NumericArray, tck: LinearTck): Float64Array {
  const where = 'splev';
  const { t, c } = validateTck(where, tck);
  const xs = toFloat64(where, 'xNew', xNew);
  const out = new Float64Array(xs.length);
  // 0-based: intervals l = 1 .. n - 3 of the n knots (FITPACK's k1 .. nk1, 1-based).
  const lo = 1;
  const hi = t.length - 3;
  let l = lo;
  for (let i = 0; i < xs.length; i++) {
    const arg = xs[i];
    if (Number.isNaN(arg)) {
      out[i] = NaN;
      continue;
    }
    l = findInterval(t, arg, lo, hi, l);
    const f = 1 / (t[l + 1] - t[l]);
    const h1 = f * (t[l + 1] - arg);
    const h2 = f * (arg - t[l]);
    out[i] = c[l - 1] * h1 + c[l] * h2;
  }
  return out;
}

/** Largest l in [lo, hi] with t[l] <= arg (lo if none); starts from the previous answer. */
function findInterval(t: Float64Array, arg: number, lo: number, hi: number, guess: number): number {
  if (t[guess] <= arg && (guess === hi || arg < t[guess + 1])) return guess;
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b + 1) >> 1;
    if (t[mid] <= arg) a = mid;
    else b = mid - 1;
  }
  return a;
}

/**
 * Piecewise-linear resampling y(xNew) through (x, y) with linear extrapolation:
 * splev(xNew, splrepLinear(x, y)).
 */
export function resampleLinear(x: NumericArray, y: NumericArray, xNew: NumericArray): Float64Array {
  return splev(xNew, splrepLinear(x, y));
}
