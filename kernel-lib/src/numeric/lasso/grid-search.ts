/**
 * ALEXIS' exhaustive grid search (stage 4 steps 8-10: create_peakfinder_scale.py,
 * create_df_w_normed_and_lowpass_columns, fit_all_zoom_LASSO, calculate_fits_metric_distance):
 * every non-empty subset of the candidate clusters, every choice of one box size per chosen
 * cluster, every lam of the grid; the fit with the smallest composite distance wins.
 *
 * The matrices are built as convex_fits_and_filtering_module.
 * return_matrices_for_this_zoom_in_combo_low_pass_filter builds them (shared/oracle/README-alexis.md,
 * "How ALEXIS builds A and x"): integ = raw * (1/s^2), oc = integ - min, A0 = oc / max (over the
 * matrix), f = filtfilt(ones(3)/3, [1], A0_j) - min, A = F / max(F). filtfilt is linear and every
 * step after the per-column offset is a global positive scale, so A_j = h_j / max_S(max h) with
 * h_j = filtfilt(oc_j) - min(filtfilt(oc_j)) computed once per (cluster, box); a combination is then
 * the submatrix of the Gram matrix H'H scaled by 1/m^2, and the whole grid (390,624 combinations for
 * 8 clusters x 4 boxes) never touches the samples again. Equal to the per-combination construction
 * up to rounding (~1e-16 relative; the oracle suggests 1e-12 for the prep).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { filtfilt } from '../signals';
import { requireFinite, toFloat64, type NumericArray } from '../validate';
import { lassoFitMetrics, type LassoFitMetrics } from './metrics';
import { lassoCore } from './wasm';

/** ALEXIS' lambda grid: numpy.logspace(-3, 1, 50). */
export function alexisLambdaGrid(): Float64Array {
  return Float64Array.from({ length: 50 }, (_, i) => 10 ** (-3 + (4 * i) / 49));
}

export interface LassoGridInput {
  /** Box-sum series on the XRS times: columns[cluster][box] has one value per XRS sample. */
  columns: NumericArray[][];
  /** Box linear size in arcsec per box index (ALEXIS: 150, 100, 80, 50 in its own order). */
  boxSizesArcsec: number[];
  /** XRS flux on the 1-minute grid. */
  xrs: NumericArray;
  /** Default: alexisLambdaGrid(). */
  lams?: NumericArray;
}

export interface GridCombination {
  /** Indices of the clusters in the fit (ascending). */
  clusters: number[];
  /** Box index per chosen cluster. */
  boxes: number[];
}

export interface LassoGridResult {
  /** Number of (subset, box choice) combinations fitted. */
  combinations: number;
  /** Smallest distance per combination (NaN when every lam gave NaN), in ALEXIS' order. */
  distance: Float64Array;
  /** Index into lams of that distance, per combination. */
  lamIndex: Int32Array;
  /** The combination at an index (decoded from ALEXIS' enumeration order). */
  combination(index: number): GridCombination;
  /** The global minimum: its combination, lam, coefficients (per chosen cluster) and exact metrics. */
  best: GridCombination & {
    index: number;
    lam: number;
    b: Float64Array;
    A: Float64Array[];
    x: Float64Array;
    metrics: LassoFitMetrics;
  };
}

function minMax(v: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of v) {
    lo = Math.min(lo, e);
    hi = Math.max(hi, e);
  }
  return [lo, hi];
}

const LOW_PASS = [1 / 3, 1 / 3, 1 / 3];

/** The normalised, low-passed XRS target x (ALEXIS: x0 = (xrs - min) / max, filtfilt, / max). */
export function alexisTarget(xrs: NumericArray): Float64Array {
  const raw = toFloat64('alexisTarget', 'xrs', xrs);
  const [lo] = minMax(raw);
  const off = raw.map((v) => v - lo);
  const [, hi] = minMax(off);
  const xf = filtfilt(
    LOW_PASS,
    [1],
    off.map((v) => v / hi),
  );
  const [, fmax] = minMax(xf);
  return xf.map((v) => v / fmax);
}

