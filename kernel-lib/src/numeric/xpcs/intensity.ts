/**
 * The intensity products XPCS-Eigen `corr` writes beside g2 (seed notes, legacy /exchange layout):
 * pixelSum (per-pixel mean over frames, [H, W]), frameSum (mean intensity per pixel for each frame),
 * partition-mean-total (per static bin mean over all frames) and partition-mean-partial (the same
 * per window of `staticMeanWindowSize` frames, [n_windows, n_sbin]). One pass over the stack.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { checkFrames, type Frames } from '../frames';

export interface XpcsIntensityStats {
  /** Per-pixel mean over all frames, H*W (row-major). */
  pixelSum: Float64Array;
  /** Mean over all pixels for each frame, length T. */
  frameSum: Float64Array;
  /** Static bins present (ascending, > 0). */
  staticBins: Int32Array;
  /** Mean intensity per static bin over all frames, one per staticBins entry. */
  partitionMeanTotal: Float64Array;
  /** Mean per static bin per window of frames, [nWindows][nBins] flattened row-major. */
  partitionMeanPartial: Float64Array;
  nWindows: number;
}

/** Computes the intensity products; `sqmap` is H*W static bins (0 = excluded). */
export function xpcsIntensityStats(
  frames: Frames,
  sqmap: ArrayLike<number>,
  options: { staticMeanWindowSize?: number } = {},
): XpcsIntensityStats {
  const where = 'xpcsIntensityStats';
  checkFrames(where, frames);
  const [T, H, W] = frames.shape;
  const P = H * W;
  if (sqmap.length !== P)
    throw new StagebookError('E_INVALID_SHAPE', `${where}: sqmap has ${sqmap.length} values, frames need H*W = ${P}`, {
      where,
      field: 'sqmap',
    });
  const win = options.staticMeanWindowSize ?? 10;
  if (!Number.isInteger(win) || win < 1)
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: staticMeanWindowSize must be a positive integer, got ${win}`,
      { where, field: 'staticMeanWindowSize' },
    );
  const bins = Int32Array.from(new Set(Array.from(sqmap).filter((v) => v > 0))).sort();
  const binIndex = new Int32Array(P).fill(-1);
  const binCount = new Float64Array(bins.length);
  for (let p = 0; p < P; p++) {
    if (sqmap[p] > 0) {
      binIndex[p] = bins.indexOf(sqmap[p]);
      binCount[binIndex[p]]++;
    }
  }
  const nWindows = Math.max(1, Math.floor(T / win));
  const pixelSum = new Float64Array(P);
  const frameSum = new Float64Array(T);
  const partial = new Float64Array(nWindows * bins.length);
  const d = frames.data;
  for (let t = 0; t < T; t++) {
    const w = Math.min(Math.floor(t / win), nWindows - 1);
    let s = 0;
    for (let p = 0, o = t * P; p < P; p++, o++) {
      const v = d[o];
      s += v;
      pixelSum[p] += v;
      const b = binIndex[p];
      if (b >= 0) partial[w * bins.length + b] += v;
    }
    frameSum[t] = s / P;
  }
  for (let p = 0; p < P; p++) pixelSum[p] /= T;
  const total = new Float64Array(bins.length);
  for (let w = 0; w < nWindows; w++) {
    const framesIn = w === nWindows - 1 ? T - w * win : win;
    for (let b = 0; b < bins.length; b++) {
      total[b] += partial[w * bins.length + b];
      partial[w * bins.length + b] /= framesIn * binCount[b];
    }
  }
  for (let b = 0; b < bins.length; b++) total[b] /= T * binCount[b];
  return { pixelSum, frameSum, staticBins: bins, partitionMeanTotal: total, partitionMeanPartial: partial, nWindows };
}
