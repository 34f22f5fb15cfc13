/**
 * IIR/FIR filtering like scipy.signal: lfilter (direct form II transposed, the recurrence of
 * scipy's _linear_filter, run in WASM), lfilter_zi (steady-state initial conditions) and
 * filtfilt (method='pad': odd/even/constant extension, forward-backward with zi * edge value).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { requireFinite, requireLength, toFloat64, type NumericArray } from '../validate';
import { signalsCore } from './wasm';

export type PadType = 'odd' | 'even' | 'constant' | null;

export interface FiltfiltOptions {
  /** Extension at both ends (scipy default 'odd'); null = no extension. */
  padtype?: PadType;
  /** Samples of extension; default 3 * max(len(a), len(b)) (scipy's padlen=None). */
  padlen?: number | null;
}

interface Coefficients {
  b: Float64Array;
  a: Float64Array;
}

function coefficient(where: string, field: string, v: unknown): Float64Array {
  const c = toFloat64(where, field, v);
  requireLength(where, field, c, 1);
  requireFinite(where, field, c);
  return c;
}

/** Divides by a[0] and zero-pads b and a to max(len(a), len(b)) (as _linear_filter does). */
function normalise(where: string, b: Float64Array, a: Float64Array): Coefficients {
  const a0 = a[0];
  if (a0 === 0) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: a[0] must be nonzero (scipy: filter coefficient a[0] == 0 not supported)`,
      { where, field: 'a' },
    );
  }
  const n = Math.max(a.length, b.length);
  const bn = new Float64Array(n);
  const an = new Float64Array(n);
  for (let i = 0; i < b.length; i++) bn[i] = b[i] / a0;
  for (let i = 0; i < a.length; i++) an[i] = a[i] / a0;
  return { b: bn, a: an };
}

/** Runs the WASM filter over `x` (in place when `inPlace`) with state z; returns y and final z. */
function runFilter(
  c: Coefficients,
  x: Float64Array,
  z: Float64Array,
  reverse = false,
): { y: Float64Array; zf: Float64Array } {
  const { core, k } = signalsCore();
  return core.withArena((arena) => {
    const pb = arena.copyIn(c.b).ptr;
    const pa = arena.copyIn(c.a).ptr;
    const pz = arena.copyIn(z.length ? z : new Float64Array(1));
    const px = arena.copyIn(x);
    k.lfilterDf2t(pb, pa, c.b.length, px.ptr, px.ptr, x.length, pz.ptr, reverse ? 1 : 0);
    return { y: px.copyOut(), zf: pz.copyOut(z.length) };
  });
}

/**
 * scipy.signal.lfilter(b, a, x, zi): y[n] = (sum b[k] x[n-k] - sum_(k>=1) a[k] y[n-k]) / a[0],
 * direct form II transposed. Without zi the state starts at rest and only y is returned; with zi
 * (length max(len(a), len(b)) - 1) the result is {y, zf} like scipy's (y, zf).
 * @throws StagebookError E_INVALID_ARGUMENT (a[0] == 0), E_INVALID_SHAPE (zi length),
 *   E_EMPTY_INPUT / E_NON_FINITE (b, a, x)
 */
export function lfilter(b: NumericArray, a: NumericArray, x: NumericArray): Float64Array;
export function lfilter(
  b: NumericArray,
  a: NumericArray,
  x: NumericArray,
  zi: NumericArray,
): { y: Float64Array; zf: Float64Array };
export function lfilter(
  b: NumericArray,
  a: NumericArray,
  x: NumericArray,
  zi?: NumericArray,
): Float64Array | { y: Float64Array; zf: Float64Array } {
  const where = 'lfilter';
  const c = normalise(where, coefficient(where, 'b', b), coefficient(where, 'a', a));
  const xs = toFloat64(where, 'x', x);
  requireFinite(where, 'x', xs);
  const nState = c.b.length - 1;
  if (zi === undefined) return runFilter(c, Float64Array.from(xs), new Float64Array(nState)).y;
  const z = toFloat64(where, 'zi', zi);
  if (z.length !== nState) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: unexpected shape for zi: expected (${nState},), found (${z.length},)`,
      { where, field: 'zi' },
    );
  }
  requireFinite(where, 'zi', z);
  return runFilter(c, Float64Array.from(xs), Float64Array.from(z));
}

/** Solves M z = rhs by Gaussian elimination with partial pivoting (LAPACK gesv's strategy). */
function solve(m: number[][], rhs: number[]): Float64Array {
  const n = rhs.length;
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) piv = r;
    [m[col], m[piv]] = [m[piv], m[col]];
    [rhs[col], rhs[piv]] = [rhs[piv], rhs[col]];
    if (m[col][col] === 0) {
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        'lfilterZi: I - A is singular (the filter has a pole at z = 1), no steady state exists',
        { where: 'lfilterZi', field: 'a' },
      );
    }
    for (let r = col + 1; r < n; r++) {
      const f = m[r][col] / m[col][col];
      for (let j = col; j < n; j++) m[r][j] -= f * m[col][j];
      rhs[r] -= f * rhs[col];
    }
  }
  const z = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = rhs[r];
    for (let j = r + 1; j < n; j++) s -= m[r][j] * z[j];
    z[r] = s / m[r][r];
  }
  return z;
}

