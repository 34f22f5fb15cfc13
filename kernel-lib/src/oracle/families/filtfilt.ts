/**
 * Oracle adapter for `filtfilt` (scipy.signal.filtfilt, method='pad'). Tolerance from the oracle
 * README: |y - y_ref| <= 1e-12 * max(1, max|y_ref|).
 */
import { isStagebookError } from '../../errors/stagebook-error';
import { filtfilt, type PadType } from '../../numeric/signals';
import type { OracleFamily } from '../types';
import { numericField } from '../fields';

interface FiltfiltParams {
  padtype?: PadType;
  padlen?: number | null;
  method?: string;
}

export const filtfiltFamily: OracleFamily = {
  family: 'filtfilt',
  runCase(c, check, ctx) {
    const params = (c.params ?? {}) as FiltfiltParams;
    if (params.method !== undefined && params.method !== 'pad') {
      check.fail(`filtfilt: method ${JSON.stringify(params.method)} is not supported (only 'pad')`);
      return;
    }
    const expected = c.expected as { y: number[] | null; error?: { message: string } | null } | undefined;
    const run = (): Float64Array =>
      filtfilt(numericField(c, 'b', ctx), numericField(c, 'a', ctx), numericField(c, 'x', ctx), {
        padtype: params.padtype === undefined ? 'odd' : params.padtype,
        padlen: params.padlen ?? null,
      });
    if (expected?.error) {
      // Error recorded inside `expected` (older layout): the call must throw too.
      try {
        run();
        check.fail(`expected an error (reference: ${expected.error.message}), but the call succeeded`);
      } catch (e) {
        if (!isStagebookError(e)) check.fail(`expected a StagebookError, got ${String(e)}`);
      }
      return;
    }
    const y = run();
    if (!expected || !expected.y) return;
    let scale = 1;
    for (const v of expected.y) scale = Math.max(scale, Math.abs(v ?? 0));
    check.close('y', y, expected.y, { atol: 1e-12 * scale });
  },
};
