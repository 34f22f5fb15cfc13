// Headless notebook runner (tslab over ZeroMQ) and its building blocks.
export { runNotebook, resolveParameters, EXIT, type RunNotebookOptions, type RunSummary } from './runner';
export { notebookCommand, parseRunArgs, NOTEBOOK_USAGE } from './cli';
export { KernelClient, type ExecuteResult, type ExecuteOptions, type ExecuteStatus } from './client';
export {
  launchKernel,
  killAllKernelsSync,
  newConnectionInfo,
  resolveTslabBin,
  type ConnectionInfo,
  type LaunchedKernel,
  type LaunchOptions,
} from './launcher';
export { WireSession, type JupyterMessage, type MessageHeader } from './wire';
export {
  readNotebook,
  parseNotebook,
  writeNotebook,
  serializeNotebook,
  type Notebook,
  type NotebookCell,
  type NotebookOutput,
} from './nbformat';
export {
  loadParameters,
  parseParameterArgs,
  parseParameterFile,
  validateParameters,
  describeParameters,
  formatParameterHelp,
  injectedCell,
  insertInjectedCell,
  PARAMETERS_TAG,
  INJECTED_TAG,
  type NotebookParameters,
  type ParameterHelp,
} from './parameters';
export { JsonlEventSink, type RunnerEvent, type RunnerEventType, type EventSink } from './events';
export { BANNER_TAG, type CellRecord, type RunRecord, type CellStatus, type RunStatus } from './run-record';
export {
  reproduceNotebook,
  checkVersions,
  type ReproduceOptions,
  type ReproduceResult,
  type ReproVerdict,
  type VersionCheck,
} from './reproduce';
export { diffNotebooks, diffText, diffHtml, type NotebookDiff, type DiffRow } from './notebook-diff';
export { packNotebook, unpackBundle, type PackOptions, type PackResult, type UnpackResult } from './bundle';
export { compareOutputs, vegaLiteEssence, type Agreement, type OutputDifference } from './compare-outputs';
export { resolveReproPolicy, normaliseText, type ReproPolicy, type ReproPolicyInput } from './repro-policy';
export { runRecordOf, readRecordNotebook } from './record-schema';
export { formatReproduce, reportJson } from './repro-report';
