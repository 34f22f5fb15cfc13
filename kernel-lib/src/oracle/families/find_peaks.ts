/**
 * Oracle adapter for `find_peaks` (scipy.signal.find_peaks, scipy 1.10): runs the public findPeaks
 * on `x` (inline, or the `x_file` JSON side file; nulls as NaN) with the scipy keyword arguments
 * mapped to camelCase, and compares peaks and properties (indices exact, floats rtol/atol 1e-12,
 * same key set) and the PeakPropertyWarning messages.
 */
import { findPeaks, type FindPeaksOptions } from '../../numeric/peaks1d';
import type { Checker } from '../compare';
import { nullsAsNaN, numericField } from '../fields';
import type { OracleCase, OracleContext, OracleFamily } from '../types';

export const PEAK_TOLERANCE = { rtol: 1e-12, atol: 1e-12 };

/** scipy key -> stagebook camelCase (`rel_height` -> `relHeight`). */
export function camelCase(key: string): string {
  return key.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase());
}

/** The signal of a case: inline `x` or `x_file` (a JSON array or an object with `x`). */
export function caseSignal(c: OracleCase, ctx: OracleContext): number[] {
  return numericField(c, 'x', ctx) ?? [];
}

/** Interval arguments as the oracle encodes them; a bare list that is not [min, max] is a per-sample minimum. */
function intervalParam(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  if (v.length !== 2) return Float64Array.from(nullsAsNaN(v) as number[]);
  // [min, max]: a null border is an open end and stays null; only per-sample arrays hold NaN.
  return v.map((b) => (Array.isArray(b) ? nullsAsNaN(b) : b));
}

const INTERVAL_KEYS = new Set(['height', 'threshold', 'prominence', 'width', 'plateau_size']);

function options(params: Record<string, unknown>): FindPeaksOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params))
    out[camelCase(key)] = INTERVAL_KEYS.has(key) ? intervalParam(value) : value;
  return out as FindPeaksOptions;
}

const INTEGER_PROPERTIES = new Set(['plateau_sizes', 'left_edges', 'right_edges', 'left_bases', 'right_bases']);

/** Compares a scipy property dict with ours: same keys, integers exact, floats within PEAK_TOLERANCE. */
export function checkProperties(
  check: Checker,
  actual: object,
  expected: Record<string, unknown>,
  prefix = 'properties.',
): void {
  const ours = actual as Record<string, unknown>;
  const expectedKeys = Object.keys(expected).map(camelCase).sort();
  const ourKeys = Object.keys(ours).sort();
  check.equal(`${prefix}keys`, ourKeys.join(','), expectedKeys.join(','));
  for (const [key, value] of Object.entries(expected)) {
    const got = ours[camelCase(key)];
    if (got === undefined) continue;
    if (INTEGER_PROPERTIES.has(key)) check.exact(prefix + key, got, value);
    else check.close(prefix + key, got, value, PEAK_TOLERANCE);
  }
}

export function checkWarnings(check: Checker, actual: string[], c: OracleCase): void {
  const expected = Array.isArray(c.warnings) ? (c.warnings as string[]) : [];
  check.equal('warnings', JSON.stringify(actual), JSON.stringify(expected));
}

export const findPeaksFamily: OracleFamily = {
  family: 'find_peaks',
  runCase(c, check, ctx) {
    const x = caseSignal(c, ctx);
    const r = findPeaks(x, options((c.params ?? {}) as Record<string, unknown>));
    if (!c.expected) return;
    const e = c.expected as { peaks: number[]; properties: Record<string, unknown> };
    check.exact('peaks', r.peaks, e.peaks);
    checkProperties(check, r.properties, e.properties ?? {});
    checkWarnings(check, r.warnings, c);
  },
};
