// The local archive: loopback-only server of LCO-compatible frames, catalogues and listings on
// deterministic synthetic data, with fault injection (tests, demo, offline use).
export { startLocalArchive, HOSTILE_FILE_NAMES } from './server';
export type { LocalArchive, LocalArchiveOptions, RequestLogEntry } from './server';
export { FaultInjector, parseFaultRules, DEFAULT_FAULT_PATH, DEFAULT_PAGINATION_FAULT_PATH } from './faults';
export type { FaultRule, FaultKind } from './faults';
export { planSyntheticFrames, writeSyntheticFrames, sexagesimal } from './synthetic';
export type { SyntheticArchiveOptions, SyntheticFrame, FrameRecord } from './synthetic';
export { filterFrames, pageOf, withPaginationFaults } from './frames-api';
export type { PaginationFaults } from './frames-api';
