/**
 * Public types of the 1-D peak finders (scipy.signal.find_peaks & co., scipy 1.10 semantics).
 * Property names are scipy's keys in camelCase.
 */
import type { NumericArray } from '../validate';

/** One border of an interval condition: a number, `null` (open) or one value per sample of `x`. */
export type IntervalBound = number | null | NumericArray;

/**
 * An interval condition as scipy accepts it: a number (= minimum), `[min, max]` where each border is
 * a number, `null` (open) or a per-sample array (indexed with the peak positions), or a typed array
 * used as a per-sample minimum (scipy's bare ndarray).
 */
export type IntervalCondition = number | Float64Array | readonly [IntervalBound, IntervalBound];

export interface FindPeaksOptions {
  /** Required height x[peak]. */
  height?: IntervalCondition;
  /** Required vertical distance to the neighbouring samples (min of both sides vs min, max vs max). */
  threshold?: IntervalCondition;
  /** Minimal horizontal distance in samples (>= 1; rounded up). Higher peaks are kept first. */
  distance?: number;
  /** Required prominence. */
  prominence?: IntervalCondition;
  /** Required width (in samples) at `relHeight` of the prominence. */
  width?: IntervalCondition;
  /** Window length for prominences (> 1; rounded up, effectively to the next odd integer). */
  wlen?: number | null;
  /** Relative height for widths (>= 0, default 0.5). */
  relHeight?: number;
  /** Required plateau size (number of equal samples at the top). */
  plateauSize?: IntervalCondition;
}

/** scipy's `properties` dict: a key is present only when its condition was given. */
export interface PeakProperties {
  plateauSizes?: Int32Array;
  leftEdges?: Int32Array;
  rightEdges?: Int32Array;
  peakHeights?: Float64Array;
  leftThresholds?: Float64Array;
  rightThresholds?: Float64Array;
  prominences?: Float64Array;
  leftBases?: Int32Array;
  rightBases?: Int32Array;
  widths?: Float64Array;
  widthHeights?: Float64Array;
  leftIps?: Float64Array;
  rightIps?: Float64Array;
}

export interface FindPeaksResult {
  /** Indices of the peaks, ascending. */
  peaks: Int32Array;
  properties: PeakProperties;
  /** scipy's PeakPropertyWarning messages (e.g. "some peaks have a prominence of 0"), in emission order. */
  warnings: string[];
}

export interface PeakProminencesResult {
  prominences: Float64Array;
  leftBases: Int32Array;
  rightBases: Int32Array;
  warnings: string[];
}

/** `prominence_data` of scipy.signal.peak_widths. */
export interface PeakProminenceData {
  prominences: NumericArray;
  leftBases: NumericArray;
  rightBases: NumericArray;
}

export interface PeakWidthsResult {
  widths: Float64Array;
  widthHeights: Float64Array;
  leftIps: Float64Array;
  rightIps: Float64Array;
  warnings: string[];
}
