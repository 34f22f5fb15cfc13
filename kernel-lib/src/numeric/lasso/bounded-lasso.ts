/**
 * The bounded LASSO of ALEXIS' grid search (pipeline/create_peakfinder_scale.py,
 * fit_all_zoom_LASSO; objective from convex_fits_and_filtering_module.objective_fn):
 *
 *   minimise |A b - x|^2 + lam * |b|_1   subject to 0 <= b_j <= 1,
 *
 * solved exactly (to the KKT point) by the active-set method in wasm-core/assembly/lasso.ts, for a
 * whole lambda path at once with warm starts. ALEXIS uses cvxpy (ECOS at ~1e-8); the reference here
 * is the oracle's polished cvxopt solution (shared/oracle/README-alexis.md, lasso_box).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { requireFinite, toFloat64, type NumericArray } from '../validate';
import { lassoCore } from './wasm';

/** A dense matrix: nested rows (`A[i][j]`, time i, column j) or row-major data with its shape. */
export type DenseMatrix = ArrayLike<ArrayLike<number>> | { data: NumericArray; shape: [number, number] };

export interface BoundedLassoOptions {
  /** Start each lam from the previous lam's solution and active set (default true). */
  warmStart?: boolean;
  /** Active-set iterations allowed per lam (default 100 + 20 * columns). */
  maxIterations?: number;
}

export interface BoundedLassoSolution {
  lam: number;
  /** The minimiser, each coefficient in [0, 1]. */
  b: Float64Array;
  /** f(b) = |A b - x|^2 + lam * sum(b). */
  objective: number;
  /** A b. */
  fit: Float64Array;
  /** sum(b) (= |b|_1, since b >= 0). */
  l1: number;
  /** Active-set iterations this lam took. */
  iterations: number;
}

export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** Validates and flattens a DenseMatrix to row-major float64 (errors name `where` and `field`). */
export function toMatrix(where: string, field: string, a: DenseMatrix): Matrix {
  if (a !== null && typeof a === 'object' && 'shape' in a && 'data' in a) {
    const [rows, cols] = a.shape;
    const data = Float64Array.from(toFloat64(where, field, a.data));
    if (data.length !== rows * cols) {
      throw new StagebookError(
        'E_INVALID_SHAPE',
        `${where}: ${field} has ${data.length} values, shape [${rows}, ${cols}] needs ${rows * cols}`,
        { where, field },
      );
    }
    return { data, rows, cols };
  }
  const nested = a as ArrayLike<ArrayLike<number>>;
  const rows = nested.length;
  const cols = rows > 0 ? nested[0].length : 0;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = toFloat64(where, `${field}[${i}]`, nested[i]);
    if (row.length !== cols) {
      throw new StagebookError(
        'E_INVALID_SHAPE',
        `${where}: ${field}[${i}] has ${row.length} columns, row 0 has ${cols}`,
        { where, field, row: i },
      );
    }
    data.set(row, i * cols);
  }
  return { data, rows, cols };
}

