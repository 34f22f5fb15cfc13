// The XPCS pipeline: stages, workspace config, sample datasets, error model and plot specs.
export { xpcsPipeline, xpcsWorkspaceConfig, xpcsProducts } from './pipeline';
export type { XpcsWorkspaceOptions } from './pipeline';
export { xpcsCorrStage, datasetGroup, datasetFiles, twoTimePartials } from './correlate-stage';
export type { XpcsCorrParams, XpcsSectorG2 } from './correlate-stage';
export { xpcsFitStage, readXpcsReport } from './fit-stage';
export type { XpcsFitParams, XpcsReport, XpcsReportFit } from './fit-stage';
export { writeSimulatedXpcsDataset, qOfRadius } from './dataset';
export type { SimulatedXpcsDataset, SimulatedXpcsDatasetOptions, XpcsGeneratorTruth } from './dataset';
export { sectorMap, fitDecayWithSectors, finiteCurve } from './sectors';
export type { XpcsDecayFit, G2Curve } from './sectors';
export {
  g2GridSpecs,
  heatmapSpec,
  intensitySpec,
  tauVsQSpec,
  twoTimeSpec,
  downsampleMap,
  scatteringPatternSpecs,
  ringMeans,
  contrastBaselineSpec,
  intensityVsQSpec,
  diffusionFit,
  Q_UNIT,
} from './plots';
export type { G2GridInput, HeatmapInput, PatternInput } from './plots';
export { correlateXpcsFile, frameFileOf } from './corr-file';
export type { CorrelateXpcsFileOptions, CorrelateXpcsFileResult } from './corr-file';
export { writeXpcsPortalPngs } from './portal-plots';
export { xpcsFitDatasets } from './fit-datasets';
export type { SimulatedDetectorOptions } from './dataset';
