/**
 * Worker-side tasks of the parallel XPCS correlators (run by parallel/pool.ts in worker_threads).
 * The stack arrives as a view of shared memory: each worker streams only its own frames (engine)
 * or pixels (Eigen) into its own WASM memory, without a copy of the whole stack.
 */
import type { FrameData } from '../frames';
import { awaitShared, type SharedStream } from '../parallel/pool';
import { runEngine, type EngineSums } from './engine';
import { eigenPixelSums, type PixelSums } from './eigen';
import type { FrameKind } from './layout';
import type { PlannedWindow } from './windows';

export interface EngineTask {
  where: string;
  /** Frames [dataFirstFrame, ...) of the stack (shared memory), frame-major. */
  data: FrameData;
  dataFirstFrame: number;
  /** Progress of the streamed copy of `data` (undefined: complete). */
  stream?: SharedStream;
  kind: FrameKind;
  P: number;
  T: number;
  /** ROI-grouped raster pixels (-1 = padding), padded ROI starts and pixel counts. */
  pix: Int32Array;
  roiStart: Int32Array;
  numPixels: number[];
  numLevels: number;
  numBufs: number;
  /** Time window, or undefined for every frame and event (ROI split). */
  window?: PlannedWindow;
}

/** The multi-tau engine on one share: a time window, or every frame for a group of ROIs. */
export function xpcsEngineTask(p: EngineTask): EngineSums {
  const t0 = p.window ? p.window.t0 : 0;
  const t1 = p.window ? p.window.f1 : p.T;
  const offset = (t0 - p.dataFirstFrame) * p.P;
  const src = { data: p.data.subarray(offset, offset + (t1 - t0) * p.P), kind: p.kind, P: p.P, ready: (end: number) => awaitShared(p.stream, offset + end) };
  return runEngine(p.where, src, t1 - t0, { pix: p.pix, roiStart: p.roiStart, numPixels: p.numPixels }, p.numLevels, p.numBufs, p.window);
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
