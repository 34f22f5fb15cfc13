/**
 * Argument checks of the 1-D peak finders, mirroring scipy 1.10's `_arg_x_as_expected`,
 * `_arg_peaks_as_expected`, `_arg_wlen_as_expected` and `_unpack_condition_args`, with
 * StagebookError instead of ValueError/TypeError. NaN in `x` is rejected (scipy's results are
 * undefined for NaN).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { toFloat64, type NumericArray } from '../validate';
import type { IntervalCondition } from './types';

function invalid(where: string, field: string, message: string): never {
  throw new StagebookError('E_INVALID_ARGUMENT', `${where}: \`${field}\` ${message}`, { where, field });
}

function isNumericArray(v: unknown): v is NumericArray {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** x as a 1-D Float64Array (scipy: '`x` must be a 1-D array'); NaN is checked later, in WASM. */
export function signalArg(where: string, x: unknown, field = 'x'): Float64Array {
  if (Array.isArray(x) && x.some((v) => Array.isArray(v) || ArrayBuffer.isView(v))) {
    throw new StagebookError('E_INVALID_SHAPE', `${where}: \`${field}\` must be a 1-D array`, { where, field });
  }
  return toFloat64(where, field, x);
}

/** Throws E_NON_FINITE for a NaN at `index` (found by the kernel). */
export function nanError(where: string, index: number, field = 'x'): never {
  throw new StagebookError(
    'E_NON_FINITE',
    `${where}: \`${field}\`[${index}] is NaN; remove or replace NaN before peak finding`,
    { where, field, index },
  );
}

/**
 * Integer index array (scipy casts with casting='safe' to intp: non-integers are a TypeError
 * "cannot safely cast `peaks` to dtype('intp')"). Range checks are the caller's.
 */
export function indexArrayArg(where: string, field: string, v: unknown): Int32Array {
  if (v instanceof Int32Array) return v;
  if (!isNumericArray(v)) invalid(where, field, 'must be a 1-D array of integer indices');
  const src = v as ArrayLike<unknown>;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const e = src[i];
    if (Array.isArray(e))
      throw new StagebookError('E_INVALID_SHAPE', `${where}: \`${field}\` must be a 1-D array`, { where, field });
    if (typeof e !== 'number' || !Number.isInteger(e) || Math.abs(e) > 0x7fffffff) {
      invalid(where, field, `cannot be cast safely to integer indices: element ${i} is ${String(e)}`);
    }
    out[i] = e;
  }
  return out;
}

/** Peak indices that must all be valid indices of x (scipy: 'peak P is not a valid index for `x`'). */
export function peaksArg(where: string, peaks: unknown, n: number): Int32Array {
  const p = indexArrayArg(where, 'peaks', peaks);
  for (let k = 0; k < p.length; k++) {
    if (p[k] < 0 || p[k] > n - 1) {
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `${where}: peak ${p[k]} is not a valid index for \`x\` (length ${n})`,
        { where, field: 'peaks', index: k },
      );
    }
  }
  return p;
}

/** scipy `_arg_wlen_as_expected`: null/undefined -> -1 (whole signal); otherwise > 1, rounded up. */
export function wlenArg(where: string, wlen: unknown): number {
  if (wlen === null || wlen === undefined) return -1;
  if (typeof wlen !== 'number' || Number.isNaN(wlen))
    invalid(where, 'wlen', `must be a number or null, got ${JSON.stringify(wlen)}`);
  if (!(wlen > 1)) invalid(where, 'wlen', `must be larger than 1, was ${wlen}`);
  // Windows wider than any int32 signal behave like an unlimited one; keep the value an i32.
  return Math.min(Math.ceil(wlen), 0x3fffffff);
}

/** rel_height >= 0 (scipy: '`rel_height` must be greater or equal to 0.0'). */
export function relHeightArg(where: string, relHeight: unknown): number {
  if (typeof relHeight !== 'number' || Number.isNaN(relHeight))
    invalid(where, 'rel_height', `(relHeight) must be a number, got ${JSON.stringify(relHeight)}`);
  if (relHeight < 0) invalid(where, 'rel_height', `(relHeight) must be greater or equal to 0.0, got ${relHeight}`);
  return relHeight;
}

/** distance >= 1 (scipy: '`distance` must be greater or equal to 1'); returns ceil(distance). */
export function distanceArg(where: string, distance: unknown): number {
  if (typeof distance !== 'number' || Number.isNaN(distance))
    invalid(where, 'distance', `must be a number, got ${JSON.stringify(distance)}`);
  if (distance < 1) invalid(where, 'distance', `must be greater or equal to 1, got ${distance}`);
  if (!Number.isFinite(distance)) invalid(where, 'distance', 'must be finite');
  return Math.ceil(distance);
}

/** One resolved border: none, a scalar, or a per-sample Float64Array of len(x). */
export type Bound = { kind: 'none' } | { kind: 'scalar'; value: number } | { kind: 'perSample'; values: Float64Array };

export interface Interval {
  min: Bound;
  max: Bound;
}

function boundArg(where: string, field: string, side: 'lower' | 'upper', v: unknown, n: number): Bound {
  if (v === null || v === undefined) return { kind: 'none' };
  if (typeof v === 'number') {
    if (Number.isNaN(v)) invalid(where, field, `${side} border is NaN`);
    return { kind: 'scalar', value: v };
  }
  if (isNumericArray(v)) {
    const values = perSampleValues(where, field, v);
    if (values.length !== n)
      invalid(where, field, `array size of ${side} interval border must match x (${values.length} != ${n})`);
    return { kind: 'perSample', values };
  }
  invalid(where, field, `${side} border must be a number, null or an array of len(x), got ${typeof v}`);
}

/** Per-sample borders: null entries are NaN (the comparison then fails, as in NumPy). */
function perSampleValues(where: string, field: string, v: NumericArray): Float64Array {
  if (ArrayBuffer.isView(v)) return Float64Array.from(v as ArrayLike<number>);
  const a = v as ArrayLike<unknown>;
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const e = a[i];
    if (e === null) out[i] = NaN;
    else if (typeof e === 'number') out[i] = e;
    else invalid(where, field, `per-sample border element ${i} is ${typeof e}, expected a number`);
  }
  return out;
}

/** scipy `_unpack_condition_args`: number -> [min, open); [min, max]; a typed array -> per-sample min. */
export function intervalArg(where: string, field: string, cond: IntervalCondition | unknown, n: number): Interval {
  if (typeof cond === 'number') return { min: boundArg(where, field, 'lower', cond, n), max: { kind: 'none' } };
  if (ArrayBuffer.isView(cond)) return { min: boundArg(where, field, 'lower', cond, n), max: { kind: 'none' } };
  if (Array.isArray(cond)) {
    if (cond.length !== 2)
      invalid(where, field, `must be a number or [min, max] (2 elements), got an array of ${cond.length}`);
    return { min: boundArg(where, field, 'lower', cond[0], n), max: boundArg(where, field, 'upper', cond[1], n) };
  }
  invalid(
    where,
    field,
    `must be a number, [min, max] or a per-sample array, got ${cond === null ? 'null' : typeof cond}`,
  );
}

/** Rejects option keys that are not known (e.g. a snake_case `rel_height`). */
export function checkOptionKeys(where: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) invalid(where, 'options', 'must be an object');
  for (const key of Object.keys(options as object)) {
    if (!known.includes(key)) invalid(where, key, `is not a known option (known: ${known.join(', ')})`);
  }
  return options as Record<string, unknown>;
}
