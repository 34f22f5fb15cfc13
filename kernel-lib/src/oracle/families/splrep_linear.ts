/**
 * Oracle adapter for `splrep_linear`: splev(x_new, splrep(x, y, k=1, s=0)) with ext=0.
 * Tolerance from the oracle README: |y_new - y_ref| <= 1e-12 * max|y| (tck.c alike); knots exact.
 */
import { isStagebookError } from '../../errors/stagebook-error';
import { splev, splrepLinear } from '../../numeric/signals';
import type { OracleFamily } from '../types';
import type { Checker } from '../compare';
import { numericField } from '../fields';

interface Expected {
  y_new: (number | null)[] | null;
  tck?: { t: number[]; c: (number | null)[]; k: number } | null;
  error?: { message: string } | null;
}

function hasDuplicateX(x: number[]): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] === x[i - 1]) return true;
  return false;
}

function expectStagebookError(check: Checker, run: () => unknown, reference: string): void {
  try {
    run();
    check.fail(`expected an error (${reference}), but the call succeeded`);
  } catch (e) {
    if (!isStagebookError(e)) check.fail(`expected a StagebookError, got ${String(e)}`);
  }
}

export const splrepLinearFamily: OracleFamily = {
  family: 'splrep_linear',
  runCase(c, check, ctx) {
    const params = (c.params ?? {}) as { k?: number; s?: number; ext?: number };
    if ((params.k ?? 1) !== 1 || (params.s ?? 0) !== 0 || (params.ext ?? 0) !== 0) {
      check.fail(`splrep_linear: only k=1, s=0, ext=0 is supported, got ${JSON.stringify(params)}`);
      return;
    }
    const x = numericField(c, 'x', ctx);
    const y = numericField(c, 'y', ctx);
    const xNew = numericField(c, 'x_new', ctx);
    const expected = c.expected as Expected | undefined;
    const run = () => splev(xNew, splrepLinear(x, y));
    if (expected?.error) {
      expectStagebookError(check, run, `reference: ${expected.error.message}`);
      return;
    }
    if (hasDuplicateX(x)) {
      // scipy accepts duplicate x (FITPACK only checks x is non-decreasing) and returns NaN
      // coefficients and NaN/garbage values (sp07). The oracle README recommends rejecting
      // duplicates rather than reproducing that garbage; splrepLinear does, so the verdict for
      // such a case is "throws a StagebookError", not a comparison with scipy's NaN output.
      expectStagebookError(check, run, 'duplicate x must be rejected');
      return;
    }
    const tck = splrepLinear(x, y);
    const yNew = splev(xNew, tck);
    if (!expected) return;
    let scale = 0;
    for (const v of y) scale = Math.max(scale, Math.abs(v));
    const tol = { atol: 1e-12 * scale };
    if (expected.y_new) check.close('y_new', yNew, expected.y_new, tol);
    if (expected.tck) {
      check.exact('tck.t', tck.t, expected.tck.t);
      check.close('tck.c', tck.c, expected.tck.c, tol);
      check.equal('tck.k', tck.k, expected.tck.k);
    }
  },
};
