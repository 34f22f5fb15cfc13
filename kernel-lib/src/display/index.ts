// Display layer for tslab notebooks: tables, Vega-Lite plots, stage progress, structured errors.
export { publish, inKernel, escapeHtml, type DisplayBundle, type MimeData, type PublishOptions } from './bundle';
export { tableBundle, showTable, formatValue, type TableInput, type TableOptions } from './table';
export {
  vegaLiteBundle,
  showVegaLite,
  renderVegaLiteSvg,
  svgToPng,
  renderPng,
  pngMarkdown,
  PNG_SCALE,
  summarizeVegaLite,
  VEGALITE_MIME,
  VEGALITE_V5_MIME,
  type VegaLiteSpec,
  type VegaLiteOptions,
} from './vega';
export {
  ProgressDisplay,
  progressListener,
  showProgress,
  endProgress,
  overallState,
  progressText,
  progressHtml,
  PROGRESS_MIME,
  progressPayloadSchema,
  parseProgressPayload,
  type StageState,
  type StageProgressEvent,
  type StageProgress,
  type ProgressPayload,
  type ProgressDisplayOptions,
  type StageErrorInfo,
  type PayloadIssue,
} from './progress';
export {
  errorBundle,
  errorPayload,
  showError,
  withErrorDisplay,
  ERROR_MIME,
  type ErrorPayload,
  type ErrorDisplayContext,
} from './error-display';
export { showPipelineProgress, toStageProgress, type PipelineProgressOptions } from './engine-progress';
export {
  rasterImage,
  downsampleMap,
  quantiles,
  encodePalettePng,
  schemePalette,
  RASTER_SCHEMES,
  type Raster,
  type RasterInput,
} from './raster';
export { imageSpec, READABLE_AXIS, type ImageSpecInput, type ImageOverlay } from './image-plot';