function validateProblem(
  where: string,
  A: DenseMatrix,
  x: NumericArray,
  lams: NumericArray,
): { a: Matrix; xs: Float64Array; ls: Float64Array } {
  const a = toMatrix(where, 'A', A);
  if (a.rows < 1 || a.cols < 1) {
    throw new StagebookError(
      'E_EMPTY_INPUT',
      `${where}: A must have at least one row and one column (got [${a.rows}, ${a.cols}])`,
      { where, field: 'A' },
    );
  }
  const xs = toFloat64(where, 'x', x);
  if (xs.length !== a.rows) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: shape mismatch: x has length ${xs.length} but A has ${a.rows} rows`,
      { where, field: 'x' },
    );
  }
  requireFinite(where, 'A', a.data);
  requireFinite(where, 'x', xs);
  const ls = Float64Array.from(toFloat64(where, 'lams', lams));
  ls.forEach((lam, i) => {
    if (!Number.isFinite(lam)) {
      throw new StagebookError('E_NON_FINITE', `${where}: lam must be a finite number (lams[${i}] is ${lam})`, {
        where,
        field: 'lams',
        index: i,
      });
    }
    if (lam < 0) {
      throw new StagebookError('E_INVALID_ARGUMENT', `${where}: lam must be >= 0 (got ${lam} at lams[${i}])`, {
        where,
        field: 'lams',
        index: i,
      });
    }
  });
  return { a, xs, ls };
}

/** A b for the row-major matrix. */
export function matVec(a: Matrix, b: ArrayLike<number>): Float64Array {
  const fit = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += a.data[i * a.cols + j] * b[j];
    fit[i] = s;
  }
  return fit;
}

function solution(a: Matrix, xs: Float64Array, lam: number, b: Float64Array, iterations: number): BoundedLassoSolution {
  const fit = matVec(a, b);
  let rss = 0;
  for (let i = 0; i < fit.length; i++) rss += (fit[i] - xs[i]) ** 2;
  let l1 = 0;
  for (const v of b) l1 += v;
  return { lam, b, objective: rss + lam * l1, fit, l1, iterations };
}

/**
 * Solves the bounded LASSO for every lam of `lams` (each an independent problem; the solver walks
 * them in the given order, warm-starting each from the previous solution). ALEXIS' grid is
 * `logspace(-3, 1, 50)`.
 * @throws StagebookError E_EMPTY_INPUT (no rows or columns), E_INVALID_SHAPE (x vs A rows, ragged A),
 *   E_NON_FINITE (NaN/inf in A, x or lams), E_INVALID_ARGUMENT (lam < 0), E_NOT_CONVERGED
 */
export function boundedLassoPath(
  A: DenseMatrix,
  x: NumericArray,
  lams: NumericArray,
  options: BoundedLassoOptions = {},
): BoundedLassoSolution[] {
  const where = 'boundedLassoPath';
  const { a, xs, ls } = validateProblem(where, A, x, lams);
  const k = a.cols;
  const warm = options.warmStart ?? true;
  const maxIter = options.maxIterations ?? 100 + 20 * k;
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: maxIterations must be a positive integer (got ${maxIter})`,
      { where, field: 'maxIterations' },
    );
  }
  const { core, k: kern } = lassoCore();
  const { bs, iters } = core.withArena((arena) => {
    const pa = arena.copyIn(a.data);
    const px = arena.copyIn(xs);
    const q = arena.f64(k * k);
    const c = arena.f64(k);
    kern.lassoGram(pa.ptr, a.rows, k, px.ptr, q.ptr, c.ptr);
    const b0 = arena.f64(k);
    const s0 = arena.i32(k);
    // TLSF blocks are not zeroed: the start is b = 0 with every variable at its lower bound (0).
    b0.view().fill(0);
    s0.view().fill(0);
    const out = arena.f64(ls.length * k);
    const it = arena.i32(ls.length);
    if (warm) {
      const pl = arena.copyIn(ls);
      kern.lassoPath(q.ptr, c.ptr, k, pl.ptr, ls.length, b0.ptr, s0.ptr, out.ptr, it.ptr, maxIter);
    } else {
      // Cold start: every lam from b = 0 with every variable at its lower bound.
      const one = arena.f64(1);
      for (let l = 0; l < ls.length; l++) {
        one.view()[0] = ls[l];
        kern.lassoPath(q.ptr, c.ptr, k, one.ptr, 1, b0.ptr, s0.ptr, out.ptr + l * k * 8, it.ptr + l * 4, maxIter);
      }
    }
    return { bs: out.copyOut(ls.length * k), iters: it.copyOut(ls.length) };
  });
  return Array.from(ls, (lam, l) => {
    if (iters[l] < 0) {
      throw new StagebookError(
        'E_NOT_CONVERGED',
        `${where}: the active-set method did not converge in ${maxIter} iterations for lam=${lam}`,
        { where, field: 'lams', index: l },
      );
    }
    return solution(a, xs, lam, bs.slice(l * k, (l + 1) * k), iters[l]);
  });
}

/** One bounded-LASSO problem (see boundedLassoPath). */
export function boundedLasso(
  A: DenseMatrix,
  x: NumericArray,
  lam: number,
  options: BoundedLassoOptions = {},
): BoundedLassoSolution {
  return boundedLassoPath(A, x, [lam], options)[0];
}
