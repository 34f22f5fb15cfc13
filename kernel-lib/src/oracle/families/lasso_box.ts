/**
 * Oracle adapter for `lasso_box` (the bounded LASSO of ALEXIS; shared/oracle/README-alexis.md).
 * The case's lams run as one warm-started path, as the grid search runs them. compare "solution":
 * b, objective, fit and l1 within the case's tolerances. compare "objective" (b not unique or too
 * ill-conditioned): feasibility within 1e-12, objective, fit (the same for every minimiser) and, for
 * lam > 0, l1.
 */
import { alexisDesignMatrix, boundedLassoPath } from '../../numeric/lasso';
import type { Checker, Tolerance } from '../compare';
import { caseField } from '../fields';
import type { OracleFamily } from '../types';

interface LassoSolutionRef {
  lam: number;
  compare: 'solution' | 'objective';
  b: number[];
  objective: number;
  fit: number[];
  l1: number;
}

interface LassoTolerances {
  b: Tolerance;
  objective: Tolerance;
  fit: Tolerance;
  l1: Tolerance;
}

interface LassoPrep {
  box_sizes_arcsec: number[];
  raw_box_flux: number[][];
  raw_xrs: number[];
}

/** ALEXIS' construction of A and x from the raw box sums and XRS reproduces the stored ones (1e-12). */
function checkPrep(prep: LassoPrep | undefined, A: number[][], x: number[], check: Checker): void {
  if (!prep) return;
  const k = prep.box_sizes_arcsec.length;
  const columns = Array.from({ length: k }, (_, j) => prep.raw_box_flux.map((row) => row[j]));
  const built = alexisDesignMatrix(columns, prep.box_sizes_arcsec, prep.raw_xrs);
  check.close('prep.A', built.A, A, { atol: 1e-12 });
  check.close('prep.x', built.x, x, { atol: 1e-12 });
}

export const lassoBoxFamily: OracleFamily = {
  family: 'lasso_box',
  runCase(c, check, ctx) {
    const A = caseField(c, 'A', ctx) as number[][];
    const x = caseField(c, 'x', ctx) as number[];
    const lams = caseField(c, 'lams', ctx) as number[];
    checkPrep(c.prep as LassoPrep | undefined, A, x, check);
    const solutions = boundedLassoPath(A, x, lams);
    const expected = (c.expected as { solutions: LassoSolutionRef[] }).solutions;
    const tol = c.tolerance as LassoTolerances;
    expected.forEach((ref, k) => {
      const got = solutions[k];
      const at = `lams[${k}]`;
      if (ref.compare === 'solution') {
        check.close(`${at}.b`, got.b, ref.b, tol.b);
      } else {
        for (let j = 0; j < got.b.length; j++) {
          if (got.b[j] < -1e-12 || got.b[j] > 1 + 1e-12) check.fail(`${at}.b[${j}] = ${got.b[j]} is outside [0, 1]`);
        }
      }
      check.close(`${at}.objective`, [got.objective], [ref.objective], tol.objective);
      check.close(`${at}.fit`, got.fit, ref.fit, tol.fit);
      if (ref.compare === 'solution' || ref.lam > 0) check.close(`${at}.l1`, [got.l1], [ref.l1], tol.l1);
    });
  },
};
