/**
 * Oracle adapter for `peak_prominences_widths` (scipy.signal.peak_prominences / peak_widths,
 * scipy 1.10): `kind` picks the function; `params.wlen`, `params.rel_height` and the optional
 * `params.prominence_data` are passed through; outputs compared like find_peaks properties.
 */
import { peakProminences, peakWidths, type PeakProminenceData } from '../../numeric/peaks1d';
import type { OracleFamily } from '../types';
import { caseSignal, checkProperties, checkWarnings } from './find_peaks';

interface Params {
  wlen?: number | null;
  rel_height?: number;
  prominence_data?: { prominences: number[]; left_bases: number[]; right_bases: number[] } | null;
}

function prominenceData(p: Params): PeakProminenceData | null {
  const d = p.prominence_data;
  if (!d) return null;
  return { prominences: d.prominences, leftBases: d.left_bases, rightBases: d.right_bases };
}

export const peakProminencesWidthsFamily: OracleFamily = {
  family: 'peak_prominences_widths',
  runCase(c, check, ctx) {
    const x = caseSignal(c, ctx);
    const peaks = (c.peaks ?? []) as number[];
    const p = (c.params ?? {}) as Params;
    const expected = (c.expected ?? {}) as Record<string, unknown>;
    if (c.kind === 'peak_prominences') {
      const { warnings, ...r } = peakProminences(x, peaks, p.wlen ?? null);
      if (!c.expected) return;
      checkProperties(check, r, expected, '');
      checkWarnings(check, warnings, c);
    } else if (c.kind === 'peak_widths') {
      const { warnings, ...r } = peakWidths(x, peaks, p.rel_height ?? 0.5, prominenceData(p), p.wlen ?? null);
      if (!c.expected) return;
      checkProperties(check, r, expected, '');
      checkWarnings(check, warnings, c);
    } else {
      check.fail(`peak_prominences_widths: unknown kind ${JSON.stringify(c.kind)}`);
    }
  },
};
