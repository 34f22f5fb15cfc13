/**
 * One cluster subset of ALEXIS' grid search (create_peakfinder_scale.py writes one
 * `gridsearch_{k}` file per subset in create_df_w_normed_and_lowpass_columns and fits it in
 * fit_all_zoom_LASSO): every choice of one box per cluster of the subset (itertools.product,
 * last cluster fastest), every lam, on columns already normalised and low-passed per column
 * (alexisColumn) and the target x (alexisTarget). The per-combination global scale 1/max (the
 * "÷ matrix max" of ALEXIS) is applied inside the kernel, as in lassoGridSearch.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { requireFinite, toFloat64, type NumericArray } from '../validate';
import { alexisLambdaGrid, gramOf } from './grid-search';
import { lassoFitMetrics, type LassoFitMetrics } from './metrics';
import { lassoCore } from './wasm';

export interface SubsetGridInput {
  /** h[cluster][box]: alexisColumn output per cluster of the subset and box size. */
  h: NumericArray[][];
  /** alexisTarget output (the normalised, low-passed XRS). */
  x: NumericArray;
  /** Default: alexisLambdaGrid(). */
  lams?: NumericArray;
}

export interface SubsetGridBest {
  /** Box index per cluster of the subset. */
  boxes: number[];
  lamIndex: number;
  lam: number;
  /** Coefficient per cluster of the subset. */
  b: number[];
  /** Columns as fitted (h / max over the chosen columns), per cluster. */
  A: Float64Array[];
  metrics: LassoFitMetrics;
}

export interface SubsetGridResult {
  /** nz^k combinations in itertools.product order. */
  distance: Float64Array;
  lamIndex: Int32Array;
  /** The smallest distance (null when every combination gave NaN). */
  best: SubsetGridBest | null;
}

function maxOf(v: Float64Array): number {
  let m = -Infinity;
  for (const e of v) m = Math.max(m, e);
  return m;
}

function decodeBoxes(index: number, k: number, nz: number): number[] {
  const boxes = new Array<number>(k);
  let z = index;
  for (let i = k - 1; i >= 0; i--) {
    boxes[i] = z % nz;
    z = Math.floor(z / nz);
  }
  return boxes;
}

function flatten(input: SubsetGridInput): { h: Float64Array[]; x: Float64Array; k: number; nz: number } {
  const where = 'lassoSubsetGrid';
  const k = input.h.length;
  const nz = input.h[0]?.length ?? 0;
  if (k < 1 || nz < 1)
    throw new StagebookError('E_EMPTY_INPUT', `${where}: needs at least one cluster and one box`, {
      where,
      field: 'h',
    });
  const x = toFloat64(where, 'x', input.x);
  requireFinite(where, 'x', x);
  const h: Float64Array[] = [];
  input.h.forEach((perBox, c) => {
    if (perBox.length !== nz)
      throw new StagebookError('E_INVALID_SHAPE', `${where}: h[${c}] has ${perBox.length} boxes, h[0] has ${nz}`, {
        where,
        field: 'h',
      });
    perBox.forEach((col, z) => {
      const v = toFloat64(where, `h[${c}][${z}]`, col);
      if (v.length !== x.length)
        throw new StagebookError(
          'E_INVALID_SHAPE',
          `${where}: h[${c}][${z}] has ${v.length} samples, x has ${x.length}`,
          {
            where,
            field: 'h',
          },
        );
      requireFinite(where, `h[${c}][${z}]`, v);
      h.push(v);
    });
  });
  return { h, x, k, nz };
}

/**
 * Fits every box combination of one cluster subset along the lam path (wasm-core
 * lassoGridAllClusters) and recomputes the best combination's metrics exactly.
 * @throws StagebookError E_EMPTY_INPUT, E_INVALID_SHAPE, E_NON_FINITE, E_NOT_CONVERGED
 */
export function lassoSubsetGrid(input: SubsetGridInput): SubsetGridResult {
  const { h, x, k, nz } = flatten(input);
  const lams = Float64Array.from(input.lams ?? alexisLambdaGrid());
  const P = h.length;
  const n = x.length;
  const { g, d, colSum, xx, sx } = gramOf(h, x);
  const colMax = Float64Array.from(h, maxOf);
  const total = nz ** k;
  const { core, k: kern } = lassoCore();
  const out = core.withArena((arena) => {
    const dist = arena.f64(total);
    const lam = arena.i32(total);
    const bs = arena.f64(total * k);
    const pg = arena.copyIn(g).ptr;
    const pd = arena.copyIn(d).ptr;
    const ps = arena.copyIn(colSum).ptr;
    const pm = arena.copyIn(colMax).ptr;
    const pl = arena.copyIn(lams).ptr;
    kern.lassoGridAllClusters(
      pg,
      pd,
      ps,
      pm,
      xx,
      sx,
      n,
      k,
      nz,
      pl,
      lams.length,
      dist.ptr,
      lam.ptr,
      bs.ptr,
      100 + 20 * k,
    );
    return { distance: dist.copyOut(), lamIndex: lam.copyOut(), b: bs.copyOut() };
  });
  if (out.lamIndex.includes(-2))
    throw new StagebookError('E_NOT_CONVERGED', 'lassoSubsetGrid: the active-set method did not converge', {
      where: 'lassoSubsetGrid',
    });
  let bi = -1;
  out.distance.forEach((v, i) => {
    if (!Number.isNaN(v) && (bi < 0 || v < out.distance[bi])) bi = i;
  });
  if (bi < 0) return { distance: out.distance, lamIndex: out.lamIndex, best: null };
  const boxes = decodeBoxes(bi, k, nz);
  const m = Math.max(...boxes.map((z, c) => colMax[c * nz + z]));
  const A = boxes.map((z, c) => h[c * nz + z].map((v) => v / m));
  const b = Array.from(out.b.subarray(bi * k, bi * k + k));
  const data = new Float64Array(n * k);
  for (let t = 0; t < n; t++) for (let j = 0; j < k; j++) data[t * k + j] = A[j][t];
  const metrics = lassoFitMetrics({ data, shape: [n, k] }, x, b);
  const li = out.lamIndex[bi];
  return {
    distance: out.distance,
    lamIndex: out.lamIndex,
    best: { boxes, lamIndex: li, lam: lams[li], b, A, metrics },
  };
}