/**
 * scipy.signal.lfilter_zi(b, a): the state zi with lfilter(b, a, ones, zi) == steady-state step
 * response, i.e. zi = A zi + B solved as (I - companion(a).T) zi = b[1:] - a[1:] b[0] after
 * stripping leading zeros of a and normalising by a[0]. Length max(len(a), len(b)) - 1.
 * @throws StagebookError E_INVALID_ARGUMENT when a is all zeros or I - A is singular
 */
export function lfilterZi(b: NumericArray, a: NumericArray): Float64Array {
  const where = 'lfilterZi';
  const bs = coefficient(where, 'b', b);
  let as = coefficient(where, 'a', a);
  let lead = 0;
  while (lead < as.length - 1 && as[lead] === 0) lead++;
  as = as.subarray(lead);
  if (as[0] === 0)
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: there must be at least one nonzero a coefficient`, {
      where,
      field: 'a',
    });
  const { b: bn, a: an } = normalise(where, bs, as);
  const n = bn.length;
  // M = I - companion(a).T: column 0 holds 1 + a[1] then a[2..], the superdiagonal holds -1.
  const m: number[][] = Array.from({ length: n - 1 }, (_, i) =>
    Array.from({ length: n - 1 }, (_, j) => (i === j ? 1 : 0) + (j === 0 ? an[i + 1] : 0) - (j === i + 1 ? 1 : 0)),
  );
  const rhs = Array.from({ length: n - 1 }, (_, i) => bn[i + 1] - an[i + 1] * bn[0]);
  return solve(m, rhs);
}

function validatePadtype(where: string, padtype: unknown): PadType {
  if (padtype !== 'odd' && padtype !== 'even' && padtype !== 'constant' && padtype !== null) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: padtype must be 'odd', 'even', 'constant' or null, got ${JSON.stringify(padtype)}`,
      { where, field: 'padtype' },
    );
  }
  return padtype;
}

/** scipy.signal._arraytools odd_ext / even_ext / const_ext with n = edge samples per side. */
function extend(x: Float64Array, edge: number, padtype: Exclude<PadType, null>): Float64Array {
  const n = x.length;
  const out = new Float64Array(n + 2 * edge);
  out.set(x, edge);
  const first = x[0];
  const last = x[n - 1];
  for (let i = 1; i <= edge; i++) {
    const left = x[i];
    const right = x[n - 1 - i];
    if (padtype === 'odd') {
      out[edge - i] = 2 * first - left;
      out[edge + n - 1 + i] = 2 * last - right;
    } else if (padtype === 'even') {
      out[edge - i] = left;
      out[edge + n - 1 + i] = right;
    } else {
      out[edge - i] = first;
      out[edge + n - 1 + i] = last;
    }
  }
  return out;
}

/**
 * scipy.signal.filtfilt(b, a, x, padtype, padlen) with method='pad': extend x by `padlen` samples
 * at each end (default 3 * max(len(a), len(b))), filter forward with zi = lfilterZi * ext[0],
 * backward with zi * y[-1], and strip the extension. Zero phase, squared magnitude response.
 * @throws StagebookError E_INVALID_ARGUMENT 'The length of the input vector x must be greater
 *   than padlen, which is N.' when len(x) <= padlen (scipy's ValueError), or on bad options
 */
export function filtfilt(
  b: NumericArray,
  a: NumericArray,
  x: NumericArray,
  options: FiltfiltOptions = {},
): Float64Array {
  const where = 'filtfilt';
  const bs = coefficient(where, 'b', b);
  const as = coefficient(where, 'a', a);
  const xs = toFloat64(where, 'x', x);
  requireFinite(where, 'x', xs);
  const padtype = validatePadtype(where, options.padtype === undefined ? 'odd' : options.padtype);
  const ntaps = Math.max(as.length, bs.length);
  let edge = padtype === null ? 0 : options.padlen == null ? 3 * ntaps : options.padlen;
  if (!Number.isInteger(edge) || edge < 0) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: padlen must be an integer >= 0, got ${JSON.stringify(options.padlen)}`,
      { where, field: 'padlen' },
    );
  }
  if (xs.length <= edge) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: The length of the input vector x must be greater than padlen, which is ${edge}.`,
      { where, field: 'x', length: xs.length, padlen: edge },
    );
  }
  const ext = padtype !== null && edge > 0 ? extend(xs, edge, padtype) : Float64Array.from(xs);
  if (padtype === null) edge = 0;
  const zi = lfilterZi(bs, as);
  const c = normalise(where, bs, as);
  const y = filterTwice(c, ext, zi);
  return y.slice(edge, y.length - edge);
}

/** Forward pass then backward pass in one arena (the data is copied into WASM once). */
function filterTwice(c: Coefficients, ext: Float64Array, zi: Float64Array): Float64Array {
  const { core, k } = signalsCore();
  return core.withArena((arena) => {
    const pb = arena.copyIn(c.b).ptr;
    const pa = arena.copyIn(c.a).ptr;
    const z = arena.f64(Math.max(1, zi.length));
    const px = arena.copyIn(ext);
    const n = ext.length;
    z.view().set(zi.map((v) => v * ext[0]));
    k.lfilterDf2t(pb, pa, c.b.length, px.ptr, px.ptr, n, z.ptr, 0);
    const yLast = px.view()[n - 1];
    z.view().set(zi.map((v) => v * yLast));
    k.lfilterDf2t(pb, pa, c.b.length, px.ptr, px.ptr, n, z.ptr, 1);
    return px.copyOut();
  });
}
