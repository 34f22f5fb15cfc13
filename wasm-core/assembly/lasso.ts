// Bounded LASSO of ALEXIS' stage 4 (pipeline/create_peakfinder_scale.py, fit_all_zoom_LASSO):
//   minimise f(b) = |A b - x|^2 + lam * sum_j b_j   subject to 0 <= b_j <= 1,
// a convex QP (b >= 0 makes the L1 norm linear). ALEXIS solves it with cvxpy; the oracle
// (shared/oracle/README-alexis.md, lasso_box) gives the exact KKT point. This is a primal
// active-set method on the Gram matrix Q = A^T A, c = A^T x (Nocedal & Wright, Algorithm 16.3,
// specialised to box constraints): the free variables are solved exactly from
// Q_FF b_F = c_F - lam/2 - Q_FB b_B; an infeasible solution is cut back by a ratio test that fixes
// the blocking variable at its bound; at a stationary point the bound variable whose multiplier
// has the wrong sign (g_j < 0 at 0, g_j > 0 at 1, g = 2 (Q b - c) + lam) is released. Along a
// lambda path each solve starts from the previous solution and active set (warm start), so a
// typical step changes zero or one bound.
export * from "./common/memory";
import { cholesky, choleskySolve, jacobiEigen, eigenSolve } from "./common/lasso-linalg";

const LOWER: i32 = 0;
const UPPER: i32 = 1;
const FREE: i32 = 2;

/** Q = A^T A (k x k, row-major) and c = A^T x for the row-major n x k matrix A. */
export function lassoGram(a: usize, n: i32, k: i32, x: usize, q: usize, c: usize): void {
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let s: f64 = 0;
      for (let t = 0; t < n; t++) s += load<f64>(a + ((<usize>(t * k + i)) << 3)) * load<f64>(a + ((<usize>(t * k + j)) << 3));
      store<f64>(q + ((<usize>(i * k + j)) << 3), s);
      store<f64>(q + ((<usize>(j * k + i)) << 3), s);
    }
    let s: f64 = 0;
    for (let t = 0; t < n; t++) s += load<f64>(a + ((<usize>(t * k + i)) << 3)) * load<f64>(x + ((<usize>t) << 3));
    store<f64>(c + ((<usize>i) << 3), s);
  }
}

/** Working state of one problem (k columns): Gram matrix, b, statuses and scratch space. */
class Problem {
  k: i32;
  q: StaticArray<f64>;
  c: StaticArray<f64>;
  b: StaticArray<f64>;
  status: StaticArray<i32>;
  free: StaticArray<i32>;
  m: StaticArray<f64>;
  m0: StaticArray<f64>;
  v: StaticArray<f64>;
  rhs: StaticArray<f64>;
  z: StaticArray<f64>;
  r: StaticArray<f64>;

  constructor(k: i32) {
    this.k = k;
    this.q = new StaticArray<f64>(k * k);
    this.c = new StaticArray<f64>(k);
    this.b = new StaticArray<f64>(k);
    this.status = new StaticArray<i32>(k);
    this.free = new StaticArray<i32>(k);
    this.m = new StaticArray<f64>(k * k);
    this.m0 = new StaticArray<f64>(k * k);
    this.v = new StaticArray<f64>(k * k);
    this.rhs = new StaticArray<f64>(k);
    this.z = new StaticArray<f64>(k);
    this.r = new StaticArray<f64>(k);
  }

  gradient(j: i32, lam: f64): f64 {
    const k = this.k;
    let s: f64 = 0;
    for (let p = 0; p < k; p++) s += unchecked(this.q[j * k + p]) * unchecked(this.b[p]);
    return 2 * (s - unchecked(this.c[j])) + lam;
  }

  /** Fills free[], M = Q_FF (and its copy) and rhs; returns the number of free variables. */
  assemble(lam: f64): i32 {
    const k = this.k;
    let nf = 0;
    for (let j = 0; j < k; j++) if (unchecked(this.status[j]) == FREE) unchecked((this.free[nf++] = j));
    for (let i = 0; i < nf; i++) {
      const fi = unchecked(this.free[i]);
      let r = unchecked(this.c[fi]) - lam * 0.5;
      for (let j = 0; j < k; j++) {
        if (unchecked(this.status[j]) != FREE) r -= unchecked(this.q[fi * k + j]) * unchecked(this.b[j]);
      }
      unchecked((this.rhs[i] = r));
      for (let j = 0; j < nf; j++) {
        const qv = unchecked(this.q[fi * k + this.free[j]]);
        unchecked((this.m[i * nf + j] = qv));
        unchecked((this.m0[i * nf + j] = qv));
      }
    }
    return nf;
  }

