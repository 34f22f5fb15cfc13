/**
 * Worker-side tasks of the parallel XPCS correlators (run by parallel/pool.ts in worker_threads).
 * Each worker gathers only its own pixels from the shared stack straight into its own WASM memory.
 */
import type { FrameData } from '../frames';
import { gatheredStack, runEngine, type EngineSums } from './engine';
import { eigenPixelSums, type PixelSums } from './eigen';
import type { FrameKind } from './layout';

export interface EngineTask {
  where: string;
  data: FrameData;
  kind: FrameKind;
  T: number;
  P: number;
  /** Raster pixels of this worker's ROIs, ROI-grouped and padded (-1). */
  pix: Int32Array;
  roiStart: Int32Array;
  numPixels: number[];
  numLevels: number;
  numBufs: number;
}

/** The multi-tau engine on a subset of ROIs (compact stack: pixel j of the task = slot j). */
export function xpcsEngineTask(p: EngineTask): EngineSums {
  const identity = Int32Array.from(p.pix, (v, j) => (v < 0 ? -1 : j));
  return runEngine(p.where, gatheredStack(p.data, p.kind, p.T, p.P, p.pix), p.T, { pix: identity, roiStart: p.roiStart, numPixels: p.numPixels }, p.numLevels, p.numBufs);
}

export interface EigenTask {
  data: FrameData;
  kind: FrameKind;
  T: number;
  P: number;
  pix: Int32Array;
  delays: Array<[number, number]>;
}

/** XPCS-Eigen per-pixel sums for a contiguous share of the valid pixels. */
export function xpcsEigenTask(p: EigenTask): PixelSums {
  const compact = new (p.data.constructor as new (n: number) => FrameData)(p.T * p.pix.length);
  for (let t = 0; t < p.T; t++) for (let j = 0; j < p.pix.length; j++) compact[t * p.pix.length + j] = p.data[t * p.P + p.pix[j]];
  const identity = Int32Array.from(p.pix, (_, j) => j);
  return eigenPixelSums(compact, p.kind, p.T, p.pix.length, identity, p.delays);
}
