// `stagebook/testing`: what tests, demos and tutorials run against instead of real instruments and archives:
// the local (offline, LCO-compatible) archive with fault injection, the data simulators and the example
// pipeline. Not needed to process real data; kept out of the main `stagebook` entry on purpose.
export { startLocalArchive } from '../local-archive/server';
export type { LocalArchive, LocalArchiveOptions, RequestLogEntry } from '../local-archive/server';
export { FaultInjector, parseFaultRules, DEFAULT_FAULT_PATH } from '../local-archive/faults';
export { syntheticBsdRequests } from '../local-archive/stix-bsd';
export type { FaultRule, FaultKind } from '../local-archive/faults';
export { planSyntheticFrames, writeSyntheticFrames } from '../local-archive/synthetic';
export type { SyntheticArchiveOptions, SyntheticFrame, FrameRecord } from '../local-archive/synthetic';
// Simulators: speckle series with known decay times, and a whole XPCS dataset (IMM + HDF5) from them.
export { seededRandom } from '../simulate/random';
export type { Random } from '../simulate/random';
export { simulateSpeckleSeries } from '../simulate/speckle';
export type { SpeckleOptions, SpeckleSeries } from '../simulate/speckle';
export { writeSimulatedXpcsDataset, qOfRadius } from '../pipelines/xpcs/dataset';
export type { SimulatedXpcsDataset, SimulatedXpcsDatasetOptions, XpcsGeneratorTruth } from '../pipelines/xpcs/dataset';
// The example pipeline (registered as `example`): the smallest chain exercising the whole engine.
export { examplePipeline, tokenizeStage, splitStage, collateStage } from '../examples';
// ALEXIS: the simulated Sun (AIA, SXI, GOES XRS) and the archives that serve it.
export * from './solar';
export { SunArchive } from '../local-archive/sun-archive';
export type { SunArchiveOptions } from '../local-archive/sun-archive';
// STIX: the telemetry simulator (EDDS XML, IDB, time correlation) and its local SMTP helpers.
export * from './stix';
// Scale-out: an ephemeral redis-server on a free loopback port for the BullMQ executor's tests and benchmark.
export { startRedisServer } from './redis-server';
export type { RedisServer, RedisServerOptions } from './redis-server';
// PUNCH: simulated L0 images of four observatories, their ingest, and a sandboxed control database.
export { simulateL0, ingestL0 } from '../pipelines/punch/mission/simulate';
export type { L0Row, SimulateL0Options } from '../pipelines/punch/mission/simulate';
export { punchSandbox } from '../pipelines/punch/testing-fixtures';
