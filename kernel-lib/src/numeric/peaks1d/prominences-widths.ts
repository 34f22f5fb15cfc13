/**
 * `peakProminences` and `peakWidths`: scipy.signal.peak_prominences / peak_widths (scipy 1.10) for
 * arbitrary peak lists (unsorted, duplicated or non-maxima are allowed, as in scipy).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { toFloat64, type NumericArray } from '../validate';
import { indexArrayArg, peaksArg, relHeightArg, signalArg, wlenArg } from './args';
import {
  buildBlocks,
  copySignalIn,
  isAscending,
  kernelsOf,
  peaksCore,
  PROMINENCE_WARNING,
  runProminences,
  runWidths,
  WIDTH_WARNING,
} from './kernels';
import type { PeakProminenceData, PeakProminencesResult, PeakWidthsResult } from './types';

/**
 * Prominence of each peak and its left/right bases (scipy.signal.peak_prominences).
 * `wlen` (> 1, rounded up; even values act as the next odd one) limits the search window.
 * A prominence of 0 (not a local maximum, or wlen smaller than the plateau) adds the warning
 * "some peaks have a prominence of 0".
 *
 * @throws StagebookError when a peak is not a valid index of x, wlen <= 1, x is not 1-D or has NaN.
 */
export function peakProminences(
  x: NumericArray,
  peaks: NumericArray,
  wlen: number | null = null,
): PeakProminencesResult {
  const where = 'peakProminences';
  const xs = signalArg(where, x);
  const p = peaksArg(where, peaks, xs.length);
  const w = wlenArg(where, wlen);
  const core = peaksCore();
  const k = kernelsOf(core);
  return core.withArena((arena) => {
    const xb = copySignalIn(where, k, arena, xs);
    const pb = arena.copyIn(p);
    const r = runProminences(k, arena, xb, buildBlocks(k, arena, xb), pb, p.length, w, isAscending(p));
    return {
      prominences: r.prominences.copyOut(p.length),
      leftBases: r.leftBases.copyOut(p.length),
      rightBases: r.rightBases.copyOut(p.length),
      warnings: r.zeros > 0 ? [PROMINENCE_WARNING] : [],
    };
  });
}

interface CheckedProminenceData {
  prominences: Float64Array;
  leftBases: Int32Array;
  rightBases: Int32Array;
}

/** scipy `_peak_widths` checks: equal shapes, then 0 <= left_base <= peak <= right_base < n per peak. */
function prominenceDataArg(where: string, data: unknown, peaks: Int32Array, n: number): CheckedProminenceData {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: \`prominence_data\` must be {prominences, leftBases, rightBases}`,
      { where, field: 'prominence_data' },
    );
  }
  const d = data as Partial<PeakProminenceData>;
  const prominences = toFloat64(where, 'prominence_data.prominences', d.prominences);
  const leftBases = indexArrayArg(where, 'prominence_data.leftBases', d.leftBases);
  const rightBases = indexArrayArg(where, 'prominence_data.rightBases', d.rightBases);
  if (!(
    prominences.length === peaks.length &&
    leftBases.length === peaks.length &&
    rightBases.length === peaks.length
  )) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: arrays in \`prominence_data\` must have the same shape as \`peaks\` (${peaks.length})`,
      { where, field: 'prominence_data' },
    );
  }
  for (let i = 0; i < peaks.length; i++) {
    const peak = peaks[i];
    if (!(0 <= leftBases[i] && leftBases[i] <= peak && peak <= rightBases[i] && rightBases[i] < n)) {
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `${where}: prominence data is invalid for peak ${peak} (left base ${leftBases[i]}, right base ${rightBases[i]}, length of x ${n})`,
        { where, field: 'prominence_data', index: i },
      );
    }
  }
  return { prominences, leftBases, rightBases };
}

/**
 * Width of each peak at `relHeight` of its prominence, with the interpolated intersection points
 * (scipy.signal.peak_widths). Without `prominenceData` the prominences are computed (with `wlen`);
 * with it, `wlen` is ignored, as in scipy. A width of 0 adds "some peaks have a width of 0".
 *
 * @throws StagebookError for invalid peaks, relHeight < 0, inconsistent prominence data, NaN in x.
 */
export function peakWidths(
  x: NumericArray,
  peaks: NumericArray,
  relHeight = 0.5,
  prominenceData: PeakProminenceData | null = null,
  wlen: number | null = null,
): PeakWidthsResult {
  const where = 'peakWidths';
  const xs = signalArg(where, x);
  const n = xs.length;
  const p = prominenceData === null ? peaksArg(where, peaks, n) : indexArrayArg(where, 'peaks', peaks);
  const w = prominenceData === null ? wlenArg(where, wlen) : -1;
  const rh = relHeightArg(where, relHeight);
  const given = prominenceData === null ? null : prominenceDataArg(where, prominenceData, p, n);
  const core = peaksCore();
  const k = kernelsOf(core);
  return core.withArena((arena) => {
    const xb = copySignalIn(where, k, arena, xs);
    const pb = arena.copyIn(p);
    const blocks = buildBlocks(k, arena, xb);
    const warnings: string[] = [];
    let prom;
    if (given) {
      prom = {
        prominences: arena.copyIn(given.prominences),
        leftBases: arena.copyIn(given.leftBases),
        rightBases: arena.copyIn(given.rightBases),
      };
    } else {
      prom = runProminences(k, arena, xb, blocks, pb, p.length, w, isAscending(p));
      if (prom.zeros > 0) warnings.push(PROMINENCE_WARNING);
    }
    const r = runWidths(k, arena, xb, blocks, pb, p.length, rh, prom);
    if (r.zeros > 0) warnings.push(WIDTH_WARNING);
    return {
      widths: r.widths.copyOut(p.length),
      widthHeights: r.widthHeights.copyOut(p.length),
      leftIps: r.leftIps.copyOut(p.length),
      rightIps: r.rightIps.copyOut(p.length),
      warnings,
    };
  });
}