/** h = filtfilt(oc) - min with oc = raw * (1/s^2) - min: a column before the global scale. */
export function alexisColumn(raw: NumericArray, boxSizeArcsec: number): Float64Array {
  const integ = toFloat64('alexisColumn', 'raw', raw).map((v) => v * (1 / boxSizeArcsec ** 2));
  const [lo] = minMax(integ);
  const f = filtfilt(
    LOW_PASS,
    [1],
    integ.map((v) => v - lo),
  );
  const [fmin] = minMax(f);
  return f.map((v) => v - fmin);
}

/**
 * One ALEXIS design matrix: raw box-sum columns (rawColumns[j] on the XRS times, box j of
 * boxSizesArcsec[j]) and the XRS series, normalised and low-passed as ALEXIS does. A is row-major
 * n x k (time i, column j).
 */
export function alexisDesignMatrix(
  rawColumns: NumericArray[],
  boxSizesArcsec: number[],
  xrs: NumericArray,
): { A: Float64Array; shape: [number, number]; x: Float64Array } {
  if (rawColumns.length !== boxSizesArcsec.length) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `alexisDesignMatrix: ${rawColumns.length} columns but ${boxSizesArcsec.length} box sizes`,
      { where: 'alexisDesignMatrix', field: 'boxSizesArcsec' },
    );
  }
  const x = alexisTarget(xrs);
  const h = rawColumns.map((raw, j) => alexisColumn(raw, boxSizesArcsec[j]));
  const m = Math.max(...h.map((col) => minMax(col)[1]));
  const k = h.length;
  const A = new Float64Array(x.length * k);
  h.forEach((col, j) => {
    if (col.length !== x.length) {
      throw new StagebookError(
        'E_INVALID_SHAPE',
        `alexisDesignMatrix: column ${j} has ${col.length} samples, xrs has ${x.length}`,
        { where: 'alexisDesignMatrix', field: 'rawColumns' },
      );
    }
    col.forEach((v, t) => (A[t * k + j] = v / m));
  });
  return { A, shape: [x.length, k], x };
}

function decode(index: number, nc: number, nz: number): GridCombination {
  let rest = index;
  const clusters: number[] = [];
  for (let k = 1; k <= nc; k++) {
    const per = nz ** k;
    const subsets = binomial(nc, k);
    if (rest >= subsets * per) {
      rest -= subsets * per;
      continue;
    }
    const subset = Math.floor(rest / per);
    let z = rest % per;
    clusters.push(...nthCombination(nc, k, subset));
    const boxes = new Array<number>(k);
    for (let i = k - 1; i >= 0; i--) {
      boxes[i] = z % nz;
      z = Math.floor(z / nz);
    }
    return { clusters, boxes };
  }
  throw new StagebookError('E_INVALID_ARGUMENT', `lassoGridSearch: combination ${index} is out of range`, {
    where: 'lassoGridSearch',
    field: 'index',
  });
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** The rank-th k-subset of 0..n-1 in itertools.combinations (lexicographic) order. */
function nthCombination(n: number, k: number, rank: number): number[] {
  const out: number[] = [];
  let start = 0;
  let r = rank;
  for (let i = 0; i < k; i++) {
    for (let v = start; v < n; v++) {
      const count = binomial(n - v - 1, k - i - 1);
      if (r < count) {
        out.push(v);
        start = v + 1;
        break;
      }
      r -= count;
    }
  }
  return out;
}

function validate(input: LassoGridInput): {
  h: Float64Array[];
  x: Float64Array;
  lams: Float64Array;
  nc: number;
  nz: number;
} {
  const where = 'lassoGridSearch';
  const nc = input.columns.length;
  const nz = input.boxSizesArcsec.length;
  if (nc < 1 || nz < 1)
    throw new StagebookError('E_EMPTY_INPUT', `${where}: needs at least one cluster and one box size`, {
      where,
      field: 'columns',
    });
  const x = alexisTarget(input.xrs);
  requireFinite(where, 'xrs', x);
  const h: Float64Array[] = [];
  input.columns.forEach((perBox, c) => {
    if (perBox.length !== nz) {
      throw new StagebookError(
        'E_INVALID_SHAPE',
        `${where}: columns[${c}] has ${perBox.length} boxes, boxSizesArcsec has ${nz}`,
        { where, field: 'columns' },
      );
    }
    perBox.forEach((raw, z) => {
      const col = alexisColumn(raw, input.boxSizesArcsec[z]);
      if (col.length !== x.length) {
        throw new StagebookError(
          'E_INVALID_SHAPE',
          `${where}: columns[${c}][${z}] has ${col.length} samples, xrs has ${x.length}`,
          { where, field: 'columns' },
        );
      }
      requireFinite(where, `columns[${c}][${z}]`, col);
      h.push(col);
    });
  });
  const lams = Float64Array.from(input.lams ?? alexisLambdaGrid());
  return { h, x, lams, nc, nz };
}

/** The Gram matrix H'H, H'x, the column sums, x'x and sum(x) the wasm grid kernels start from (columns h, target x). */
export function gramOf(
  h: Float64Array[],
  x: Float64Array,
): { g: Float64Array; d: Float64Array; colSum: Float64Array; xx: number; sx: number } {
  const P = h.length;
  const n = x.length;
  const g = new Float64Array(P * P);
  const d = new Float64Array(P);
  const colSum = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    for (let t = 0; t < n; t++) {
      d[i] += h[i][t] * x[t];
      colSum[i] += h[i][t];
    }
    for (let j = i; j < P; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += h[i][t] * h[j][t];
      g[i * P + j] = s;
      g[j * P + i] = s;
    }
  }
  let xx = 0;
  let sx = 0;
  for (const v of x) {
    xx += v * v;
    sx += v;
  }
  return { g, d, colSum, xx, sx };
}

