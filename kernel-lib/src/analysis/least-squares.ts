/**
 * Bounded nonlinear least squares (Levenberg-Marquardt with a numerical Jacobian) for the small
 * models pipelines fit: a handful of parameters, tens to thousands of points. Parameter errors come
 * from the covariance (J^T W J)^-1 scaled by the reduced chi-square, as scipy.optimize.curve_fit
 * does with absolute_sigma=False.
 */
import { StagebookError } from '../errors/stagebook-error';

export interface LeastSquaresProblem {
  /** Model value at x for parameters p. */
  model(x: number, p: readonly number[]): number;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Per-point standard deviations (weights 1/sigma^2); all 1 when absent. Zero/NaN sigmas drop the point. */
  sigma?: ArrayLike<number>;
  initial: number[];
  lower?: number[];
  upper?: number[];
}

/** Stopping policy (data, with stated defaults). */
export interface LeastSquaresPolicy {
  /** Maximum LM iterations (default 200). */
  maxIterations: number;
  /** Relative chi-square change that counts as converged (default 1e-12). */
  tolerance: number;
}

export const defaultLeastSquaresPolicy: LeastSquaresPolicy = { maxIterations: 200, tolerance: 1e-12 };

export interface LeastSquaresResult {
  params: number[];
  /** One-sigma errors (sqrt of the covariance diagonal, scaled by reduced chi-square). */
  errors: number[];
  chiSquare: number;
  reducedChiSquare: number;
  iterations: number;
  converged: boolean;
}

function clamp(p: number[], lo?: number[], hi?: number[]): number[] {
  return p.map((v, i) => Math.min(hi?.[i] ?? Infinity, Math.max(lo?.[i] ?? -Infinity, v)));
}

interface Points {
  x: number[];
  y: number[];
  w: number[];
}

function usablePoints(pb: LeastSquaresProblem): Points {
  const pts: Points = { x: [], y: [], w: [] };
  for (let i = 0; i < pb.x.length; i++) {
    const s = pb.sigma ? pb.sigma[i] : 1;
    if (!Number.isFinite(pb.x[i]) || !Number.isFinite(pb.y[i]) || !(s > 0)) continue;
    pts.x.push(pb.x[i]);
    pts.y.push(pb.y[i]);
    pts.w.push(1 / (s * s));
  }
  return pts;
}

function chiSquare(pb: LeastSquaresProblem, pts: Points, p: number[]): number {
  let c = 0;
  for (let i = 0; i < pts.x.length; i++) {
    const r = pts.y[i] - pb.model(pts.x[i], p);
    c += pts.w[i] * r * r;
  }
  return c;
}

/** Normal equations A = J^T W J, g = J^T W r with a forward-difference Jacobian. */
function normalEquations(pb: LeastSquaresProblem, pts: Points, p: number[]): { A: number[][]; g: number[] } {
  const n = p.length;
  const A = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const g = new Array<number>(n).fill(0);
  const steps = p.map((v) => 1e-7 * Math.max(Math.abs(v), 1e-3));
  for (let i = 0; i < pts.x.length; i++) {
    const f0 = pb.model(pts.x[i], p);
    const J = steps.map((h, k) => {
      const q = p.slice();
      q[k] += h;
      return (pb.model(pts.x[i], q) - f0) / h;
    });
    const r = pts.y[i] - f0;
    for (let a = 0; a < n; a++) {
      g[a] += pts.w[i] * J[a] * r;
      for (let b = 0; b < n; b++) A[a][b] += pts.w[i] * J[a] * J[b];
    }
  }
  return { A, g };
}

/** Solves M x = b by Gauss-Jordan with partial pivoting; null when singular. */
export function solveLinear(M: number[][], b: number[]): number[] | null {
  const n = b.length;
  const a = M.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    if (!(Math.abs(a[piv][c]) > 1e-300)) return null;
    [a[c], a[piv]] = [a[piv], a[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= n; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row, i) => row[n] / row[i]);
}

function inverse(M: number[][]): number[][] | null {
  const n = M.length;
  const cols: number[][] = [];
  for (let j = 0; j < n; j++) {
    const e = new Array<number>(n).fill(0);
    e[j] = 1;
    const c = solveLinear(M, e);
    if (!c) return null;
    cols.push(c);
  }
  return M.map((_, i) => cols.map((c) => c[i]));
}

/** Fits `problem.model` to the points; throws E_EMPTY_INPUT when fewer points than parameters. */
export function leastSquares(
  problem: LeastSquaresProblem,
  policy: LeastSquaresPolicy = defaultLeastSquaresPolicy,
): LeastSquaresResult {
  const pts = usablePoints(problem);
  const n = problem.initial.length;
  if (pts.x.length <= n) {
    throw new StagebookError('E_EMPTY_INPUT', `leastSquares: ${pts.x.length} usable points for ${n} parameters`, {
      where: 'leastSquares',
    });
  }
  let p = clamp(problem.initial.slice(), problem.lower, problem.upper);
  let chi = chiSquare(problem, pts, p);
  let lambda = 1e-3;
  let it = 0;
  let converged = false;
  for (; it < policy.maxIterations && !converged; it++) {
    const { A, g } = normalEquations(problem, pts, p);
    let improved = false;
    while (lambda < 1e12) {
      const damped = A.map((row, i) => row.map((v, j) => (i === j ? v * (1 + lambda) + 1e-300 : v)));
      const step = solveLinear(damped, g);
      const trial = step
        ? clamp(
            p.map((v, i) => v + step[i]),
            problem.lower,
            problem.upper,
          )
        : p;
      const trialChi = chiSquare(problem, pts, trial);
      if (step && trialChi <= chi) {
        converged = chi - trialChi <= policy.tolerance * Math.max(chi, 1e-300);
        p = trial;
        chi = trialChi;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = true;
        break;
      }
      lambda *= 10;
    }
    if (!improved) {
      converged = true;
      break;
    }
  }
  const dof = pts.x.length - n;
  const cov = inverse(normalEquations(problem, pts, p).A);
  const scale = chi / dof;
  const errors = p.map((_, i) => (cov ? Math.sqrt(Math.max(cov[i][i] * scale, 0)) : NaN));
  return { params: p, errors, chiSquare: chi, reducedChiSquare: scale, iterations: it, converged };
}
