/**
 * The degree-1 interpolating spline ALEXIS resamples with: `scipy.interpolate.splrep(x, y, k=1, s=0)`
 * then `splev(t, tck)` (default ext=0). With k=1 and s=0, FITPACK places a knot at every interior
 * data point and the coefficients are the data values, so the spline is the piecewise-linear
 * interpolant through the points. Outside [x0, x_last] splev (ext=0) EXTRAPOLATES the first or last
 * segment linearly (it neither clamps nor returns NaN). A point exactly on an interior knot takes
 * the segment to its right, as FITPACK's interval search does.
 * Bit-identity with scipy needs FITPACK's arithmetic, reproduced here:
 * - coefficients: curfit's observation matrix is diagonal with a_j = (1/d)*d (fpbspl's B-spline value
 *   at the left end of its knot interval of width d; the last point uses the last interval), which is
 *   not always exactly 1 in floating point; Givens rotations against empty rows copy y_j, and fpback
 *   divides, so c_j = y_j / a_j (differs from y_j by an ulp after uneven gaps);
 * - values: fpbspl's h1 = f*(t_r - x), h2 = f*(x - t_l) with f = 1/(t_r - t_l), then s = 0 + c_l*h1 + c_r*h2.
 * linear-spline.test.ts checks the values against scipy 1.10 bit for bit.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { requireFinite, toFloat64 } from '../validate';

/** A fitted degree-1 spline: the knots (the data x) and FITPACK's coefficients. */
export interface LinearSpline {
  readonly x: Float64Array;
  /** B-spline coefficients (the data y up to an ulp, see above). */
  readonly c: Float64Array;
}

/**
 * splrep(x, y, k=1, s=0): at least 2 points, x strictly increasing (FITPACK refuses repeated
 * abscissae with s=0), all finite.
 * @throws StagebookError E_INVALID_SHAPE (lengths), E_EMPTY_INPUT (< 2 points), E_NON_FINITE, E_INVALID_ARGUMENT (x not increasing)
 */
export function linearSpline(x: ArrayLike<number>, y: ArrayLike<number>): LinearSpline {
  const where = 'linearSpline';
  const xs = Float64Array.from(toFloat64(where, 'x', Array.isArray(x) ? x : Array.from(x)));
  const ys = Float64Array.from(toFloat64(where, 'y', Array.isArray(y) ? y : Array.from(y)));
  if (xs.length !== ys.length)
    throw new StagebookError('E_INVALID_SHAPE', `${where}: x has ${xs.length} points, y has ${ys.length}`, {
      where,
      field: 'y',
    });
  if (xs.length < 2)
    throw new StagebookError('E_EMPTY_INPUT', `${where}: ${xs.length} point(s); a degree-1 spline needs at least 2`, {
      where,
      field: 'x',
    });
  requireFinite(where, 'x', xs);
  requireFinite(where, 'y', ys);
  for (let i = 1; i < xs.length; i++)
    if (!(xs[i] > xs[i - 1]))
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `${where}: x must be strictly increasing (x[${i}] = ${xs[i]} after ${xs[i - 1]})`,
        { where, field: 'x', index: i },
      );
  const c = new Float64Array(ys.length);
  const n = xs.length;
  for (let j = 0; j < n; j++) {
    const d = j < n - 1 ? xs[j + 1] - xs[j] : xs[n - 1] - xs[n - 2];
    c[j] = ys[j] / ((1 / d) * d);
  }
  return { x: xs, c };
}

/** Index l of the segment [x_l, x_{l+1}] that evaluates t (clamped to the first/last segment). */
function segment(x: Float64Array, t: number): number {
  let lo = 0;
  let hi = x.length - 2;
  if (t < x[1]) return 0;
  if (t >= x[hi]) return hi;
  // Largest l with x[l] <= t (t on an interior knot takes the right-hand segment).
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (x[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * splev(t, tck, ext=0) of a degree-1 spline: linear interpolation inside, linear extrapolation of
 * the end segments outside.
 * @throws StagebookError E_NON_FINITE when a t is NaN or infinite
 */
export function evalLinearSpline(s: LinearSpline, t: ArrayLike<number>): Float64Array {
  const ts = toFloat64('evalLinearSpline', 't', Array.isArray(t) ? t : Array.from(t));
  requireFinite('evalLinearSpline', 't', ts);
  const out = new Float64Array(ts.length);
  for (let i = 0; i < ts.length; i++) {
    const v = ts[i];
    const l = segment(s.x, v);
    const tl = s.x[l];
    const tr = s.x[l + 1];
    const f = 1 / (tr - tl);
    const h1 = f * (tr - v);
    const h2 = f * (v - tl);
    out[i] = 0 + s.c[l] * h1 + s.c[l + 1] * h2;
  }
  return out;
}