  /**
   * Solves the free block into z. Returns false for a solution, true when z is instead a
   * direction of unbounded decrease (singular block, rhs not in its range).
   */
  solveFree(nf: i32): bool {
    if (cholesky(this.m, nf)) {
      choleskySolve(this.m, nf, this.rhs, this.z);
      // One step of iterative refinement against the unfactored block.
      for (let i = 0; i < nf; i++) {
        let s = unchecked(this.rhs[i]);
        for (let j = 0; j < nf; j++) s -= unchecked(this.m0[i * nf + j]) * unchecked(this.z[j]);
        unchecked((this.r[i] = s));
      }
      choleskySolve(this.m, nf, this.r, this.r);
      for (let i = 0; i < nf; i++) unchecked((this.z[i] += this.r[i]));
      return false;
    }
    for (let i = 0; i < nf * nf; i++) unchecked((this.m[i] = this.m0[i]));
    jacobiEigen(this.m, nf, this.v);
    return eigenSolve(this.m, nf, this.v, this.rhs, this.z);
  }

  /** Moves the free variables towards z (or along direction z) and fixes the blocking ones. */
  step(nf: i32, direction: bool): bool {
    let alpha: f64 = direction ? Infinity : 1.0;
    for (let i = 0; i < nf; i++) {
      const bi = unchecked(this.b[this.free[i]]);
      const d = direction ? unchecked(this.z[i]) : unchecked(this.z[i]) - bi;
      if (d < 0) alpha = min(alpha, bi / -d);
      else if (d > 0) alpha = min(alpha, (1 - bi) / d);
    }
    if (!direction && alpha >= 1) {
      for (let i = 0; i < nf; i++) unchecked((this.b[this.free[i]] = this.z[i]));
      return false;
    }
    for (let i = 0; i < nf; i++) {
      const j = unchecked(this.free[i]);
      const bi = unchecked(this.b[j]);
      const d = direction ? unchecked(this.z[i]) : unchecked(this.z[i]) - bi;
      const nb = bi + alpha * d;
      const limit = d < 0 ? bi / -d : d > 0 ? (1 - bi) / d : Infinity;
      if (limit <= alpha) {
        unchecked((this.b[j] = d < 0 ? 0.0 : 1.0));
        unchecked((this.status[j] = d < 0 ? LOWER : UPPER));
      } else {
        unchecked((this.b[j] = min(1.0, max(0.0, nb))));
      }
    }
    return true;
  }

  /** The bound variable with the most violated multiplier sign, or -1 at a KKT point. */
  release(lam: f64, tol: f64): i32 {
    let best = -1;
    let worst: f64 = tol;
    for (let j = 0; j < this.k; j++) {
      const s = unchecked(this.status[j]);
      if (s == FREE) continue;
      const g = this.gradient(j, lam);
      const violation = s == LOWER ? -g : g;
      if (violation > worst) {
        worst = violation;
        best = j;
      }
    }
    return best;
  }

  /** Active-set iterations for one lam from the current (feasible) b; iterations, or -1. */
  solve(lam: f64, maxIter: i32): i32 {
    let scale: f64 = max(1.0, lam);
    for (let j = 0; j < this.k; j++) scale = max(scale, Math.abs(2 * unchecked(this.c[j])));
    const tol = 1e-12 * scale;
    for (let it = 0; it < maxIter; it++) {
      const nf = this.assemble(lam);
      if (nf > 0) {
        const direction = this.solveFree(nf);
        if (this.step(nf, direction)) continue;
      }
      const j = this.release(lam, tol);
      if (j < 0) return it + 1;
      unchecked((this.status[j] = FREE));
    }
    return -1;
  }
}

/**
 * Solves the problem for each of the m values at lams (in order, each warm-started from the
 * previous solution). q/c from lassoGram; b0 (k values in [0,1]) and status0 (k i32: 0 at the
 * lower bound, 1 at the upper bound, 2 free) give the starting point. Writes b (m x k) to bOut
 * and the iteration count of each solve to itersOut (-1: no convergence in maxIter iterations).
 */