/**
 * Runs the whole grid (see the module comment) in wasm-core and returns the distance of every
 * combination and the global best, whose metrics are recomputed exactly from its matrix.
 * @throws StagebookError E_EMPTY_INPUT, E_INVALID_SHAPE, E_NON_FINITE, E_NOT_CONVERGED
 */
export function lassoGridSearch(input: LassoGridInput): LassoGridResult {
  const { h, x, lams, nc, nz } = validate(input);
  const P = h.length;
  const n = x.length;
  const { g, d, colSum, xx, sx } = gramOf(h, x);
  const colMax = h.map((col) => minMax(col)[1]);
  const total = (nz + 1) ** nc - 1;
  const { core, k } = lassoCore();
  const out = core.withArena((arena) => {
    const dist = arena.f64(total);
    const lam = arena.i32(total);
    const bs = arena.f64(total * nc);
    const args = [
      arena.copyIn(g).ptr,
      arena.copyIn(d).ptr,
      arena.copyIn(colSum).ptr,
      arena.copyIn(Float64Array.from(colMax)).ptr,
    ] as const;
    const pl = arena.copyIn(lams);
    k.lassoGrid(...args, xx, sx, n, nc, nz, pl.ptr, lams.length, dist.ptr, lam.ptr, bs.ptr, 100 + 20 * nc);
    return { distance: dist.copyOut(), lamIndex: lam.copyOut(), b: bs.copyOut() };
  });
  if (out.lamIndex.includes(-2)) {
    throw new StagebookError(
      'E_NOT_CONVERGED',
      'lassoGridSearch: the active-set method did not converge for some combination',
      { where: 'lassoGridSearch' },
    );
  }
  let bestIndex = -1;
  out.distance.forEach((v, i) => {
    if (!Number.isNaN(v) && (bestIndex < 0 || v < out.distance[bestIndex])) bestIndex = i;
  });
  const combination = (i: number): GridCombination => decode(i, nc, nz);
  const bc = combination(bestIndex);
  const m = Math.max(...bc.clusters.map((c, i) => colMax[c * nz + bc.boxes[i]]));
  const A = bc.clusters.map((c, i) => h[c * nz + bc.boxes[i]].map((v) => v / m));
  const b = Float64Array.from(bc.clusters, (c) => out.b[bestIndex * nc + c]);
  const data = new Float64Array(n * A.length);
  for (let t = 0; t < n; t++) for (let j = 0; j < A.length; j++) data[t * A.length + j] = A[j][t];
  const metrics = lassoFitMetrics({ data, shape: [n, A.length] }, x, b);
  return {
    combinations: total,
    distance: out.distance,
    lamIndex: out.lamIndex,
    combination,
    best: { ...bc, index: bestIndex, lam: lams[out.lamIndex[bestIndex]], b, A, x, metrics },
  };
}
