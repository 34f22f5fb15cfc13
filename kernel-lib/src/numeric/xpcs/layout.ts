/**
 * Input validation and pixel layout shared by the XPCS correlators.
 *
 * skbeam (`_validate_and_transform_inputs`, `extract_label_indices`) keeps the nonzero-label
 * pixels in raster order and maps the distinct labels, sorted (np.unique), to 1..R; every ROI
 * sum is a numpy.bincount, i.e. a float64 chain over that ROI's pixels in raster order. Grouping
 * pixels by ROI while keeping raster order inside each ROI preserves those chains exactly.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { checkFrames, type Frames } from '../frames';

/** Frame element kind passed to wasm-core (0 uint16, 1 uint32, 2 float32, 3 float64). */
export type FrameKind = 0 | 1 | 2 | 3;

export function frameKind(frames: Frames): FrameKind {
  const d = frames.data;
  if (d instanceof Uint16Array) return 0;
  if (d instanceof Uint32Array) return 1;
  if (d instanceof Float32Array) return 2;
  return 3;
}

/** Checks the stack: shape, element type, at least one frame and one pixel. */
export function checkStack(where: string, frames: Frames): void {
  checkFrames(where, frames);
  const [T, H, W] = frames.shape;
  if (T === 0 || H * W === 0) {
    throw new StagebookError(
      'E_EMPTY_INPUT',
      `${where}: frames is empty (shape [${T}, ${H}, ${W}]); need at least one frame of at least one pixel`,
      { where, field: 'frames' },
    );
  }
}

/** Integer option check with a clear message (name = the option's name). */
export function requireInt(where: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: ${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`,
      { where, field: name },
    );
  }
  return v;
}

/** skbeam requires an even number of buffers (ValueError "There must be an even number of `num_bufs`"). */
export function checkMultiTauOpts(
  where: string,
  opts: { numLevels?: unknown; numBufs?: unknown } | undefined,
): { numLevels: number; numBufs: number } {
  if (!opts || typeof opts !== 'object') {
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: options {numLevels, numBufs} are required`, {
      where,
      field: 'opts',
    });
  }
  const numLevels = requireInt(where, 'numLevels', opts.numLevels, 1);
  const numBufs = requireInt(where, 'numBufs', opts.numBufs, 2);
  if (numBufs % 2 !== 0) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: numBufs must be even (skbeam: "There must be an even number of num_bufs"), got ${numBufs}`,
      { where, field: 'numBufs' },
    );
  }
  return { numLevels, numBufs };
}

/** Reads an H*W integer map (labels / dqmap / sqmap) into an Int32Array-like number array. */
export function readLabelMap(where: string, field: string, labels: ArrayLike<number>, pixels: number): Float64Array {
  if (!labels || typeof labels.length !== 'number') {
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: ${field} must be an array of H*W integers`, {
      where,
      field,
    });
  }
  if (labels.length !== pixels) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: ${field} has ${labels.length} values but the frames have H*W = ${pixels} pixels`,
      { where, field },
    );
  }
  const out = new Float64Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const v = labels[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `${where}: ${field}[${i}] must be an integer label, got ${JSON.stringify(v)}`,
        { where, field, index: i },
      );
    }
    out[i] = v;
  }
  return out;
}

/** ROI-grouped pixel layout (raster order inside each ROI, each ROI padded to a multiple of 8). */
export interface RoiLayout {
  /** Distinct nonzero labels, ascending (skbeam's column order). */
  roiLabels: number[];
  /** Pixels per ROI (skbeam num_pixels). */
  numPixels: number[];
  /** Raster index per padded slot, -1 = padding. */
  pix: Int32Array;
  /** Padded start of each ROI, length R+1. */
  roiStart: Int32Array;
}

export function roiLayout(where: string, labelMap: Float64Array): RoiLayout {
  const byLabel = new Map<number, number[]>();
  for (let p = 0; p < labelMap.length; p++) {
    const l = labelMap[p];
    if (l === 0) continue;
    let list = byLabel.get(l);
    if (!list) byLabel.set(l, (list = []));
    list.push(p);
  }
  if (byLabel.size === 0) {
    throw new StagebookError(
      'E_EMPTY_INPUT',
      `${where}: labels has no nonzero pixel, so there is no ROI to correlate`,
      { where, field: 'labels' },
    );
  }
  const roiLabels = [...byLabel.keys()].sort((a, b) => a - b);
  const numPixels = roiLabels.map((l) => byLabel.get(l)!.length);
  const roiStart = new Int32Array(roiLabels.length + 1);
  for (let r = 0; r < roiLabels.length; r++) roiStart[r + 1] = roiStart[r] + Math.ceil(numPixels[r] / 8) * 8;
  const pix = new Int32Array(roiStart[roiLabels.length]).fill(-1);
  roiLabels.forEach((l, r) => pix.set(byLabel.get(l)!, roiStart[r]));
  return { roiLabels, numPixels, pix, roiStart };
}

/**
 * skbeam.core.utils.multi_tau_lags: [0..nb-1] then, for level i = 2..numLevels,
 * (nb/2 + j) * 2^(i-1) for j < nb/2.
 */
export function multiTauLags(numLevels: number, numBufs: number): number[] {
  const lags = Array.from({ length: numBufs }, (_, i) => i);
  for (let i = 2; i <= numLevels; i++)
    for (let j = 0; j < numBufs / 2; j++) lags.push((numBufs / 2 + j) * 2 ** (i - 1));
  return lags;
}
