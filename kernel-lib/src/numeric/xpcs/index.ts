// Public API of the xpcs kernels (see README.md, 'Numeric API').
export { multiTauAutoCorr } from './multi-tau';
export type { MultiTauOptions, MultiTauResult } from './multi-tau';
export { twoTimeCorr, oneTimeFromTwoTime } from './two-time';
export type { TwoTimeOptions, TwoTimeResult } from './two-time';
export { xpcsMultiTau } from './eigen';
export type { XpcsMultiTauOptions, XpcsMultiTauResult } from './eigen';
export { multiTauAutoCorrParallel, twoTimeCorrParallel, xpcsMultiTauParallel } from './parallel';
export { multiTauLags } from './layout';
export { xpcsIntensityStats } from './intensity';
export type { XpcsIntensityStats } from './intensity';
export { xpcsCorr } from './corr';
export type { XpcsCorrResult } from './corr';
export { xpcsCorrSettingsSchema, parseXpcsCorrSettings, XPCS_CORR_MODES } from './corr-settings';
export type { XpcsCorrSettings, XpcsCorrSettingsInput } from './corr-settings';
export { ArrayCorrSource } from './corr-source';
export type { CorrFrameSource, CorrRawFrame } from './corr-source';
export type { CorrDataset } from './corr-twotime';
