/**
 * dbscan: sklearn.cluster.DBSCAN(eps, min_samples).fit(X) (scikit-learn 1.2, metric='euclidean',
 * sample_weight=None). Neighbourhoods are inclusive (squared distance <= eps^2, as sklearn's
 * kd_tree compares), include the point itself and duplicates; clusters are numbered in the scan
 * order of their first core point and a border point keeps the first cluster that reaches it
 * (sklearn `_dbscan_inner`). 2-D (and 1-D, embedded as y = 0) points use a uniform grid in WASM;
 * other dimensions use brute force (O(n^2)).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { loadCore } from '../wasm/core';
import { requireNumber } from '../validate';

/** Points as rows `[[x, y], ...]` or a flat row-major Float64Array with `dims` columns. */
export type DbscanPoints =
  ArrayLike<ArrayLike<number>> | { data: Float64Array | Float32Array | ArrayLike<number>; dims: number };

export interface DbscanOptions {
  /** Neighbourhood radius (> 0, inclusive). */
  eps: number;
  /** Neighbourhood size (point itself included) for a core point; integer >= 1. Default 5, as sklearn. */
  minSamples?: number;
}

export interface DbscanResult {
  /** Cluster id per point (0, 1, ... in scan order), -1 for noise: sklearn's labels_. */
  labels: Int32Array;
  /** Indices of core points, ascending: sklearn's core_sample_indices_. */
  coreSampleIndices: Int32Array;
  nClusters: number;
  nNoise: number;
}

interface DbscanExports {
  dbscanGridFits(pts: number, n: number, eps: number): number;
  dbscanGrid2d(pts: number, n: number, eps: number, minSamples: number, labels: number, core: number): number;
  dbscanBrute(
    pts: number,
    n: number,
    dims: number,
    eps: number,
    minSamples: number,
    labels: number,
    core: number,
  ): number;
}

const WHERE = 'dbscan';

function pointsError(message: string, extra: Record<string, unknown> = {}): never {
  throw new StagebookError('E_INVALID_SHAPE', `${WHERE}: points ${message}`, {
    where: WHERE,
    field: 'points',
    ...extra,
  });
}

/** Flattens and validates the points: n >= 1 rows of equal length >= 1, all finite. */
function flattenPoints(points: DbscanPoints): { data: Float64Array; n: number; dims: number } {
  if (!points || typeof points !== 'object') pointsError('must be [[x, y], ...] or {data, dims}');
  let data: Float64Array;
  let dims: number;
  if ('dims' in points && 'data' in points) {
    dims = requireNumber(WHERE, 'points.dims', points.dims, { integer: true, min: 1 });
    data = points.data instanceof Float64Array ? points.data : Float64Array.from(points.data as ArrayLike<number>);
    if (data.length % dims !== 0) pointsError(`data has ${data.length} values, not a multiple of dims=${dims}`);
  } else {
    const rows = points as ArrayLike<ArrayLike<number>>;
    if (typeof rows.length !== 'number') pointsError('must be [[x, y], ...] or {data, dims}');
    dims = rows.length > 0 && rows[0] && typeof rows[0].length === 'number' ? rows[0].length : 0;
    if (rows.length > 0 && dims < 1)
      pointsError('must be rows of coordinates [[x, y], ...] (got a 1-D list or empty rows)');
    data = new Float64Array(rows.length * dims);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!row || row.length !== dims)
        pointsError(`row ${i} has ${row?.length ?? 'no'} coordinates, row 0 has ${dims}`, { index: i });
      for (let d = 0; d < dims; d++) data[i * dims + d] = typeof row[d] === 'number' ? row[d] : NaN;
    }
  }
  const n = dims > 0 ? data.length / dims : 0;
  if (n === 0)
    throw new StagebookError('E_EMPTY_INPUT', `${WHERE}: points is empty; at least 1 point is required`, {
      where: WHERE,
      field: 'points',
    });
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const p = Math.floor(i / dims);
      throw new StagebookError(
        'E_NON_FINITE',
        `${WHERE}: points[${p}][${i - p * dims}] is ${data[i]}; NaN and infinite coordinates are not allowed`,
        { where: WHERE, field: 'points', index: p },
      );
    }
  }
  return { data, n, dims };
}

/** 1-D points become (x, 0): squared distances are unchanged, and the grid applies. */
function as2d(data: Float64Array, n: number): Float64Array {
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) out[2 * i] = data[i];
  return out;
}

/**
 * Density-based clustering with scikit-learn 1.2 DBSCAN semantics (see the module comment).
 * @throws StagebookError E_EMPTY_INPUT (no points), E_INVALID_SHAPE (ragged or 1-D list),
 *   E_NON_FINITE (NaN/Infinity), E_INVALID_ARGUMENT (eps <= 0, minSamples not an integer >= 1).
 */
export function dbscan(points: DbscanPoints, options: DbscanOptions): DbscanResult {
  if (!options || typeof options !== 'object') {
    throw new StagebookError('E_INVALID_ARGUMENT', `${WHERE}: options {eps, minSamples} are required`, {
      where: WHERE,
      field: 'options',
    });
  }
  const eps = requireNumber(WHERE, 'eps', options.eps, { minExclusive: 0 });
  if (!Number.isFinite(eps))
    throw new StagebookError('E_INVALID_ARGUMENT', `${WHERE}: eps must be finite, got ${eps}`, {
      where: WHERE,
      field: 'eps',
    });
  const minSamples = requireNumber(WHERE, 'minSamples', options.minSamples ?? 5, { integer: true, min: 1 });
  const flat = flattenPoints(points);
  const { n } = flat;
  const dims = flat.dims === 1 ? 2 : flat.dims;
  const data = flat.dims === 1 ? as2d(flat.data, n) : flat.data;
  const core = loadCore('dbscan');
  const k = core.exports as unknown as DbscanExports;
  const { labels, isCore, nClusters } = core.withArena((arena) => {
    const pts = arena.copyIn(data);
    const labelsBlock = arena.i32(n);
    const coreBlock = arena.i32(n);
    // Cap at n + 1: a count never exceeds n, and the kernel stops counting at minSamples.
    const ms = Math.min(minSamples, n + 1);
    const useGrid = dims === 2 && k.dbscanGridFits(pts.ptr, n, eps) === 1;
    const clusters = useGrid
      ? k.dbscanGrid2d(pts.ptr, n, eps, ms, labelsBlock.ptr, coreBlock.ptr)
      : k.dbscanBrute(pts.ptr, n, dims, eps, ms, labelsBlock.ptr, coreBlock.ptr);
    return { labels: labelsBlock.copyOut(n), isCore: coreBlock.copyOut(n), nClusters: clusters };
  });
  let nCore = 0;
  let nNoise = 0;
  for (let i = 0; i < n; i++) {
    nCore += isCore[i];
    if (labels[i] === -1) nNoise++;
  }
  const coreSampleIndices = new Int32Array(nCore);
  for (let i = 0, j = 0; i < n; i++) if (isCore[i]) coreSampleIndices[j++] = i;
  return { labels, coreSampleIndices, nClusters, nNoise };
}