export function lassoPath(
  q: usize, c: usize, k: i32, lams: usize, m: i32, b0: usize, status0: usize,
  bOut: usize, itersOut: usize, maxIter: i32,
): void {
  const p = new Problem(k);
  for (let i = 0; i < k * k; i++) unchecked((p.q[i] = load<f64>(q + ((<usize>i) << 3))));
  for (let j = 0; j < k; j++) {
    unchecked((p.c[j] = load<f64>(c + ((<usize>j) << 3))));
    unchecked((p.b[j] = load<f64>(b0 + ((<usize>j) << 3))));
    unchecked((p.status[j] = load<i32>(status0 + ((<usize>j) << 2))));
  }
  for (let l = 0; l < m; l++) {
    const iters = p.solve(load<f64>(lams + ((<usize>l) << 3)), maxIter);
    store<i32>(itersOut + ((<usize>l) << 2), iters);
    for (let j = 0; j < k; j++) store<f64>(bOut + ((<usize>(l * k + j)) << 3), unchecked(p.b[j]));
  }
}

/** Fills p.q / p.c for the combination cols[0..k) of the global Gram (scaled by 1/m, 1/m^2). */
function loadCombination(p: Problem, g: usize, d: usize, nCols: i32, cols: StaticArray<i32>, m: f64): void {
  const k = p.k;
  const inv = 1.0 / m;
  const inv2 = inv * inv;
  for (let i = 0; i < k; i++) {
    const ci = unchecked(cols[i]);
    unchecked((p.c[i] = load<f64>(d + ((<usize>ci) << 3)) * inv));
    for (let j = 0; j < k; j++) {
      unchecked((p.q[i * k + j] = load<f64>(g + ((<usize>(ci * nCols + unchecked(cols[j]))) << 3)) * inv2));
    }
    unchecked((p.b[i] = 0));
    unchecked((p.status[i] = LOWER));
  }
}

/**
 * ALEXIS' composite distance of the current solution from Gram quantities only (no pass over the
 * samples): RSS = b'Qb - 2c'b + x'x, vector_fit = c'b / b'Qb, E_tot = sum(x) / sum(fit),
 * r = (n c'b - sum(fit) sum(x)) / sqrt((n b'Qb - sum(fit)^2)(n x'x - sum(x)^2)). For ranking the
 * grid; the chosen fit's metrics are recomputed exactly from A by the host.
 */
function gridDistance(p: Problem, colSum: usize, cols: StaticArray<i32>, m: f64, xx: f64, sx: f64, n: f64): f64 {
  const k = p.k;
  let bqb: f64 = 0, cb: f64 = 0, sb: f64 = 0;
  for (let i = 0; i < k; i++) {
    const bi = unchecked(p.b[i]);
    if (bi == 0) continue;
    let row: f64 = 0;
    for (let j = 0; j < k; j++) row += unchecked(p.q[i * k + j]) * unchecked(p.b[j]);
    bqb += bi * row;
    cb += unchecked(p.c[i]) * bi;
    sb += load<f64>(colSum + ((<usize>unchecked(cols[i])) << 3)) / m * bi;
  }
  const mse = max(bqb - 2 * cb + xx, 0.0) / n;
  const rmse = Math.sqrt(mse);
  const vf = bqb == 0 ? NaN : cb / bqb;
  const et = sb == 0 ? NaN : sx / sb;
  const den = Math.sqrt((n * bqb - sb * sb) * (n * xx - sx * sx));
  const r = den > 0 ? min(1.0, max(-1.0, (n * cb - sb * sx) / den)) : NaN;
  return Math.sqrt(rmse * rmse + mse * mse + (1 - vf) * (1 - vf) + (1 - et) * (1 - et) + (1 - r) * (1 - r) / 4);
}

/** Advances `idx` (k indices < nc) to the next itertools.combinations tuple; false at the end. */
function nextCombination(idx: StaticArray<i32>, k: i32, nc: i32): bool {
  let i = k - 1;
  while (i >= 0 && unchecked(idx[i]) == nc - k + i) i--;
  if (i < 0) return false;
  unchecked((idx[i] += 1));
  for (let j = i + 1; j < k; j++) unchecked((idx[j] = idx[j - 1] + 1));
  return true;
}

/** Advances `zoom` (k digits < nz) like itertools.product (last fastest); false at the end. */
function nextProduct(zoom: StaticArray<i32>, k: i32, nz: i32): bool {
  for (let i = k - 1; i >= 0; i--) {
    if (unchecked(zoom[i]) + 1 < nz) {
      unchecked((zoom[i] += 1));
      return true;
    }
    unchecked((zoom[i] = 0));
  }
  return false;
}

