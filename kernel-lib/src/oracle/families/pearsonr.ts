/**
 * Oracle adapter for `pearsonr` (scipy.stats.pearsonr and scipy.stats.mstats.pearsonr).
 * Tolerances from the oracle README: |r - r_ref| <= 1e-12; |p - p_ref| <= 1e-9 * p_ref, except
 * p_ref == 0 (|r| clipped to 1): p <= 1e-30 is accepted. `meta.tolerance_override` wins when given.
 * `meta.warnings` (e.g. ConstantInputWarning) must match the result's `warnings`.
 */
import { isStagebookError } from '../../errors/stagebook-error';
import { pearsonr, pearsonrMasked, type Alternative, type PearsonrResult } from '../../numeric/signals';
import type { Checker, Tolerance } from '../compare';
import type { OracleCase, OracleFamily } from '../types';
import { numericField } from '../fields';

interface Expected {
  statistic: number | null;
  pvalue: number | null;
  masked_result?: boolean;
  error?: { message: string } | null;
}

interface Meta {
  warnings?: string[];
  tolerance_override?: Record<string, unknown>;
}

/**
 * Reads a tolerance for `key` ('statistic' | 'pvalue') from meta.tolerance_override, accepting the
 * plausible spellings: {statistic: {atol, rtol}}, {statistic_atol}, {r_atol} / {p_rtol}.
 */
function override(meta: Meta, key: 'statistic' | 'pvalue'): Tolerance | undefined {
  const o = meta.tolerance_override;
  if (!o) return undefined;
  const aliases = key === 'statistic' ? ['statistic', 'r'] : ['pvalue', 'p'];
  for (const k of aliases) {
    const v = o[k];
    if (v && typeof v === 'object') return v as Tolerance;
    if (typeof v === 'number') return { atol: key === 'statistic' ? v : 0, rtol: key === 'pvalue' ? v : 0 };
    const atol = o[`${k}_atol`];
    const rtol = o[`${k}_rtol`];
    if (typeof atol === 'number' || typeof rtol === 'number')
      return { atol: (atol as number) ?? 0, rtol: (rtol as number) ?? 0 };
  }
  return undefined;
}

function checkPvalue(check: Checker, actual: number, expected: number | null, tol: Tolerance | undefined): void {
  if (expected === 0 && !tol) {
    if (!(actual <= 1e-30)) check.fail(`pvalue: ${actual} vs expected 0 (accepting <= 1e-30)`);
    return;
  }
  check.close('pvalue', actual, expected, tol ?? { rtol: 1e-9 });
}

function checkWarnings(check: Checker, r: PearsonrResult, expected: string[]): void {
  const ours = r.warnings.map((w) => w.type);
  const missing = expected.filter((e) => !ours.some((t) => e.includes(t)));
  const extra = ours.filter((t) => !expected.some((e) => e.includes(t)));
  if (missing.length || extra.length)
    check.fail(`warnings: ours ${JSON.stringify(ours)} vs expected ${JSON.stringify(expected)}`);
}

function run(c: OracleCase, ctx: Parameters<OracleFamily['runCase']>[2]): PearsonrResult & { masked?: boolean } {
  const x = numericField(c, 'x', ctx);
  const y = numericField(c, 'y', ctx);
  const alternative = ((c.params as { alternative?: Alternative } | undefined)?.alternative ??
    'two-sided') as Alternative;
  if (c.function === 'scipy.stats.mstats.pearsonr') {
    return pearsonrMasked(x, y, (c.x_mask as boolean[] | null) ?? null, (c.y_mask as boolean[] | null) ?? null, {
      alternative,
    });
  }
  return pearsonr(x, y, { alternative });
}

export const pearsonrFamily: OracleFamily = {
  family: 'pearsonr',
  runCase(c, check, ctx) {
    if (c.function !== 'scipy.stats.pearsonr' && c.function !== 'scipy.stats.mstats.pearsonr') {
      check.fail(`pearsonr: unknown function ${JSON.stringify(c.function)}`);
      return;
    }
    const expected = c.expected as Expected | undefined;
    const meta = (c.meta ?? {}) as Meta;
    if (expected?.error) {
      try {
        run(c, ctx);
        check.fail(`expected an error (reference: ${expected.error.message}), but the call succeeded`);
      } catch (e) {
        if (!isStagebookError(e)) check.fail(`expected a StagebookError, got ${String(e)}`);
      }
      return;
    }
    const r = run(c, ctx);
    if (!expected) return;
    if (expected.masked_result !== undefined && c.function === 'scipy.stats.mstats.pearsonr') {
      check.equal('masked_result', Boolean(r.masked), expected.masked_result);
    }
    if (expected.masked_result) return;
    check.close('statistic', r.statistic, expected.statistic, override(meta, 'statistic') ?? { atol: 1e-12 });
    checkPvalue(check, r.pvalue, expected.pvalue, override(meta, 'pvalue'));
    checkWarnings(check, r, meta.warnings ?? []);
  },
};
