/**
 * Reading the data fields of an oracle case, shared by every family adapter. The oracle README
 * allows a field inline or in a side file (`<field>_file`, relative to the oracle file: a JSON
 * array, or an object holding the field), and encodes NaN as JSON null, at any nesting depth.
 */
import type { OracleCase, OracleContext } from './types';

/** Replaces null by NaN, recursively through nested arrays; other values pass through. */
export function nullsAsNaN(v: unknown): unknown {
  if (v === null) return NaN;
  return Array.isArray(v) ? v.map(nullsAsNaN) : v;
}

/**
 * The field `field` of a case, inline or from the first side file named by `fileKeys`
 * (default `<field>_file`), with nulls as NaN; undefined when the case has neither.
 */
export function caseField(
  c: OracleCase,
  field: string,
  ctx: OracleContext,
  fileKeys: string[] = [`${field}_file`],
): unknown {
  let raw: unknown = c[field];
  const file = fileKeys.map((k) => c[k]).find((f): f is string => typeof f === 'string');
  if ((raw === undefined || raw === null) && file !== undefined) {
    const data = ctx.readJson(file);
    raw = Array.isArray(data) ? data : (data as Record<string, unknown>)[field];
  }
  return raw === undefined ? undefined : nullsAsNaN(raw);
}

/** A flat numeric array field (see caseField). */
export function numericField(c: OracleCase, field: string, ctx: OracleContext): number[] {
  return caseField(c, field, ctx) as number[];
}
