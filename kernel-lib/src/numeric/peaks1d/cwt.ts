/**
 * Building blocks of scipy.signal.find_peaks_cwt (scipy 1.10, scipy/signal/_wavelets.py and
 * _peak_finding.py): the Ricker wavelet, the continuous wavelet transform (direct 'same'
 * convolution in WASM), ridge line identification and filtering. Exported so each stage can be
 * checked against the reference on its own.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { numpyArgsort } from '../sort/numpy-argsort';
import { copySignalIn, kernelsOf, peaksCore } from './kernels';

/** A wavelet `(points, a) => samples` as scipy's `wavelet(M, width)`; must return real values. */
export type WaveletFunction = (points: number, a: number) => ArrayLike<number>;

/** A ridge line: `rows` (ascending) and the matching `cols`, as scipy's `_identify_ridge_lines`. */
export interface RidgeLine {
  rows: Int32Array;
  cols: Int32Array;
}

/**
 * scipy.signal.ricker(points, a): A (1 - t^2/a^2) exp(-t^2 / (2 a^2)), A = 2 / (sqrt(3a) pi^(1/4)),
 * at t = k - (points - 1)/2 for k in arange(0, points) (a fractional `points` gives ceil(points)
 * samples, as NumPy's arange, and an off-centre grid, exactly like scipy).
 */
export function rickerWavelet(points: number, a: number): Float64Array {
  const count = Math.max(0, Math.ceil(points));
  const amp = 2 / (Math.sqrt(3 * a) * Math.pow(Math.PI, 0.25));
  const wsq = a * a;
  const centre = (points - 1.0) / 2;
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const v = k - centre;
    const xsq = v * v;
    out[k] = amp * (1 - xsq / wsq) * Math.exp(-xsq / (2 * wsq));
  }
  return out;
}

/**
 * scipy.signal.cwt(x, wavelet, widths): row i = convolve(x, wavelet(N, w_i)[::-1], 'same') with
 * N = min(10 w_i, len(x)). Computed directly (what scipy's method='auto' picks for these sizes;
 * for very long kernels scipy may switch to FFT, which only changes rounding).
 */
export function cwtMatrix(
  x: Float64Array,
  widths: ArrayLike<number>,
  wavelet: WaveletFunction = rickerWavelet,
): Float64Array[] {
  const where = 'cwtMatrix';
  const n = x.length;
  if (n === 0) throw new StagebookError('E_EMPTY_INPUT', `${where}: \`x\` is empty`, { where, field: 'x' });
  const core = peaksCore();
  const k = kernelsOf(core);
  return core.withArena((arena) => {
    const xb = copySignalIn(where, k, arena, x);
    const out = arena.f64(n);
    const rows: Float64Array[] = [];
    for (let r = 0; r < widths.length; r++) {
      const w = Float64Array.from(wavelet(Math.min(10 * widths[r], n), widths[r]));
      if (w.length > n || w.length === 0) {
        throw new StagebookError(
          'E_INVALID_ARGUMENT',
          `${where}: wavelet for width ${widths[r]} has ${w.length} samples, expected 1..${n}`,
          { where, field: 'wavelet' },
        );
      }
      const wb = arena.copyIn(w);
      k.correlateSame(xb.ptr, n, wb.ptr, w.length, out.ptr);
      rows.push(out.copyOut(n));
    }
    return rows;
  });
}

/** scipy `_boolrelextrema(matr, np.greater, axis=1, order=1, mode='clip')` for one row. */
function relativeMaxima(row: Float64Array): Int32Array {
  const cols: number[] = [];
  const last = row.length - 1;
  for (let j = 1; j < last; j++) if (row[j] > row[j - 1] && row[j] > row[j + 1]) cols.push(j);
  return Int32Array.from(cols);
}

interface OpenLine {
  rows: number[];
  cols: number[];
  gap: number;
}

/**
 * scipy `_identify_ridge_lines(matr, max_distances, gap_thresh)`: relative maxima of each row are
 * chained from the last row with any maximum towards row 0; a maximum joins the line whose last
 * column is closest (first on ties) if within max_distances[row], else starts a line; lines whose
 * gap exceeds gap_thresh are closed. Output order: closed lines, then open ones.
 */
export function identifyRidgeLines(
  matrix: Float64Array[],
  maxDistances: ArrayLike<number>,
  gapThresh: number,
): RidgeLine[] {
  if (maxDistances.length < matrix.length) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      'identifyRidgeLines: `max_distances` must have at least as many rows as the cwt matrix',
      { where: 'identifyRidgeLines', field: 'max_distances' },
    );
  }
  const maxima = matrix.map(relativeMaxima);
  let startRow = -1;
  for (let r = maxima.length - 1; r >= 0 && startRow < 0; r--) if (maxima[r].length > 0) startRow = r;
  if (startRow < 0) return [];
  let open: OpenLine[] = Array.from(maxima[startRow], (col) => ({ rows: [startRow], cols: [col], gap: 0 }));
  const closed: OpenLine[] = [];
  for (let row = startRow - 1; row >= 0; row--) {
    for (const line of open) line.gap += 1;
    const prevCols = open.map((l) => l.cols[l.cols.length - 1]);
    for (const col of maxima[row]) {
      const closest = closestIndex(prevCols, col);
      if (closest >= 0 && Math.abs(col - prevCols[closest]) <= maxDistances[row]) {
        const line = open[closest];
        line.cols.push(col);
        line.rows.push(row);
        line.gap = 0;
      } else {
        open.push({ rows: [row], cols: [col], gap: 0 });
      }
    }
    const still: OpenLine[] = [];
    // scipy walks backwards, appending closed lines to final_lines in reverse index order.
    for (let i = open.length - 1; i >= 0; i--) {
      if (open[i].gap > gapThresh) closed.push(open[i]);
      else still.push(open[i]);
    }
    open = still.reverse();
  }
  return closed.concat(open).map(sortedLine);
}

