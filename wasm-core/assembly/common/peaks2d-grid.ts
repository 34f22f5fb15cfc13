// Uniform grid over 2-D points for fixed-radius neighbour queries (DBSCAN). Cells are slightly
// larger than eps, so two points within eps always lie in the same or adjacent cells even after
// the rounding of (x - min) / cell (relative error ~1e-16 against a 1e-6 margin while cell
// coordinates stay below 2^30, which the host checks through `gridFits`). Occupied cells are
// found through an open-addressing hash table, so memory is O(n) whatever the extent.

export const CELL_MARGIN: f64 = 1e-6;
export const MAX_CELL_COORD: f64 = 1073741824.0; // 2^30

@inline function hashKey(k: i64, mask: i32): i32 {
  return <i32>((<u64>k * 0x9E3779B97F4A7C15) >> 40) & mask;
}

@inline function cellKey(gx: i32, gy: i32): i64 {
  return (<i64>gx << 32) | <i64>(<u32>gy);
}

export class PointGrid {
  /** Points in cell order: coordinates and the original index of each. */
  xs: StaticArray<f64> = new StaticArray<f64>(0);
  ys: StaticArray<f64> = new StaticArray<f64>(0);
  orig: StaticArray<i32> = new StaticArray<i32>(0);
  /** sortedPos[original index] = position in cell order. */
  sortedPos: StaticArray<i32> = new StaticArray<i32>(0);
  /** Points of cell c are [cellStart[c], cellStart[c+1]). */
  cellStart: StaticArray<i32> = new StaticArray<i32>(0);
  /** The 9 neighbouring cell ids of each cell (-1 = empty), itself included. */
  neighbours: StaticArray<i32> = new StaticArray<i32>(0);
  /** Cell id of each point, in cell order. */
  cellOf: StaticArray<i32> = new StaticArray<i32>(0);
  nCells: i32 = 0;

  constructor(pts: usize, n: i32, eps: f64) {
    let minX = Infinity, minY = Infinity;
    for (let i = 0; i < n; i++) {
      const x = load<f64>(pts + (<usize>i << 4)), y = load<f64>(pts + (<usize>i << 4) + 8);
      if (x < minX) minX = x;
      if (y < minY) minY = y;
    }
    const cell = eps * (1 + CELL_MARGIN);
    let cap = 16;
    while (cap < 2 * n) cap <<= 1;
    const mask = cap - 1;
    const keys = new StaticArray<i64>(cap);
    const ids = new StaticArray<i32>(cap);
    for (let i = 0; i < cap; i++) unchecked(ids[i] = -1);
    const gxs = new StaticArray<i32>(n), gys = new StaticArray<i32>(n), pointCell = new StaticArray<i32>(n);
    const counts = new StaticArray<i32>(n + 1);
    let nCells = 0;
    for (let i = 0; i < n; i++) {
      const gx = <i32>Math.floor((load<f64>(pts + (<usize>i << 4)) - minX) / cell);
      const gy = <i32>Math.floor((load<f64>(pts + (<usize>i << 4) + 8) - minY) / cell);
      unchecked(gxs[i] = gx); unchecked(gys[i] = gy);
      const k = cellKey(gx, gy);
      let h = hashKey(k, mask);
      while (unchecked(ids[h]) >= 0 && unchecked(keys[h]) != k) h = (h + 1) & mask;
      if (unchecked(ids[h]) < 0) { unchecked(ids[h] = nCells++); unchecked(keys[h] = k); }
      const c = unchecked(ids[h]);
      unchecked(pointCell[i] = c);
      unchecked(counts[c + 1] = unchecked(counts[c + 1]) + 1);
    }
    this.nCells = nCells;
    // Counting sort of the points by cell id (stable: original order inside a cell).
    const start = new StaticArray<i32>(nCells + 1);
    for (let c = 0; c < nCells; c++) unchecked(start[c + 1] = unchecked(start[c]) + unchecked(counts[c + 1]));
    const fill = new StaticArray<i32>(nCells);
    for (let c = 0; c < nCells; c++) unchecked(fill[c] = unchecked(start[c]));
    this.xs = new StaticArray<f64>(n); this.ys = new StaticArray<f64>(n);
    this.orig = new StaticArray<i32>(n); this.sortedPos = new StaticArray<i32>(n); this.cellOf = new StaticArray<i32>(n);
    const cellGx = new StaticArray<i32>(nCells), cellGy = new StaticArray<i32>(nCells);
    for (let i = 0; i < n; i++) {
      const c = unchecked(pointCell[i]);
      const p = unchecked(fill[c]);
      unchecked(fill[c] = p + 1);
      unchecked(this.xs[p] = load<f64>(pts + (<usize>i << 4)));
      unchecked(this.ys[p] = load<f64>(pts + (<usize>i << 4) + 8));
      unchecked(this.orig[p] = i); unchecked(this.sortedPos[i] = p); unchecked(this.cellOf[p] = c);
      unchecked(cellGx[c] = unchecked(gxs[i])); unchecked(cellGy[c] = unchecked(gys[i]));
    }
    this.cellStart = start;
    // Neighbour cell table (9 lookups per occupied cell, once).
    this.neighbours = new StaticArray<i32>(nCells * 9);
    for (let c = 0; c < nCells; c++) {
      let j = 0;
      for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) {
        const k = cellKey(unchecked(cellGx[c]) + dx, unchecked(cellGy[c]) + dy);
        let h = hashKey(k, mask);
        while (unchecked(ids[h]) >= 0 && unchecked(keys[h]) != k) h = (h + 1) & mask;
        unchecked(this.neighbours[c * 9 + j++] = unchecked(ids[h]));
      }
    }
  }
}

/** True when every cell coordinate of the grid fits the hash key (host falls back otherwise). */
export function gridFits(pts: usize, n: i32, eps: f64): bool {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = load<f64>(pts + (<usize>i << 4)), y = load<f64>(pts + (<usize>i << 4) + 8);
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const cell = eps * (1 + CELL_MARGIN);
  return (maxX - minX) / cell < MAX_CELL_COORD && (maxY - minY) / cell < MAX_CELL_COORD;
}
