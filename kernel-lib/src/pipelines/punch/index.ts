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
export { simulateL0, ingestL0, type L0Row, type SimulateL0Options } from './mission/simulate';
export { readProduct, writeProduct, quicklookPng } from './mission/products';
export * as images from './mission/images';
