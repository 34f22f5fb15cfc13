/**
 * Oracle adapter for `cross_correlation` (numpy.correlate, scipy.signal.correlate with
 * correlation_lags, and the normalised cross-correlation definition). Tolerances from the oracle
 * README: direct / numpy rtol 1e-12 atol 1e-12; fft atol 1e-10 * max|out|; lags exact.
 */
import {
  correlate,
  correlateSignals,
  correlationLags,
  chooseCorrelationMethod,
  normalizedCrossCorrelation,
} from '../../numeric/signals';
import type { CorrelationMethod, CorrelationMode } from '../../numeric/signals';
import type { Checker } from '../compare';
import { numericField } from '../fields';
import type { OracleCase, OracleContext, OracleFamily } from '../types';

const DIRECT_TOL = { rtol: 1e-12, atol: 1e-12 };

function maxAbs(values: ArrayLike<number | null>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i] ?? 0));
  return m;
}

function runNumpy(c: OracleCase, check: Checker, ctx: OracleContext): void {
  const out = correlate(numericField(c, 'a', ctx), numericField(c, 'v', ctx), (c.mode as CorrelationMode) ?? 'valid');
  const expected = c.expected as { out: number[] } | undefined;
  if (expected) check.close('out', out, expected.out, DIRECT_TOL);
}

function runScipy(c: OracleCase, check: Checker, ctx: OracleContext): void {
  const in1 = numericField(c, 'in1', ctx);
  const in2 = numericField(c, 'in2', ctx);
  const mode = (c.mode as CorrelationMode) ?? 'full';
  const method = (c.method as CorrelationMethod) ?? 'auto';
  const out = correlateSignals(in1, in2, { mode, method });
  const expected = c.expected as { out: number[]; lags?: number[] } | undefined;
  if (!expected) return;
  const used = method === 'auto' ? chooseCorrelationMethod(in1.length, in2.length, mode) : method;
  check.close('out', out, expected.out, used === 'fft' ? { atol: 1e-10 * maxAbs(expected.out) } : DIRECT_TOL);
  if (expected.lags) check.exact('lags', correlationLags(in1.length, in2.length, mode), expected.lags);
}

function runNcc(c: OracleCase, check: Checker, ctx: OracleContext): void {
  const r = normalizedCrossCorrelation(numericField(c, 'x', ctx), numericField(c, 'y', ctx));
  const expected = c.expected as { ncc: number[]; lags: number[]; best_lag: number; max_ncc: number } | undefined;
  if (!expected) return;
  check.close('ncc', r.ncc, expected.ncc, DIRECT_TOL);
  check.exact('lags', r.lags, expected.lags);
  check.exact('best_lag', r.bestLag, expected.best_lag);
  check.close('max_ncc', r.maxNcc, expected.max_ncc, DIRECT_TOL);
}

export const crossCorrelationFamily: OracleFamily = {
  family: 'cross_correlation',
  runCase(c, check, ctx) {
    if (c.function === 'numpy.correlate') runNumpy(c, check, ctx);
    else if (c.function === 'scipy.signal.correlate') runScipy(c, check, ctx);
    else if (c.function === 'normalised_cross_correlation') runNcc(c, check, ctx);
    else check.fail(`cross_correlation: unknown function ${JSON.stringify(c.function)}`);
  },
};
