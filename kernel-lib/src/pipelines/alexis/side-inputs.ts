/**
 * Side inputs of ALEXIS stages (engine `sideInputs` hook, engine/stage.ts): the catalogue rows a
 * unit reads besides its input files, as labelled digests in its cache key. A digest covers exactly
 * the rows the unit reads, in a canonical order, never the whole database: re-onboarding (or
 * re-initialising) an unrelated day changes no key, correcting one GOES sample inside a flare's
 * range re-runs that flare's unit and what its changed outputs feed.
 */
import path from 'node:path';
import { canonicalJson, sha256Text } from '../../engine/cache-key';
import type { SideInput } from '../../engine/stage';

/** Rows ordered by the given columns (numbers numerically, anything else as text), ties keep their order. */
export function canonicalRows<T extends object>(rows: readonly T[], columns: readonly (keyof T)[]): T[] {
  const cmp = (a: unknown, b: unknown): number => {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    const x = String(a ?? '');
    const y = String(b ?? '');
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return [...rows].sort((a, b) => {
    for (const c of columns) {
      const d = cmp(a[c], b[c]);
      if (d !== 0) return d;
    }
    return 0;
  });
}

/** ISO time of Unix milliseconds, to the second (a stable part of a label). */
export function isoSecond(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : String(ms);
}

/**
 * One side input: `<db relative to root>#<table><range>` (range with its brackets: `[a,b)` is
 * half-open, as the query) and the sha256 of the canonical JSON of `value` (the rows, plus whatever
 * else of the read decides the unit's result).
 */
export function sideInput(root: string, dbFile: string, table: string, range: string, value: unknown): SideInput {
  const rel = path.relative(root, dbFile).split(path.sep).join('/');
  return { path: `${rel}#${table}${range}`, sha256: sha256Text(canonicalJson(value)) };
}
