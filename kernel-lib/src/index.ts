// Public API of the `stagebook` package: what notebooks import. Deliberately curated (issue 12, point 7):
// the other entry points are `stagebook/notebook` (the headless runner; it loads zeromq),
// `stagebook/testing` (local archive, simulators, example pipelines) and `stagebook/progress-schema`
// (the payload the JupyterLab extension shares); nothing else is reachable (kernel-lib/package.json "exports").
// Internals stay importable from source by the library's own tests, never through the package.
export { StagebookError, isStagebookError, invalidArgument, STAGEBOOK_ERROR_CODES } from './errors/stagebook-error';
export type { StagebookErrorCode, StagebookErrorContext } from './errors/stagebook-error';
// Numeric API (README "Numeric API"): peaks, correlations, XPCS correlators, filters, splines.
export * from './numeric';
// Engine: stages, pipelines, levels, runs.
export { DEFAULT_LEVELS, levelIndex, levelRange } from './engine/levels';
export { defineStage } from './engine/stage';
export type { StageKind, OutputOptions, StageContext, StageDefinition, AnyStage } from './engine/stage';
export { definePipeline } from './engine/pipeline';
export type { PipelineDefinition, Pipeline } from './engine/pipeline';
export { registerPipeline, registeredPipelines, resolvePipeline } from './engine/registry';
export { runPipeline, resumeRun } from './engine/runner';
export type { RunOptions, RunResult } from './engine/runner';
// Ledger: what a notebook queries after a run.
export { Ledger } from './ledger/ledger';
export { listRuns, unitCounts, stageCounts, failures, stageRunsOf, queryFiles, lineage } from './ledger/queries';
export type { RunSummary, FileQuery } from './ledger/queries';
export type { RunStatus, StageRunStatus, FileState, FileRef, RunRow, StageRunRow, FileRow } from './ledger/types';
// Configuration (YAML + zod) and secrets.
export { loadStagebookConfig, makeStagebookConfig } from './config/schema';
export type { StagebookConfig, EnginePolicy, LeasePolicy } from './config/schema';
export { Secret, resolveSecret } from './config/secrets';
// Working directories and atomic writes.
export { PathGuard } from './workdirs/confine';
export { atomicWriteFile } from './workdirs/atomic';
export { alexisFlareNaming, ensureWorkdir, listWorkdirs } from './workdirs/naming';
export type { WorkdirNaming, FlareCandidateKey } from './workdirs/naming';
// Events.
export { EventBus, stagebookEvents } from './events/emitter';
export type { StagebookEvent, StagebookEventType, StagebookEventListener } from './events/emitter';
export type { LogLevel, StageLogger } from './logging/unit-log';
// Data formats.
// IMM and HDF5: readers and writers (header codecs, superblock checks and atomic-write helpers stay internal).
export { readImm, readImmSparse, readImmHeaders, streamImm, writeImm } from './formats/imm';
export type {
  ImmFrameHeader,
  ImmPv,
  ImmSelection,
  ReadImmOptions,
  ImmStack,
  ImmSparseStack,
  ImmFrame,
  ImmStreamOptions,
  WriteImmOptions,
} from './formats/imm';
export { Hdf5Reader, withHdf5, writeHdf5 } from './formats/hdf5';
export type {
  Hdf5Data,
  Hdf5Dataset,
  Hdf5NumericArray,
  Hdf5DatasetSpec,
  Hdf5Dtype,
  WriteHdf5Options,
} from './formats/hdf5';
export * from './formats/xpcs';
export * from './formats/fits';
export * from './analysis';
// Display layer (tables, Vega-Lite, progress, errors).
export {
  showTable,
  tableBundle,
  showVegaLite,
  vegaLiteBundle,
  renderVegaLiteSvg,
  svgToPng,
  renderPng,
  imageSpec,
  rasterImage,
  ProgressDisplay,
  progressListener,
  showProgress,
  endProgress,
  showError,
  errorBundle,
  withErrorDisplay,
  showPipelineProgress,
  inKernel,
  PROGRESS_MIME,
  VEGALITE_MIME,
  VEGALITE_V5_MIME,
  ERROR_MIME,
  parseProgressPayload,
  progressPayloadSchema,
} from './display';
export type {
  ImageSpecInput,
  ImageOverlay,
  DisplayBundle,
  TableInput,
  TableOptions,
  VegaLiteSpec,
  VegaLiteOptions,
  StageProgressEvent,
  ProgressPayload,
  StageState,
  PipelineProgressOptions,
} from './display';
// Built-in scientific pipelines (XPCS), registered by name like the `example` pipeline.
export { xpcsPipeline, xpcsWorkspaceConfig, xpcsProducts } from './pipelines/xpcs/pipeline';
export type { XpcsWorkspaceOptions } from './pipelines/xpcs/pipeline';
export { readXpcsReport } from './pipelines/xpcs/fit-stage';
export type { XpcsReport, XpcsReportFit } from './pipelines/xpcs/fit-stage';
export { g2GridSpecs, heatmapSpec, intensitySpec, tauVsQSpec, twoTimeSpec } from './pipelines/xpcs/plots';
export type { G2GridInput, HeatmapInput } from './pipelines/xpcs/plots';
import './pipelines';
// Data acquisition (downloader, cache, policy, progress) and archive clients.
export { DEFAULT_DOWNLOAD_POLICY, DEFAULT_RETRY_POLICY, resolveDownloadPolicy } from './acquisition/policy';
export type { DownloadPolicy, DownloadPolicyInput, RetryPolicy } from './acquisition/policy';
export { DownloadCache } from './acquisition/cache';
export { Downloader, downloadAll, stableKey } from './acquisition/downloader';
export { DownloadRecorder } from './acquisition/record';
export type { DownloadRecordRow, DownloadOutcomeStatus } from './acquisition/record';
export type {
  DownloadItem,
  DownloadedFile,
  DownloadFailure,
  DownloadResult,
  DownloaderOptions,
} from './acquisition/downloader';
export { formatBytes, formatDownloadProgress, terminalProgress, eventBusProgress } from './acquisition/progress';
export type { DownloadProgressSnapshot, DownloadProgressListener } from './acquisition/progress';
export { recordsToItems } from './archives/types';
export type { ArchiveClient, ArchiveRecord } from './archives/types';
export { LcoArchiveClient } from './archives/lco';
export type { LcoArchiveOptions, LcoFrameQuery } from './archives/lco';
export { AvailabilityCatalogue, ALEXIS_WINDOWS, availabilityToRecords } from './archives/catalogue';
export type { AvailabilityRow, WindowQuery } from './archives/catalogue';
export {
  parseDirectoryListing,
  listDirectory,
  dayDirectories,
  parseSxiName,
  listingToRecords,
  SXI_NAME,
} from './archives/listing';
// The LCO data-management pipeline (registered as `lco-data-management`).
export { loadLcoConfig } from './pipelines/lco/config';
export type { LcoConfig, LcoArchiveConfig } from './pipelines/lco/config';
export { lcoPipeline } from './pipelines/lco/pipeline';
export type { LcoSummaryRow } from './pipelines/lco/pipeline';
export { runLcoDataManagement, lcoFrames, lcoFramesPerTargetNight } from './pipelines/lco/run';
export type { LcoRunOptions, LcoRunResult } from './pipelines/lco/run';
import './pipelines/lco';
// XPCS at beamline scale: corr-compatible correlation of a dataset file (every /xpcs setting honoured
// or refused, streaming, Rigaku/HDF5 frames, legacy or NeXus results), fit datasets, portal PNGs.
export { correlateXpcsFile, frameFileOf, writeXpcsPortalPngs, xpcsFitDatasets } from './pipelines/xpcs';
export type { CorrelateXpcsFileOptions, CorrelateXpcsFileResult } from './pipelines/xpcs';
export {
  scatteringPatternSpecs,
  ringMeans,
  contrastBaselineSpec,
  intensityVsQSpec,
  diffusionFit,
  Q_UNIT,
} from './pipelines/xpcs/plots';
export type { PatternInput } from './pipelines/xpcs/plots';
// ALEXIS (solar-flare catalogue): onboarding catalogues, stages 1-2, stage-4 science, the solar image figure.
export * from './pipelines/alexis';
export { solarImageSpec, hpcX, hpcY } from './pipelines/alexis/solar-image-plot';
export type { SolarImageInput, SolarWcs } from './pipelines/alexis/solar-image-plot';
// STIX operations under one namespace (`import { stix } from 'stagebook'`).
export * as stix from './pipelines/stix';
// The PUNCH control segment under one namespace (`import { punch } from 'stagebook'`; issue 17).
export * as punch from './pipelines/punch';
// Flows (Automate-style state machines over transfer / compute / plots / ingest / shell), the XPCS
// flow, its crawler, and the embedded dataset search index (docs/xpcs-flow.md).
export {
  FlowStore,
  makeFlowEnvironment,
  loadFlowConfig,
  loadFlowDefinition,
  parseFlowDefinition,
  runFlow,
  planFlow,
  FLOW_ACTIONS,
} from './flows';
export type {
  FlowDefinition,
  FlowEnvironment,
  FlowRunRecord,
  FlowStepRecord,
  RunFlowOptions,
  FlowClock,
  FlowStepEvent,
  FlowPlanStep,
} from './flows';
export { SearchIndex, parseQuery } from './search';
export type { SearchHit, SearchOptions, IngestWarning, FieldType } from './search';
export { xpcsFlowDefinition, xpcsFlowInput, crawlDatasets } from './pipelines/xpcs-flow';
export type { CrawlResult, CrawledDataset, XpcsAutomateRequest } from './pipelines/xpcs-flow';
