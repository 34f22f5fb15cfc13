// ALEXIS (solar-flare catalogue) on stagebook: onboarding catalogues, stage 1 (download), stage 2 (clean + peaks).
export { AlexisCatalogues, ONBOARDING_SOURCES } from './catalogues';
export type {
  OnboardingSource,
  AiaAvailabilityRow,
  SxiAvailabilityRow,
  GoesDataRow,
  KnownFlareRow,
  HarpRow,
} from './catalogues';
export { onboardAlexis, onboardingOptionsSchema, timeWindows } from './onboarding';
export type { OnboardingOptions, OnboardingProgress, OnboardingResult } from './onboarding';
export {
  downloadFlareData,
  downloadOptionsSchema,
  flareSchema,
  parseFlareTime,
  downloadedRecordPath,
  listDownloadedRecords,
} from './download';
export type {
  DownloadOptions,
  DownloadStageResult,
  DownloadedRecord,
  FlareDownloadSummary,
  FlareSpec,
} from './download';
export { readDegradationTable, readEffectiveAreaTable, degradationFactor } from './calibration';
export type { DegradationTable, EffectiveAreaTable } from './calibration';
export { cleanAia } from './clean-aia';
export { cleanSxi, SXI_FILTERS_KEPT } from './clean-sxi';
export type { CleanResult, CleanedImage } from './clean-types';
export { findSolarBorder, SXI_RADIUS_RANGE } from './solar-border';
export type { SolarBorder } from './solar-border';
export { singleImagePeakfinder, epsPixels, ALEXIS_EPS_PX } from './peaks';
export type { PeakRow } from './peaks';
export { ImageDataAvailability, IMAGE_DATA_COLUMNS } from './image-db';
export type { ImageDataRow } from './image-db';
export { initializeFiles, initializeOptionsSchema } from './initialize';
export type { InitializeOptions, InitializeProgress, InitializeResult } from './initialize';
export { initializeImage } from './initialize-task';
export type { InitializePayload } from './initialize-task';
export {
  alexisPipeline,
  alexisOnboardStage,
  alexisDownloadStage,
  alexisInitializeStage,
  alexisOptionsSchema,
  alexisCandidatesPipeline,
} from './pipeline';
export { availabilitySpec, xrsSpec, qualitySpec, registeredImagesSpec, imageDataUri, grayPng } from './plots';
// Stage 4 science (issue 14, part done): fit selection (step 11), the ALEXIS peak (step 13), the GOES class (step 15).
export { selectChannelFit, selectEventFit } from './fit-selection';
export type { ChannelFit, EventFit } from './fit-selection';
export { alexisPeakTimes, goesClassAtPeak, peakTimes } from './flare-peaks';
export type { FlarePeakClass, PeakSource } from './flare-peaks';
// Stages 3-4 (steps 1-7): the working-directory file contract.
export {
  CANDIDATE_FILES,
  CANDIDATE_FILE_FORMATS,
  CLUSTER_FLUX_INIT_SUFFIX,
  CLUSTER_FLUX_TIMESERIES_SUFFIX,
  PEAK_COLUMNS,
  clusterFluxFileName,
  parseClusterFluxFileName,
  formatCandidateFile,
  parseCandidateFile,
  readCandidateFile,
  writeCandidateFile,
  fileRowSchema,
  hyperspectralRowSchema,
  temporalClustersFileSchema,
  candidateSchema,
  clusterFluxInitRowSchema,
  clusterFluxRowSchema,
  resampledXrsRowSchema,
  resampledImgRowSchema,
} from './candidate-files';
export type {
  CandidateFileKind,
  CandidateFileValue,
  ClusterFluxFileId,
  FileRow,
  HyperspectralRow,
  TemporalCluster,
  TemporalClustersFile,
  Candidate,
  ClusterFluxInitRow,
  ClusterFluxRow,
  ResampledXrsRow,
  ResampledImgRow,
} from './candidate-files';
// Stage 3 and stage 4 steps 1-7 (issue 14).
export { buildInitTables, groupQuality, initFilesParamsSchema, queryWindows } from './wd-init-files';
export type { GroupQuality, InitFilesParams, InitTables } from './wd-init-files';
export {
  temporalClusters,
  hyperspectralCandidates,
  temporalMinSamples,
  hyperspectralMinSamples,
  temporalParamsSchema,
  hyperspectralParamsSchema,
} from './candidate-clustering';
export type { TemporalParams, HyperspectralParams } from './candidate-clustering';
export {
  splitPerImage,
  regionFluxRows,
  collateClusterFlux,
  halfWidthsFor,
  squareRegion,
  ZOOMS,
  BOX_SIZES_ARCSEC,
} from './cluster-flux';
export {
  resampleXrs,
  resampleImages,
  xrsChannels,
  resamplingGrid,
  imageTimeRange,
  xrsResampleParamsSchema,
} from './xrs-resample';
export type { XrsSample, XrsChannel, XrsResampleParams } from './xrs-resample';
export {
  alexisCandidateStages,
  alexisInitFilesStage,
  alexisTemporalStage,
  alexisHyperspectralStage,
  alexisSplitClustersStage,
  alexisClusterFluxStage,
  alexisCollateFluxStage,
  alexisResampleXrsStage,
  alexisResampleImgStage,
} from './candidate-stages';
export { candidatesImageSpec, candidateCurves, channelCurves, curvesSpec } from './candidate-plots';
export type { CurvePoint } from './candidate-plots';
// Stage 4 steps 8-16 as engine stages (issue 14 items 3-6): grid search files, LASSO, selection, peaks, HARPs, class, report.
export { lassoStages, logspace, LASSO_STAGE_VERSIONS, CATALOGUE_LEVELS } from './lasso-stages';
export { flareStages, FLARE_STAGE_VERSIONS } from './flare-stages';
export { FILES as CATALOGUE_FILES, readCatalogueFile, pairKey } from './catalogue-files';
export type { ChannelPair, FitRow, GridsearchFile, EventFitFile, Provenance } from './catalogue-files';
export { clusterSubsets, gridsearchFiles, fitGridsearch, collateFits, selectFits, fitDistance } from './lasso-steps';
export type { ResampledFlareData, ConfRow } from './lasso-steps';
export { resampledFlareData } from './resampled-input';
export { defineFlarePeaks, fittedColumns, associateRows, classifyRows, hekReport } from './flare-steps';
export type { FlareRow, FlareFile, ReportRow } from './flare-steps';
export {
  HARP_WINDOWS_MIN,
  widenHarpWindow,
  harpSpans,
  associateHarps,
  hgsToHpc,
  solarRadiusArcsec,
} from './harp-association';
export type { HarpSpan } from './harp-association';
export { reportCsv, writeReportSqlite, REPORT_COLUMNS } from './catalogue-report';
export { eventFitCurves, fitCurvesSpec, lassoPathSpec } from './catalogue-plots';
export type { EventFitCurves } from './catalogue-plots';
