// Deterministic simulators for tutorials, demos and tests.
export { seededRandom } from './random';
export type { Random } from './random';
export { simulateSpeckleSeries } from './speckle';
export type { SpeckleOptions, SpeckleSeries } from './speckle';
