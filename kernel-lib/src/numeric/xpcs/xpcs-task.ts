/**
 * Worker-side tasks of the parallel XPCS correlators (run by parallel/pool.ts in worker_threads).
 * The stack arrives as a view of shared memory, streamed by the calling thread (awaitShared): the
 * engine streams the frames of its share through a staging block into a compact copy of its ROI
 * pixels; Eigen copies the stack into WASM memory once, as the serial function does.
 */
import type { FrameData } from '../frames';
import { awaitShared, type SharedStream } from '../parallel/pool';
import { runEngine, type EngineSums } from './engine';
import { eigenPixelSums, type PixelSums } from './eigen';
import { twoTimeFromSums } from './two-time';
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
  /** ROI split of a two-time run: return this group's finished matrices (skbeam num_frames). */
  twoTimeFrames?: number;
}

/** A share's result: raw sums, or (two-time ROI groups) the finished g2 matrices. */
export type EngineTaskResult = EngineSums | { g2: Float64Array[] };

/** The multi-tau engine on one share: a time window, or every frame for a group of ROIs. */
export function xpcsEngineTask(p: EngineTask): EngineTaskResult {
  const t0 = p.window ? p.window.t0 : 0;
  const t1 = p.window ? p.window.f1 : p.T;
  const offset = (t0 - p.dataFirstFrame) * p.P;
  const src = {
    data: p.data.subarray(offset, offset + (t1 - t0) * p.P),
    kind: p.kind,
    P: p.P,
    ready: (end: number) => awaitShared(p.stream, offset + end),
  };
  const sums = runEngine(
    p.where,
    src,
    t1 - t0,
    { pix: p.pix, roiStart: p.roiStart, numPixels: p.numPixels },
    p.numLevels,
    p.numBufs,
    p.window,
  );
  if (p.twoTimeFrames === undefined) return sums;
  return { g2: twoTimeFromSums(sums, { roiLabels: [], numPixels: p.numPixels }, p.twoTimeFrames).g2 };
}

export interface EigenTask {
  /** The whole stack (shared memory, streamed: see `stream`). */
  data: FrameData;
  stream?: SharedStream;
  kind: FrameKind;
  T: number;
  P: number;
  pix: Int32Array;
  delays: Array<[number, number]>;
}

/** XPCS-Eigen per-pixel sums for a contiguous share of the valid pixels (same kernel as serial). */
export function xpcsEigenTask(p: EigenTask): PixelSums {
  awaitShared(p.stream, p.data.length);
  return eigenPixelSums(p.data, p.kind, p.T, p.P, p.pix, p.delays);
}
