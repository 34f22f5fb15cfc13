// Numeric kernels (wasm-core) behind typed, validated TypeScript functions.
export * from './peaks1d';
export * from './peaks2d';
export * from './xpcs';
export * from './signals';
export * from './frames';
export * from './resample';
export * from './lasso';
export * from './goes';
export * from './boxsum';
export { coreModuleHash } from './wasm/core';
export { closeWorkerPool, defaultParallelPolicy } from './parallel/pool';
export type { ParallelPolicy } from './parallel/pool';
