/**
 * Host side of skimage 0.19.3 `_get_high_intensity_peaks` + `_shared.coord.ensure_spacing`
 * (p_norm=inf): candidates in row-major order are ordered by `np.argsort(-intensity)` (NumPy's
 * introsort, whose tie order we reproduce with numpyArgsort), then accepted greedily when no
 * already accepted peak is at Chebyshev distance < minDistance, stopping after numPeaks.
 *
 * skimage finds close pairs with a KD-tree over all candidates (quadratic in batches); here a grid
 * of minDistance x minDistance cells holds the accepted peaks. Two accepted peaks are >= minDistance
 * apart, so a cell holds at most one, and a peak closer than minDistance lies in one of the 3x3
 * cells around the candidate: each candidate costs O(1).
 */
import { numpyArgsort } from '../sort/numpy-argsort';

/** Orders candidate linear indices by descending intensity with NumPy's argsort tie order. */
export function sortByIntensity(data: ArrayLike<number>, indices: Int32Array): Int32Array {
  const negated = new Float64Array(indices.length);
  for (let i = 0; i < indices.length; i++) negated[i] = -data[indices[i]];
  const order = numpyArgsort(negated);
  const sorted = new Int32Array(indices.length);
  for (let i = 0; i < order.length; i++) sorted[i] = indices[order[i]];
  return sorted;
}

/**
 * Greedy Chebyshev spacing over `ordered` (linear indices); returns [row, col] pairs, flat.
 * With minDistance 1 no two distinct pixels are closer than 1, so nothing is suppressed.
 */
export function ensureSpacing(
  ordered: Int32Array,
  rows: number,
  cols: number,
  minDistance: number,
  numPeaks: number,
): Int32Array {
  const limit = Math.min(ordered.length, numPeaks);
  const accepted: number[] = [];
  if (minDistance <= 1) {
    for (let i = 0; i < limit; i++) accepted.push(ordered[i]);
    return toPairs(accepted, cols);
  }
  const gridCols = Math.ceil(cols / minDistance);
  const gridRows = Math.ceil(rows / minDistance);
  const grid = new Int32Array(gridRows * gridCols).fill(-1);
  for (let i = 0; i < ordered.length && accepted.length < limit; i++) {
    const p = ordered[i];
    const r = Math.floor(p / cols);
    const c = p - r * cols;
    const gr = Math.floor(r / minDistance);
    const gc = Math.floor(c / minDistance);
    if (tooClose(grid, gridRows, gridCols, gr, gc, r, c, cols, minDistance)) continue;
    grid[gr * gridCols + gc] = p;
    accepted.push(p);
  }
  return toPairs(accepted, cols);
}

function tooClose(
  grid: Int32Array,
  gridRows: number,
  gridCols: number,
  gr: number,
  gc: number,
  r: number,
  c: number,
  cols: number,
  md: number,
): boolean {
  for (let y = Math.max(0, gr - 1); y <= Math.min(gridRows - 1, gr + 1); y++) {
    for (let x = Math.max(0, gc - 1); x <= Math.min(gridCols - 1, gc + 1); x++) {
      const q = grid[y * gridCols + x];
      if (q < 0) continue;
      const qr = Math.floor(q / cols);
      if (Math.max(Math.abs(qr - r), Math.abs(q - qr * cols - c)) < md) return true;
    }
  }
  return false;
}

function toPairs(linear: number[], cols: number): Int32Array {
  const out = new Int32Array(2 * linear.length);
  for (let i = 0; i < linear.length; i++) {
    const r = Math.floor(linear[i] / cols);
    out[2 * i] = r;
    out[2 * i + 1] = linear[i] - r * cols;
  }
  return out;
}
