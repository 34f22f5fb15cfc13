/** STIX operations: telemetry to L2 products, the watched-folder service, its status endpoint and stuck monitor. */
export * from './products';
export * from './options';
export * from './time-correlation';
export * from './resources';
export * from './fits-product';
export * from './lb-files';
export * from './l0-tables';
export { readTmGroups, tmToLb } from './tm-to-lb';
export { lbToL0, mergeProductTables } from './lb-to-l0';
export { l0ToL1, calibrateColumns, productOfFile } from './l0-to-l1';
export { l1ToL2, lightCurveL2, QL_BANDS, QL_BAND_EDGES_KEV } from './l1-to-l2';
export * from './pipeline';
export * as ccsds from '../../formats/ccsds';
export * as idb from '../../formats/idb';
export * from './tm-logs';
export * from './service';
export { answer, queryStatus, startStatusServer, STATUS_COMMANDS } from './status';
export type { StatusCommand } from './status';
export * from './monitor';
export * from './process';
// Part 2: publishing to SOAR, the RID table, the daily pipeline.
export { PublishHistory, PUBLISH_RESULT_CODES } from './publish/history';
export type { PublishConflict, PublishResultName, PublishedRow } from './publish/history';
export { parsePublishName, completeName, supplementName, modifiedEsaName } from './publish/names';
export type { PublishName } from './publish/names';
export { publishOptionsSchema, resolvePublishOptions, parseDuration, PUBLISH_DEFAULT_SETS } from './publish/options';
export type { PublishOptions, PublishOptionsInput } from './publish/options';
export { selectCandidates } from './publish/candidates';
export type { CandidateDecision } from './publish/candidates';
export { publishStix, bsdComment, dataStartMs, readBlacklist, sweepStaleTemps } from './publish/publish';
export type { PublishItem, PublishRun, SupplementLine } from './publish/publish';
export {
  publishCounts,
  mailSummary,
  mailSubject,
  mailBody,
  publishSummary,
  writeSummaryJson,
  appendSupplementReport,
} from './publish/report';
export type { PublishCounts } from './publish/report';
export { RidTable, updateRidTable, parseRidCsv, formatRidCsv, ridSlices, RID_COLUMNS } from './publish/rid-table';
export type { RidRow, RidUpdateOptions } from './publish/rid-table';
export { ProcessingHistory } from './daily/history';
export type { ProcessedProduct } from './daily/history';
export { runDaily, dailyInputs, dailyOptionsSchema } from './daily/daily';
export type { DailyOptions, DailyItem } from './daily/daily';
export { DAILY_KINDS, dailyName, makeDailyProduct } from './daily/products';