/** np.argmin(|col - prevCols|): first index of the smallest distance, -1 when empty. */
function closestIndex(prevCols: number[], col: number): number {
  let best = -1;
  let bestDiff = Infinity;
  for (let i = 0; i < prevCols.length; i++) {
    const d = Math.abs(col - prevCols[i]);
    if (d < bestDiff) {
      bestDiff = d;
      best = i;
    }
  }
  return best;
}

/**
 * scipy's final step: `sortargs = np.argsort(rows); rows[sortargs] = line[0]; cols[sortargs] = line[1]`.
 * It scatters through the argsort permutation (not gathers), which differs from a plain sort when a
 * line took two maxima in one row; reproduced as is.
 */
function sortedLine(line: OpenLine): RidgeLine {
  const order = numpyArgsort(line.rows);
  const rows = new Int32Array(order.length);
  const cols = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    rows[order[i]] = line.rows[i];
    cols[order[i]] = line.cols[i];
  }
  return { rows, cols };
}

export interface FilterRidgeLinesOptions {
  /** Window (samples) of the noise percentile; default ceil(len(x) / 20). */
  windowSize?: number | null;
  /** Minimum ridge length in rows; default ceil(rows / 4). */
  minLength?: number | null;
  /** Minimum |cwt[row0, col0]| / noise[col0]; default 1. */
  minSnr?: number;
  /** Noise percentile of row 0 in each window; default 10. */
  noisePerc?: number;
}

/**
 * scipy `_filter_ridge_lines`: keeps lines with at least min_length points and an SNR >= min_snr,
 * where the noise at column c is scoreatpercentile(cwt[0, c - w/2 : c + w/2 + w%2], noise_perc).
 */
export function filterRidgeLines(
  matrix: Float64Array[],
  lines: RidgeLine[],
  options: FilterRidgeLinesOptions = {},
): RidgeLine[] {
  const row0 = matrix[0] ?? new Float64Array(0);
  const n = row0.length;
  const minLength = options.minLength ?? Math.ceil(matrix.length / 4);
  const windowSize = Math.trunc(options.windowSize ?? Math.ceil(n / 20));
  const noises = slidingPercentile(row0, windowSize, options.noisePerc ?? 10);
  const minSnr = options.minSnr ?? 1;
  return lines.filter((line) => {
    if (line.rows.length < minLength) return false;
    const snr = Math.abs(matrix[line.rows[0]][line.cols[0]] / noises[line.cols[0]]);
    return !(snr < minSnr);
  });
}

/**
 * scipy.stats.scoreatpercentile (interpolation 'fraction') of every window
 * [max(i - h, 0), min(i + h + odd, n)) with h, odd = divmod(windowSize, 2); NaN for an empty
 * window. The window is kept sorted incrementally instead of re-sorting it for every sample.
 */
export function slidingPercentile(row: Float64Array, windowSize: number, per: number): Float64Array {
  const n = row.length;
  const half = Math.floor(windowSize / 2);
  const odd = windowSize - 2 * half;
  const out = new Float64Array(n);
  // One spare slot: the entering sample is inserted before the leaving one is removed.
  const sorted = new Float64Array(windowSize + 2);
  let size = 0;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const start = Math.max(i - half, 0);
    const end = Math.min(i + half + odd, n);
    for (; hi < end; hi++) size = insertSorted(sorted, size, row[hi]);
    for (; lo < start; lo++) size = removeSorted(sorted, size, row[lo]);
    out[i] = size > 0 ? percentileOfSorted(sorted, size, per) : NaN;
  }
  return out;
}

function lowerBound(a: Float64Array, size: number, v: number): number {
  let l = 0;
  let r = size;
  while (l < r) {
    const mid = (l + r) >> 1;
    if (a[mid] < v) l = mid + 1;
    else r = mid;
  }
  return l;
}

function insertSorted(a: Float64Array, size: number, v: number): number {
  const at = lowerBound(a, size, v);
  a.copyWithin(at + 1, at, size);
  a[at] = v;
  return size + 1;
}

function removeSorted(a: Float64Array, size: number, v: number): number {
  const at = lowerBound(a, size, v);
  a.copyWithin(at, at + 1, size);
  return size - 1;
}

/** scipy `_compute_qth_percentile` with 'fraction': weighted sum of the two neighbours / weight sum. */
function percentileOfSorted(a: Float64Array, size: number, per: number): number {
  if (!(per >= 0 && per <= 100)) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `filterRidgeLines: \`noise_perc\` must be in the range [0, 100], got ${per}`,
      { where: 'filterRidgeLines', field: 'noise_perc' },
    );
  }
  const idx = (per / 100) * (size - 1);
  const i = Math.trunc(idx);
  if (i === idx) return a[i];
  const w0 = i + 1 - idx;
  const w1 = idx - i;
  return (a[i] * w0 + a[i + 1] * w1) / (w0 + w1);
}
