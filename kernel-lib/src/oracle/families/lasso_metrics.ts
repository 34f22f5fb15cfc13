/**
 * Oracle adapter for `lasso_metrics` (ALEXIS' fit metrics and distance;
 * shared/oracle/README-alexis.md). Single cases: one b; grid cases: the 50 reference solutions of a
 * lambda grid and the first index of the smallest distance. p: when the reference is exactly 0
 * (|r| clipped to 1) any p <= 1e-30 is accepted.
 */
import { lassoFitMetrics, type LassoFitMetrics } from '../../numeric/lasso';
import type { Checker, Tolerance } from '../compare';
import { caseField } from '../fields';
import type { OracleFamily } from '../types';

type MetricName = 'RMSE' | 'MSE' | 'r' | 'p' | 'vector_fit' | 'E_tot' | 'distance';
const METRICS: MetricName[] = ['RMSE', 'MSE', 'r', 'p', 'vector_fit', 'E_tot', 'distance'];

function value(m: LassoFitMetrics, name: MetricName): number {
  if (name === 'vector_fit') return m.vectorFit;
  if (name === 'E_tot') return m.eTot;
  return m[name];
}

function checkMetric(check: Checker, field: string, got: number, ref: number | null, tol: Tolerance): void {
  if (field.startsWith('p') && ref === 0) {
    if (!(got <= 1e-30)) check.fail(`${field}: ${got} vs expected 0 (accepting <= 1e-30)`);
    return;
  }
  check.close(field, [got], [ref], tol);
}

/** First index of the smallest distance, NaN skipped (ALEXIS takes the global minimum). */
function argminDistance(ds: number[]): number {
  let best = -1;
  ds.forEach((d, i) => {
    if (!Number.isNaN(d) && (best < 0 || d < ds[best])) best = i;
  });
  return best;
}

export const lassoMetricsFamily: OracleFamily = {
  family: 'lasso_metrics',
  runCase(c, check, ctx) {
    const A = caseField(c, 'A', ctx) as number[][];
    const x = caseField(c, 'x', ctx) as number[];
    const tol = c.tolerance as Record<string, Tolerance>;
    const expected = c.expected as Record<string, unknown>;
    const bs = caseField(c, 'bs', ctx) as number[][] | undefined;
    if (bs) {
      const all = bs.map((b) => lassoFitMetrics(A, x, b));
      for (const name of METRICS) {
        const refs = expected[name] as (number | null)[];
        all.forEach((m, k) => checkMetric(check, `${name}[${k}]`, value(m, name), refs[k], tol[name]));
      }
      check.equal('argmin_distance', argminDistance(all.map((m) => m.distance)), expected.argmin_distance);
      return;
    }
    const m = lassoFitMetrics(A, x, caseField(c, 'b', ctx) as number[]);
    for (const name of METRICS) checkMetric(check, name, value(m, name), expected[name] as number | null, tol[name]);
    if (expected.fit) check.close('fit', m.fit, expected.fit, tol.fit);
    if (Array.isArray(c.warnings))
      check.exact('warnings', m.warnings.map((w) => w.type).join(','), (c.warnings as string[]).join(','));
  },
};
