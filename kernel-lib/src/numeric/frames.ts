/**
 * A stack of detector frames, row-major [T, H, W] (frame, row, column) in one typed array, as the
 * IMM reader produces it and the XPCS kernels consume it. Large stacks are never copied more than
 * once on their way into WASM memory.
 */
import { StagebookError } from '../errors/stagebook-error';

export type FrameData = Uint16Array | Uint32Array | Float32Array | Float64Array;

export interface Frames {
  /** Pixel values, length T*H*W, frame-major then row-major. */
  data: FrameData;
  /** [T, H, W]: number of frames, rows, columns. */
  shape: [number, number, number];
}

/** Checks shape and length; throws E_INVALID_SHAPE naming the function. */
export function checkFrames(where: string, frames: Frames, field = 'frames'): void {
  const s = frames?.shape;
  if (!frames || !Array.isArray(s) || s.length !== 3 || !s.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: ${field}.shape must be [T, H, W] of non-negative integers, got ${JSON.stringify(s)}`,
      { where, field },
    );
  }
  const ok =
    frames.data instanceof Uint16Array ||
    frames.data instanceof Uint32Array ||
    frames.data instanceof Float32Array ||
    frames.data instanceof Float64Array;
  if (!ok) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: ${field}.data must be a Uint16Array, Uint32Array, Float32Array or Float64Array`,
      { where, field },
    );
  }
  if (frames.data.length !== s[0] * s[1] * s[2]) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: ${field}.data has ${frames.data.length} values but shape [${s}] needs ${s[0] * s[1] * s[2]}`,
      { where, field },
    );
  }
}
