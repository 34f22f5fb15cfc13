// Public API of the `stagebook` package (what notebooks import).
export * from './errors/stagebook-error';
export * from './numeric';
export * from './engine';
export * from './ledger';
export * from './config';
export * from './workdirs';
export * from './events';
export * from './logging';
export * from './examples';
export * from './formats/imm';
export * from './formats/hdf5';
export * from './formats/xpcs';
export * from './analysis';
export * from './formats/fits';
export * from './simulate';
// Display layer (tables, Vega-Lite, progress, errors). The notebook runner is not exported here:
// it loads zeromq; import it from 'stagebook/dist/notebook'.
export {
  showTable, tableBundle, showVegaLite, vegaLiteBundle, renderVegaLiteSvg, svgToPng, ProgressDisplay, progressListener,
  showProgress, endProgress, showError, errorBundle, withErrorDisplay, showPipelineProgress, inKernel, PROGRESS_MIME, VEGALITE_MIME, VEGALITE_V5_MIME, ERROR_MIME, parseProgressPayload, progressPayloadSchema,
} from './display';
export type { DisplayBundle, TableInput, TableOptions, VegaLiteSpec, VegaLiteOptions, StageProgressEvent, ProgressPayload, StageState, PipelineProgressOptions } from './display';
// Built-in scientific pipelines (XPCS), registered by name like the `example` pipeline.
export * from './pipelines';
// Data acquisition (downloader, cache, policy, progress), archive clients, the local archive and
// the LCO data-management pipeline (registered as `lco-data-management`).
export * from './acquisition';
export * from './archives';
export * from './local-archive';
export * from './pipelines/lco';
// Flows (Automate-style state machines over transfer / compute / plots / ingest / shell), the XPCS
// flow, its crawler, and the embedded dataset search index (docs/xpcs-flow.md).
export {
  FlowStore, makeFlowEnvironment, loadFlowConfig, loadFlowDefinition, parseFlowDefinition, runFlow, planFlow, FLOW_ACTIONS,
} from './flows';
export type { FlowDefinition, FlowEnvironment, FlowRunRecord, FlowStepRecord, RunFlowOptions, FlowClock, FlowStepEvent, FlowPlanStep } from './flows';
export { SearchIndex, parseQuery } from './search';
export type { SearchHit, SearchOptions, IngestWarning, FieldType } from './search';
export { xpcsFlowDefinition, xpcsFlowInput, crawlDatasets } from './pipelines/xpcs-flow';
export type { CrawlResult, CrawledDataset, XpcsAutomateRequest } from './pipelines/xpcs-flow';
