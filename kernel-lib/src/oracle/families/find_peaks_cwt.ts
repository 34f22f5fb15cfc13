/**
 * Oracle adapter for `find_peaks_cwt` (scipy.signal.find_peaks_cwt with the ricker wavelet,
 * scipy 1.10): peaks exact; when present, the cwt matrix (direct convolution: summation order
 * differs from NumPy's BLAS dot, so rtol 1e-10 with atol 1e-12 * max|cwt|), the ridge lines and
 * the filtered ridge lines (exact, in scipy's order) through the exported stages.
 */
import {
  cwtMatrix,
  filterRidgeLines,
  findPeaksCwt,
  identifyRidgeLines,
  type FindPeaksCwtOptions,
  type RidgeLine,
} from '../../numeric/peaks1d';
import type { Checker } from '../compare';
import type { OracleFamily } from '../types';
import { camelCase, caseSignal } from './find_peaks';

interface Expected {
  peaks: number[];
  cwt_matrix?: number[][];
  ridge_lines?: { rows: number[]; cols: number[] }[];
  filtered_ridge_lines?: { rows: number[]; cols: number[] }[];
}

function checkLines(
  check: Checker,
  field: string,
  actual: RidgeLine[],
  expected: { rows: number[]; cols: number[] }[],
): void {
  check.equal(`${field}.length`, actual.length, expected.length);
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    check.exact(`${field}[${i}].rows`, actual[i].rows, expected[i].rows);
    check.exact(`${field}[${i}].cols`, actual[i].cols, expected[i].cols);
  }
}

export const findPeaksCwtFamily: OracleFamily = {
  family: 'find_peaks_cwt',
  runCase(c, check, ctx) {
    const x = caseSignal(c, ctx);
    const widths = (c.widths ?? []) as number[];
    const params = (c.params ?? {}) as Record<string, unknown>;
    const options = Object.fromEntries(
      Object.entries(params).map(([k, v]) => [camelCase(k), v]),
    ) as FindPeaksCwtOptions;
    const peaks = findPeaksCwt(x, widths, options);
    if (!c.expected) return;
    const e = c.expected as Expected;
    check.exact('peaks', peaks, e.peaks);
    if (!e.cwt_matrix && !e.ridge_lines && !e.filtered_ridge_lines) return;
    const matrix = cwtMatrix(Float64Array.from(x), widths);
    if (e.cwt_matrix) {
      const scale = Math.max(1, ...e.cwt_matrix.flat().map(Math.abs));
      check.shape('cwt_matrix', [matrix.length, matrix[0]?.length ?? 0], e.cwt_matrix);
      check.close('cwt_matrix', matrix, e.cwt_matrix, { rtol: 1e-10, atol: 1e-12 * scale });
    }
    const maxDistances = (options.maxDistances ?? widths.map((w) => w / 4.0)) as ArrayLike<number>;
    const lines = identifyRidgeLines(matrix, maxDistances, options.gapThresh ?? Math.ceil(widths[0]));
    if (e.ridge_lines) checkLines(check, 'ridge_lines', lines, e.ridge_lines);
    if (e.filtered_ridge_lines)
      checkLines(check, 'filtered_ridge_lines', filterRidgeLines(matrix, lines, options), e.filtered_ridge_lines);
  },
};
