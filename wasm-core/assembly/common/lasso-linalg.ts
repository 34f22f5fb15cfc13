// Small dense symmetric solves for the bounded-LASSO active-set method (lasso.ts). The free
// block Q_FF = A_F^T A_F is at most a few dozen columns wide, so an O(k^3) factorisation per
// active-set change costs microseconds. Cholesky is the fast path; when a pivot collapses (exactly
// or nearly collinear columns, more columns than rows) a cyclic Jacobi eigen-decomposition gives
// the minimum-norm solution and, if the right-hand side has a component in the null space, the
// direction along which the objective decreases without bound (the box then stops it), as the
// oracle's reference polish does with an SVD of A_F (shared/oracle/README-alexis.md).

/** Relative size below which a Cholesky pivot or an eigenvalue counts as zero. */
export const SINGULAR_RTOL: f64 = 1e-13;

/**
 * In-place Cholesky of the n x n row-major matrix m (lower triangle used); returns false when a
 * pivot is <= SINGULAR_RTOL * the largest diagonal (the caller then uses the eigen path).
 */
export function cholesky(m: StaticArray<f64>, n: i32): bool {
  let maxDiag: f64 = 0;
  for (let i = 0; i < n; i++) maxDiag = max(maxDiag, unchecked(m[i * n + i]));
  const floor = SINGULAR_RTOL * maxDiag;
  for (let j = 0; j < n; j++) {
    let d = unchecked(m[j * n + j]);
    for (let p = 0; p < j; p++) {
      const l = unchecked(m[j * n + p]);
      d -= l * l;
    }
    if (!(d > floor)) return false;
    const s = Math.sqrt(d);
    unchecked((m[j * n + j] = s));
    for (let i = j + 1; i < n; i++) {
      let v = unchecked(m[i * n + j]);
      for (let p = 0; p < j; p++) v -= unchecked(m[i * n + p]) * unchecked(m[j * n + p]);
      unchecked((m[i * n + j] = v / s));
    }
  }
  return true;
}

/** Solves L L^T z = r with the factor from `cholesky`; z may alias r. */
export function choleskySolve(l: StaticArray<f64>, n: i32, r: StaticArray<f64>, z: StaticArray<f64>): void {
  for (let i = 0; i < n; i++) {
    let v = unchecked(r[i]);
    for (let p = 0; p < i; p++) v -= unchecked(l[i * n + p]) * unchecked(z[p]);
    unchecked((z[i] = v / l[i * n + i]));
  }
  for (let i = n - 1; i >= 0; i--) {
    let v = unchecked(z[i]);
    for (let p = i + 1; p < n; p++) v -= unchecked(l[p * n + i]) * unchecked(z[p]);
    unchecked((z[i] = v / l[i * n + i]));
  }
}

/**
 * Cyclic Jacobi eigen-decomposition of the symmetric n x n matrix m (destroyed: its diagonal ends
 * as the eigenvalues); v receives the eigenvectors as columns (row-major, v[i*n + e]).
 */
export function jacobiEigen(m: StaticArray<f64>, n: i32, v: StaticArray<f64>): void {
  for (let i = 0; i < n * n; i++) unchecked((v[i] = 0));
  for (let i = 0; i < n; i++) unchecked((v[i * n + i] = 1));
  for (let sweep = 0; sweep < 60; sweep++) {
    let off: f64 = 0;
    let diag: f64 = 0;
    for (let i = 0; i < n; i++) {
      diag += Math.abs(unchecked(m[i * n + i]));
      for (let j = i + 1; j < n; j++) off += Math.abs(unchecked(m[i * n + j]));
    }
    if (off <= 1e-300 || off < 1e-18 * diag) return;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) rotate(m, n, v, p, q);
    }
  }
}

/** One Jacobi rotation zeroing m[p][q] (Golub & Van Loan, Algorithm 8.4.2). */
function rotate(m: StaticArray<f64>, n: i32, v: StaticArray<f64>, p: i32, q: i32): void {
  const apq = unchecked(m[p * n + q]);
  if (apq == 0) return;
  const app = unchecked(m[p * n + p]);
  const aqq = unchecked(m[q * n + q]);
  const theta = (aqq - app) / (2 * apq);
  const t = (theta >= 0 ? 1.0 : -1.0) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    const mkp = unchecked(m[k * n + p]);
    const mkq = unchecked(m[k * n + q]);
    unchecked((m[k * n + p] = c * mkp - s * mkq));
    unchecked((m[k * n + q] = s * mkp + c * mkq));
  }
  for (let k = 0; k < n; k++) {
    const mpk = unchecked(m[p * n + k]);
    const mqk = unchecked(m[q * n + k]);
    unchecked((m[p * n + k] = c * mpk - s * mqk));
    unchecked((m[q * n + k] = s * mpk + c * mqk));
  }
  for (let k = 0; k < n; k++) {
    const vkp = unchecked(v[k * n + p]);
    const vkq = unchecked(v[k * n + q]);
    unchecked((v[k * n + p] = c * vkp - s * vkq));
    unchecked((v[k * n + q] = s * vkp + c * vkq));
  }
}

/**
 * Minimum-norm solution of the singular system (eigenvalues in diag(m), vectors in v) into z.
 * Returns true when r has a component in the null space larger than `nullTol` relative to |r|:
 * z then holds that component (a direction of unbounded decrease) instead of a solution.
 */
export function eigenSolve(m: StaticArray<f64>, n: i32, v: StaticArray<f64>, r: StaticArray<f64>, z: StaticArray<f64>): bool {
  let maxEig: f64 = 0;
  let rNorm: f64 = 0;
  for (let e = 0; e < n; e++) maxEig = max(maxEig, Math.abs(unchecked(m[e * n + e])));
  for (let i = 0; i < n; i++) rNorm += unchecked(r[i]) * unchecked(r[i]);
  rNorm = Math.sqrt(rNorm);
  const floor = SINGULAR_RTOL * maxEig * <f64>n;
  for (let i = 0; i < n; i++) unchecked((z[i] = 0));
  let nullNorm: f64 = 0;
  // First pass: the null-space component of r.
  for (let e = 0; e < n; e++) {
    if (Math.abs(unchecked(m[e * n + e])) > floor) continue;
    const proj = dotColumn(v, n, e, r);
    nullNorm += proj * proj;
    for (let i = 0; i < n; i++) unchecked((z[i] += proj * v[i * n + e]));
  }
  if (Math.sqrt(nullNorm) > 1e-10 * max(rNorm, 1e-300)) return true;
  for (let i = 0; i < n; i++) unchecked((z[i] = 0));
  for (let e = 0; e < n; e++) {
    const lam = unchecked(m[e * n + e]);
    if (Math.abs(lam) <= floor) continue;
    const coef = dotColumn(v, n, e, r) / lam;
    for (let i = 0; i < n; i++) unchecked((z[i] += coef * v[i * n + e]));
  }
  return false;
}

@inline function dotColumn(v: StaticArray<f64>, n: i32, e: i32, r: StaticArray<f64>): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += unchecked(v[i * n + e]) * unchecked(r[i]);
  return s;
}
