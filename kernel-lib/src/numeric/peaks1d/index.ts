// Public API of the peaks1d kernels (see README.md, 'Numeric API'): scipy.signal's 1-D peak finders
// with scipy 1.10 semantics.
export { findPeaks } from './find-peaks';
export { peakProminences, peakWidths } from './prominences-widths';
export { findPeaksCwt } from './find-peaks-cwt';
export type { FindPeaksCwtOptions } from './find-peaks-cwt';
export { rickerWavelet, cwtMatrix, identifyRidgeLines, filterRidgeLines } from './cwt';
export type { RidgeLine, WaveletFunction, FilterRidgeLinesOptions } from './cwt';
export type {
  FindPeaksOptions,
  FindPeaksResult,
  IntervalBound,
  IntervalCondition,
  PeakProminenceData,
  PeakProminencesResult,
  PeakProperties,
  PeakWidthsResult,
} from './types';
