export * from './types';
export { Ledger, newRunId, errorJson } from './ledger';
export type { NewRun, Lease, NewStageRun, CommittedOutput, StageRunOutcome } from './ledger';
export { openDatabase, migrate } from './db';
export type { OpenDatabaseOptions } from './db';
export { LEDGER_SCHEMA_VERSION } from './migrations';
export * from './queries';
