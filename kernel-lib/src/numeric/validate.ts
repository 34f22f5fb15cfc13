/**
 * Argument checks shared by every numeric entry point. Each error names the function and the
 * parameter (E_INVALID_ARGUMENT / E_EMPTY_INPUT / E_NON_FINITE / E_INVALID_SHAPE).
 */
import { StagebookError } from '../errors/stagebook-error';
import type { TypedArray } from './wasm/core';

export type NumericArray = ArrayLike<number> | TypedArray;

/** Converts to Float64Array (copying only when the input is not already one). */
export function toFloat64(where: string, field: string, x: unknown): Float64Array {
  if (x instanceof Float64Array) return x;
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return Float64Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (typeof v !== 'number') {
        throw new StagebookError(
          'E_INVALID_ARGUMENT',
          `${where}: ${field}[${i}] is ${v === null ? 'null' : typeof v}, expected a number`,
          { where, field, index: i },
        );
      }
      out[i] = v;
    }
    return out;
  }
  throw new StagebookError('E_INVALID_ARGUMENT', `${where}: ${field} must be an array of numbers or a typed array`, {
    where,
    field,
  });
}

/** Throws E_NON_FINITE naming the first NaN/Infinity index. */
export function requireFinite(where: string, field: string, x: ArrayLike<number>): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new StagebookError(
        'E_NON_FINITE',
        `${where}: ${field}[${i}] is ${x[i]}; NaN and infinite values are not allowed`,
        { where, field, index: i },
      );
    }
  }
}

/** Throws E_EMPTY_INPUT when `x` has fewer than `min` elements. */
export function requireLength(where: string, field: string, x: ArrayLike<number>, min = 1): void {
  if (x.length < min) {
    throw new StagebookError('E_EMPTY_INPUT', `${where}: ${field} has ${x.length} elements, needs at least ${min}`, {
      where,
      field,
      length: x.length,
    });
  }
}

/** A finite number check for scalar options. */
export function requireNumber(
  where: string,
  field: string,
  v: unknown,
  opts: { integer?: boolean; min?: number; minExclusive?: number } = {},
): number {
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: ${field} must be a number, got ${JSON.stringify(v)}`, {
      where,
      field,
    });
  }
  if (opts.integer && !Number.isInteger(v)) {
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: ${field} must be an integer, got ${v}`, { where, field });
  }
  if (opts.min !== undefined && v < opts.min) {
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: ${field} must be >= ${opts.min}, got ${v}`, {
      where,
      field,
    });
  }
  if (opts.minExclusive !== undefined && v <= opts.minExclusive) {
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: ${field} must be > ${opts.minExclusive}, got ${v}`, {
      where,
      field,
    });
  }
  return v;
}
