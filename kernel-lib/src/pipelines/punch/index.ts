// PUNCH control segment (issue 17): `import { punch } from 'stagebook'`.
export * from './states';
export * from './naming';
export * from './config';
export * from './cron';
export * from './segment';
export * from './control-db';
export * from './flow-executor';
export { InProcessExecutor, type InProcessExecutorOptions } from './in-process-executor';
export * from './scheduler';
export * from './launcher';
export * from './processor';
export * from './cleaner';
export { MISSION_SEGMENTS, LEVEL1, LEVELQ, LEVEL2, LEVEL3 } from './mission/segments';
export { runControlPass, runUntilIdle, activeFlows, ControlDaemon } from './daemon';
export type { ControlSegment, ControlPassResult, DaemonEvent } from './daemon';
export { sampleHealth, recordHealth, type HealthSample } from './health';
export { readProduct, writeProduct, quicklookPng } from './mission/products';
export * as images from './mission/images';
