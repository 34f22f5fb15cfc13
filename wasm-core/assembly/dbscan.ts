// DBSCAN (sklearn.cluster.DBSCAN 1.2, metric='euclidean'): neighbourhood = all j with
// sum_d (x_i[d] - x_j[d])^2 <= eps^2 (sklearn's kd_tree compares squared distances with eps^2;
// the point itself and duplicates count), core = neighbourhood size >= min_samples, labels from
// sklearn's `dbscan_inner`: scan i = 0..n-1, an unlabelled core point seeds the next cluster id,
// which is expanded through core points; border points keep the first cluster that reaches them.
// 2-D uses a uniform grid (common/peaks2d-grid.ts); other dimensions use brute force.
export * from "./common/memory";
import { PointGrid, gridFits } from "./common/peaks2d-grid";

/** 1 when the 2-D grid can index these points (cell coordinates < 2^30), else 0. */
export function dbscanGridFits(pts: usize, n: i32, eps: f64): i32 {
  return gridFits(pts, n, eps) ? 1 : 0;
}

/** Neighbours of sorted point p within eps2, visited through the grid; `limit` stops counting early. */
@inline function countNeighbours(g: PointGrid, p: i32, eps2: f64, limit: i32): i32 {
  const x = unchecked(g.xs[p]), y = unchecked(g.ys[p]);
  const base = unchecked(g.cellOf[p]) * 9;
  let count = 0;
  for (let j = 0; j < 9; j++) {
    const c = unchecked(g.neighbours[base + j]);
    if (c < 0) continue;
    const end = unchecked(g.cellStart[c + 1]);
    for (let q = unchecked(g.cellStart[c]); q < end; q++) {
      const dx = unchecked(g.xs[q]) - x, dy = unchecked(g.ys[q]) - y;
      if (dx * dx + dy * dy <= eps2) {
        if (++count >= limit) return count;
      }
    }
  }
  return count;
}

/**
 * 2-D DBSCAN over n points (x, y interleaved f64 at pts). Writes labels (i32, -1 = noise) and
 * core flags (i32 0/1) in the original order; returns the number of clusters.
 */
export function dbscanGrid2d(pts: usize, n: i32, eps: f64, minSamples: i32, labelsOut: usize, coreOut: usize): i32 {
  const g = new PointGrid(pts, n, eps);
  const eps2 = eps * eps;
  const core = new StaticArray<u8>(n);
  for (let p = 0; p < n; p++) unchecked(core[p] = countNeighbours(g, p, eps2, minSamples) >= minSamples ? 1 : 0);
  const labels = new StaticArray<i32>(n);
  for (let p = 0; p < n; p++) unchecked(labels[p] = -1);
  const stack = new StaticArray<i32>(n);
  let nClusters = 0;
  for (let i = 0; i < n; i++) {
    const seed = unchecked(g.sortedPos[i]);
    if (unchecked(labels[seed]) != -1 || !unchecked(core[seed])) continue;
    const label = nClusters++;
    unchecked(labels[seed] = label);
    let top = 0;
    unchecked(stack[top++] = seed);
    while (top > 0) {
      const p = unchecked(stack[--top]);
      const x = unchecked(g.xs[p]), y = unchecked(g.ys[p]);
      const base = unchecked(g.cellOf[p]) * 9;
      for (let j = 0; j < 9; j++) {
        const c = unchecked(g.neighbours[base + j]);
        if (c < 0) continue;
        const end = unchecked(g.cellStart[c + 1]);
        for (let q = unchecked(g.cellStart[c]); q < end; q++) {
          if (unchecked(labels[q]) != -1) continue;
          const dx = unchecked(g.xs[q]) - x, dy = unchecked(g.ys[q]) - y;
          if (dx * dx + dy * dy <= eps2) {
            unchecked(labels[q] = label);
            if (unchecked(core[q])) unchecked(stack[top++] = q);
          }
        }
      }
    }
  }
  for (let p = 0; p < n; p++) {
    const o = <usize>unchecked(g.orig[p]);
    store<i32>(labelsOut + (o << 2), unchecked(labels[p]));
    store<i32>(coreOut + (o << 2), <i32>unchecked(core[p]));
  }
  return nClusters;
}

@inline function within(pts: usize, i: i32, j: i32, dims: i32, eps2: f64): bool {
  const a = pts + (<usize>(i * dims) << 3), b = pts + (<usize>(j * dims) << 3);
  let d: f64 = 0;
  for (let k = 0; k < dims; k++) {
    const t = load<f64>(a + (<usize>k << 3)) - load<f64>(b + (<usize>k << 3));
    d += t * t;
  }
  return d <= eps2;
}

/** Brute-force DBSCAN for any dimension (O(n^2)): same outputs as dbscanGrid2d. */
export function dbscanBrute(pts: usize, n: i32, dims: i32, eps: f64, minSamples: i32, labelsOut: usize, coreOut: usize): i32 {
  const eps2 = eps * eps;
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let j = 0; j < n && count < minSamples; j++) if (within(pts, i, j, dims, eps2)) count++;
    store<i32>(coreOut + (<usize>i << 2), count >= minSamples ? 1 : 0);
    store<i32>(labelsOut + (<usize>i << 2), -1);
  }
  const stack = new StaticArray<i32>(n);
  let nClusters = 0;
  for (let i = 0; i < n; i++) {
    if (load<i32>(labelsOut + (<usize>i << 2)) != -1 || !load<i32>(coreOut + (<usize>i << 2))) continue;
    const label = nClusters++;
    store<i32>(labelsOut + (<usize>i << 2), label);
    let top = 0;
    unchecked(stack[top++] = i);
    while (top > 0) {
      const p = unchecked(stack[--top]);
      for (let q = 0; q < n; q++) {
        if (load<i32>(labelsOut + (<usize>q << 2)) != -1 || !within(pts, p, q, dims, eps2)) continue;
        store<i32>(labelsOut + (<usize>q << 2), label);
        if (load<i32>(coreOut + (<usize>q << 2))) unchecked(stack[top++] = q);
      }
    }
  }
  return nClusters;
}
