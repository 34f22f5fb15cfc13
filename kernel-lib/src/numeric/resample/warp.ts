/**
 * warpAffine: `skimage.transform.warp(image, inverse_matrix, order=3, mode='constant', cval,
 * clip=True, preserve_range=True)` (scikit-image 0.19) for 2-D float64 images, in wasm-core
 * (`image` family). The matrix maps OUTPUT (col, row) to INPUT (col, row), as skimage's
 * `_warp_fast` applies it; bicubic is skimage's Catmull-Rom kernel. aiapy's `register` resampled
 * AIA images this way (sunpy `rotate` with order=3 through scikit-image).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { loadCore } from '../wasm/core';
import { requireNumber } from '../validate';

/** A 2-D image, row-major. */
export interface WarpImage {
  data: ArrayLike<number>;
  /** [rows, cols] */
  shape: [number, number];
}

/** Options of warpAffine. */
export interface WarpAffineOptions {
  /**
   * Inverse map as the first two rows of skimage's 3x3 matrix, `[m0, m1, m2, m3, m4, m5]`:
   * input col = m0*col + m1*row + m2, input row = m3*col + m4*row + m5.
   */
  inverse: readonly number[];
  /** [rows, cols] of the output; default the input shape. */
  outputShape?: [number, number];
  /** Value outside the input (mode 'constant'). Default 0. */
  cval?: number;
  /** Clip to the input range (widened by cval when skimage would). Default true. */
  clip?: boolean;
}

/** The `image` wasm family's kernels (wasm-core/assembly/image.ts); warp-task.ts uses them too. */
export interface ImageExports {
  warpAffineBicubic(
    src: number,
    rows: number,
    cols: number,
    dst: number,
    outCols: number,
    r0: number,
    r1: number,
    m0: number,
    m1: number,
    m2: number,
    m3: number,
    m4: number,
    m5: number,
    cval: number,
  ): void;
  clipF64(ptr: number, n: number, lo: number, hi: number): void;
  minMaxF64(ptr: number, n: number, out: number): number;
}

const WHERE = 'warpAffine';

function checkShape(shape: unknown, field: string, length?: number): [number, number] {
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new StagebookError('E_INVALID_SHAPE', `${WHERE}: ${field} must be [rows, cols] of positive integers`, {
      where: WHERE,
      field,
    });
  }
  if (length !== undefined && shape[0] * shape[1] !== length) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${WHERE}: ${field} [${shape.join(', ')}] does not match ${length} values`,
      { where: WHERE, field },
    );
  }
  return shape as [number, number];
}

/**
 * Bicubic affine resampling with scikit-image 0.19 semantics (see the module comment).
 * @returns Float64Array of outputShape (row-major).
 * @throws StagebookError E_INVALID_SHAPE, E_INVALID_ARGUMENT.
 */
export function warpAffine(image: WarpImage, options: WarpAffineOptions): Float64Array {
  const [rows, cols] = checkShape(image?.shape, 'image.shape', image?.data?.length);
  if (!options || !Array.isArray(options.inverse) || options.inverse.length !== 6) {
    throw new StagebookError('E_INVALID_ARGUMENT', `${WHERE}: options.inverse must be 6 numbers [m0..m5]`, {
      where: WHERE,
      field: 'inverse',
    });
  }
  const m = options.inverse.map((v, i) => requireNumber(WHERE, `inverse[${i}]`, v));
  const [outRows, outCols] = options.outputShape ? checkShape(options.outputShape, 'outputShape') : [rows, cols];
  const cval = requireNumber(WHERE, 'cval', options.cval ?? 0);
  const core = loadCore('image');
  const k = core.exports as unknown as ImageExports;
  return core.withArena((arena) => {
    // Any numeric array converts straight into WASM memory (one pass; no float64 copy on the JS side).
    const src = image.data instanceof Float64Array ? arena.copyIn(image.data) : arena.f64(rows * cols);
    if (!(image.data instanceof Float64Array)) (src.view() as Float64Array).set(image.data);
    const dst = arena.f64(outRows * outCols);
    const mm = arena.f64(2);
    k.warpAffineBicubic(src.ptr, rows, cols, dst.ptr, outCols, 0, outRows, m[0], m[1], m[2], m[3], m[4], m[5], cval);
    if (options.clip !== false) {
      k.minMaxF64(src.ptr, rows * cols, mm.ptr);
      let [lo, hi] = mm.view();
      // skimage: cval widens the range when it is outside the input range but inside the output's
      // (the output's range is only needed in that case: one pass fewer for the usual cval = image minimum).
      if (!(lo <= cval && cval <= hi)) {
        k.minMaxF64(dst.ptr, outRows * outCols, mm.ptr);
        const [olo, ohi] = mm.view();
        if (olo <= cval && cval <= ohi) {
          lo = Math.min(lo, cval);
          hi = Math.max(hi, cval);
        }
      }
      k.clipF64(dst.ptr, outRows * outCols, lo, hi);
    }
    return dst.copyOut();
  });
}
