/** Worker task of warpAffineParallel: warps output rows [r0, r1) from a band of input rows (no clip). */
import { loadCore } from '../wasm/core';
import type { ImageExports as WarpKernels } from './warp';

export interface WarpBandRequest {
  /** Input rows [bandStart, bandStart + bandRows) of a `cols`-wide image (shared memory). */
  band: Float64Array;
  bandStart: number;
  bandRows: number;
  cols: number;
  outCols: number;
  r0: number;
  r1: number;
  /** The inverse map in full-image coordinates. */
  m: number[];
  cval: number;
}

type ImageExports = Pick<WarpKernels, 'warpAffineBicubic'>;

export function warpBandTask(q: WarpBandRequest): Float64Array {
  const core = loadCore('image');
  const k = core.exports as unknown as ImageExports;
  return core.withArena((arena) => {
    const src = arena.copyIn(q.band);
    const dst = arena.f64((q.r1 - q.r0) * q.outCols);
    // Rows outside the band are outside the image for this band's samples only if the band covers
    // every row the output rows can reach (the caller guarantees it, with a 2-row margin).
    const m = q.m;
    k.warpAffineBicubic(
      src.ptr,
      q.bandRows,
      q.cols,
      dst.ptr,
      q.outCols,
      q.r0,
      q.r1,
      m[0],
      m[1],
      m[2],
      m[3],
      m[4],
      m[5] - q.bandStart,
      q.cval,
    );
    return dst.copyOut();
  });
}