/**
 * ALEXIS' grid search (create_peakfinder_scale.py: create_df_w_normed_and_lowpass_columns and
 * fit_all_zoom_LASSO): for every non-empty subset of the nc clusters (itertools.combinations by
 * size) and every choice of one of nz zooms per chosen cluster (itertools.product), the columns
 * h[cluster * nz + zoom] scaled by the subset's global maximum m are fitted for every lam (warm
 * path). g = H'H (nc*nz square), d = H'x, colSum/colMax per column. Per combination writes the
 * smallest distance (NaN skipped; first lam on ties) to outDist, its lam index to outLam (-1 when
 * every distance is NaN, -2 when the solver did not converge) and its coefficients to outB
 * (nc values per combination, unused ones 0). Returns the number of combinations.
 */
export function lassoGrid(
  g: usize, d: usize, colSum: usize, colMax: usize, xx: f64, sx: f64, n: i32, nc: i32, nz: i32,
  lams: usize, nl: i32, outDist: usize, outLam: usize, outB: usize, maxIter: i32,
): i32 {
  return gridFrom(1, g, d, colSum, colMax, xx, sx, n, nc, nz, lams, nl, outDist, outLam, outB, maxIter);
}

/**
 * One gridsearch_{k} file of ALEXIS (create_df_w_normed_and_lowpass_columns writes one file per
 * cluster subset): only the combinations that use ALL nc clusters (nz^nc zoom choices, in
 * itertools.product order), same outputs as lassoGrid.
 */
export function lassoGridAllClusters(
  g: usize, d: usize, colSum: usize, colMax: usize, xx: f64, sx: f64, n: i32, nc: i32, nz: i32,
  lams: usize, nl: i32, outDist: usize, outLam: usize, outB: usize, maxIter: i32,
): i32 {
  return gridFrom(nc, g, d, colSum, colMax, xx, sx, n, nc, nz, lams, nl, outDist, outLam, outB, maxIter);
}

function gridFrom(
  kFrom: i32, g: usize, d: usize, colSum: usize, colMax: usize, xx: f64, sx: f64, n: i32, nc: i32, nz: i32,
  lams: usize, nl: i32, outDist: usize, outLam: usize, outB: usize, maxIter: i32,
): i32 {
  const nCols = nc * nz;
  let combo = 0;
  const cols = new StaticArray<i32>(nc);
  const best = new StaticArray<f64>(nc);
  for (let k = kFrom; k <= nc; k++) {
    const p = new Problem(k);
    const idx = new StaticArray<i32>(k);
    const zoom = new StaticArray<i32>(k);
    for (let i = 0; i < k; i++) unchecked((idx[i] = i));
    do {
      for (let i = 0; i < k; i++) unchecked((zoom[i] = 0));
      do {
        let m: f64 = 0;
        for (let i = 0; i < k; i++) {
          const col = unchecked(idx[i]) * nz + unchecked(zoom[i]);
          unchecked((cols[i] = col));
          m = max(m, load<f64>(colMax + ((<usize>col) << 3)));
        }
        loadCombination(p, g, d, nCols, cols, m);
        let bestDist: f64 = NaN;
        let bestLam = -1;
        for (let l = 0; l < nl; l++) {
          if (p.solve(load<f64>(lams + ((<usize>l) << 3)), maxIter) < 0) {
            bestLam = -2;
            break;
          }
          const dist = gridDistance(p, colSum, cols, m, xx, sx, <f64>n);
          if (!isNaN(dist) && (bestLam < 0 || dist < bestDist)) {
            bestDist = dist;
            bestLam = l;
            for (let i = 0; i < k; i++) unchecked((best[i] = p.b[i]));
          }
        }
        store<f64>(outDist + ((<usize>combo) << 3), bestLam >= 0 ? bestDist : NaN);
        store<i32>(outLam + ((<usize>combo) << 2), bestLam);
        for (let c = 0; c < nc; c++) store<f64>(outB + ((<usize>(combo * nc + c)) << 3), 0);
        if (bestLam >= 0) {
          for (let i = 0; i < k; i++) store<f64>(outB + ((<usize>(combo * nc + unchecked(idx[i]))) << 3), unchecked(best[i]));
        }
        combo++;
      } while (nextProduct(zoom, k, nz));
    } while (nextCombination(idx, k, nc));
  }
  return combo;
}
