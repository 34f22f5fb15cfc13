/**
 * ALEXIS' region fluxes (stage 4 step 4): the sum of an image over squares centred on each candidate
 * cluster, at several half-widths (AIA 125/85/67/41 px, SXI 15/10/8/5 px: boxes of 150/100/80/50
 * arcsec). The box is data[int(y-d):int(y+d), int(x-d):int(x+d)] as ALEXIS slices it, clipped to the
 * image (see wasm-core/assembly/boxsum.ts for the one deviation: numpy wraps a negative start).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { loadCore } from '../wasm/core';

export interface BoxImage {
  data: Float32Array | Float64Array;
  /** [rows, columns]. */
  shape: [number, number];
}

/** ALEXIS' half-widths in pixels per instrument (boxes of 150/100/80/50 arcsec). */
export const ALEXIS_BOX_HALF_WIDTHS = { AIA: [125, 85, 67, 41], SXI: [15, 10, 8, 5] } as const;

interface BoxKernels {
  boxSumsWindow(
    img: number,
    h: number,
    w: number,
    isF64: number,
    wr0: number,
    wc0: number,
    ww: number,
    x: number,
    y: number,
    half: number,
    nz: number,
    out: number,
  ): void;
}

/** Rows/columns [start, end) of the largest box, clipped as the kernel clips (int() truncation). */
function windowOf(c: number, d: number, n: number): [number, number] {
  const clip = (v: number): number => Math.min(n, Math.max(0, Math.trunc(v)));
  return [clip(c - d), Math.max(clip(c - d), clip(c + d))];
}

/**
 * Box sums for each centre (x, y in 0-based pixels: column, row) and each half-width; returns
 * `sums[centre][halfWidth]`.
 * @throws StagebookError E_INVALID_SHAPE (data length vs shape), E_INVALID_ARGUMENT (non-finite centre, half-width <= 0)
 */
export function boxSums(
  image: BoxImage,
  centres: ArrayLike<readonly [number, number]>,
  halfWidths: ArrayLike<number>,
): Float64Array[] {
  const where = 'boxSums';
  const [h, w] = image.shape;
  if (!(image.data instanceof Float32Array || image.data instanceof Float64Array) || image.data.length !== h * w) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: image.data must be a Float32Array or Float64Array of ${h} x ${w} values`,
      { where, field: 'image' },
    );
  }
  for (let c = 0; c < centres.length; c++) {
    const [x, y] = centres[c];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new StagebookError('E_INVALID_ARGUMENT', `${where}: centres[${c}] = (${x}, ${y}) is not finite`, {
        where,
        field: 'centres',
        index: c,
      });
    }
  }
  const half = Float64Array.from(halfWidths);
  half.forEach((d, i) => {
    if (!(d > 0))
      throw new StagebookError('E_INVALID_ARGUMENT', `${where}: halfWidths[${i}] = ${d} must be > 0`, {
        where,
        field: 'halfWidths',
        index: i,
      });
  });
  const dMax = Math.max(...half);
  const core = loadCore('boxsum');
  const k = core.exports as unknown as BoxKernels;
  const isF64 = image.data instanceof Float64Array ? 1 : 0;
  const sums: Float64Array[] = [];
  core.withArena((arena) => {
    const pHalf = arena.copyIn(half).ptr;
    const out = arena.f64(half.length);
    for (let c = 0; c < centres.length; c++) {
      const [x, y] = centres[c];
      // Copy only the window of the largest box (a few hundred KB) instead of the whole frame.
      const [r0, r1] = windowOf(y, dMax, h);
      const [c0, c1] = windowOf(x, dMax, w);
      const ww = c1 - c0;
      const win = isF64 ? arena.f64(Math.max(1, (r1 - r0) * ww)) : arena.f32(Math.max(1, (r1 - r0) * ww));
      const view = win.view();
      for (let r = r0; r < r1; r++) view.set(image.data.subarray(r * w + c0, r * w + c1), (r - r0) * ww);
      k.boxSumsWindow(win.ptr, h, w, isF64, r0, c0, ww, x, y, pHalf, half.length, out.ptr);
      sums.push(out.copyOut());
    }
  });
  return sums;
}
