// Public API of the signals kernels (see README.md, 'Numeric API').
export { correlate, correlateSignals, correlationLags, chooseCorrelationMethod } from './correlate';
export type { CorrelationMode, CorrelationMethod, CorrelateSignalsOptions } from './correlate';
export { normalizedCrossCorrelation } from './ncc';
export type { NormalizedCrossCorrelationOptions, NormalizedCrossCorrelationResult } from './ncc';
export { pearsonr, pearsonrMasked } from './pearsonr';
export type { Alternative, PearsonrOptions, PearsonrResult, PearsonrMaskedResult, PearsonrWarning } from './pearsonr';
export { betainc, betaincc } from './betainc';
export { filtfilt, lfilter, lfilterZi } from './filter';
export type { FiltfiltOptions, PadType } from './filter';
export { splrepLinear, splev, resampleLinear } from './spline';
export type { LinearTck } from './spline';
