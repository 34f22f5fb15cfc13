// LCO data management (microlensing_photometry data_download.py, on the stagebook engine).
export { loadLcoConfig, queryWindow } from './config';
export type { LcoConfig, LcoArchiveConfig } from './config';
export {
  instrumentClass,
  datasetDir,
  decompressFz,
  readFrameFacts,
  reductionConfigText,
  safeSegment,
  DEFAULT_REDUCTION_TEMPLATE,
} from './sort';
export type { InstrumentClass, FrameFacts } from './sort';
export { LcoFrameTable } from './frames-table';
export type { LcoFrameRow, LcoFrameState } from './frames-table';
export { lcoQueryStage, queryArchives, keepFrame } from './query';
export type { LcoRequest, LcoManifest, ManifestFrame } from './query';
export { lcoFetchSortStage } from './fetch-sort';
export type { FrameOutcome } from './fetch-sort';
export { lcoPipeline, lcoReductionConfigStage, lcoSummaryStage, lcoSummaryOf } from './pipeline';
export type { LcoSummaryRow, LcoSummary } from './pipeline';
export { lcoDeliveriesStage, undeliveredError } from './deliveries';
export { makeLcoEngineConfig, writeLcoRequest, runLcoDataManagement, lcoFrames, lcoFramesPerTargetNight } from './run';
export type { LcoRunOptions, LcoRunResult, LcoProblem } from './run';
