/**
 * skbeam.core.correlation.two_time_corr and one_time_from_two_time. The ROI sums come from the
 * same engine as the one-time correlator; the placement of each value (including the
 * 2^level-long diagonal segments written by higher levels) follows skbeam's _two_time_process.
 */
import { StagebookError } from '../../errors/stagebook-error';
import type { Frames } from '../frames';
import { runEngine, type EngineSums } from './engine';
import { frameKind, multiTauLags, requireInt, type RoiLayout } from './layout';
import { prepareMultiTau, type MultiTauOptions } from './multi-tau';

/** Options of {@link twoTimeCorr}: skbeam num_bufs, num_levels (default 1) and num_frames. */
export interface TwoTimeOptions extends Omit<MultiTauOptions, 'numLevels'> {
  numLevels?: number;
  /** Size of the output matrices (skbeam num_frames); default and minimum T. */
  numFrames?: number;
}

/** Result of {@link twoTimeCorr}. */
export interface TwoTimeResult {
  /** One flat numFrames x numFrames row-major symmetric matrix per ROI (never computed = 0). */
  g2: Float64Array[];
  numFrames: number;
  lagSteps: number[];
  roiLabels: number[];
  numPixels: number[];
}

/** Writes every computed value like skbeam (lower triangle), then symmetrises literally. */
export function twoTimeFromSums(
  s: EngineSums,
  layout: Pick<RoiLayout, 'roiLabels' | 'numPixels'>,
  numFrames: number,
): TwoTimeResult {
  const { nb, R, numLevels } = s;
  const nf = numFrames;
  if (numLevels === 1) {
    const g2 = layout.numPixels.map((n, r) => levelZeroTwoTime(s, r, n, nf));
    return {
      g2,
      numFrames: nf,
      lagSteps: multiTauLags(numLevels, nb),
      roiLabels: layout.roiLabels,
      numPixels: layout.numPixels,
    };
  }
  const lagSteps = multiTauLags(numLevels, nb);
  const raw = Array.from({ length: R }, () => new Float64Array(nf * nf));
  const N = layout.numPixels;
  for (let L = 0; L < numLevels; L++) {
    const iLo = L === 0 ? 0 : nb / 2;
    const eb = s.eventBase[L];
    const half = 2 ** L;
    for (let k = 0; k < s.events[L]; k++) {
      // current_img_time: k+1 at level 0; the mean of the two level L-1 times otherwise.
      const time = L === 0 ? k + 1 : k * half + (half + 1) / 2;
      for (let i = iLo; i < Math.min(k + 1, nb); i++) {
        const lag = lagSteps[(L * nb) / 2 + i];
        const tind1 = time - 1;
        const tind2 = time - lag - 1;
        for (let r = 0; r < R; r++) {
          const fi = s.sums[(eb + k) * R + r];
          const pi = s.sums[(eb + k - i) * R + r];
          const v = (s.prod[((eb + k) * nb + i) * R + r] / (pi * fi)) * N[r];
          if (L === 0) raw[r][tind1 * nf + tind2] = v;
          else
            for (let sh = -half / 2 + 1; sh <= half / 2; sh++)
              raw[r][Math.trunc(tind1 + sh) * nf + Math.trunc(tind2 + sh)] = v;
        }
      }
    }
  }
  // two_time_state_to_results: tril(x) + tril(x).T - diag(diag(x)), element by element: below the
  // diagonal x + 0 - 0, above it 0 + x' - 0 (the same value), on it x + x - x. Only the lower
  // triangle of x is read, so the result can overwrite x in place.
  for (const x of raw) {
    for (let a = 0; a < nf; a++) {
      const row = a * nf;
      for (let b = 0; b < a; b++) {
        const v = x[row + b] + 0 - 0;
        x[row + b] = v;
        x[b * nf + a] = v;
      }
      const d = x[row + a];
      x[row + a] = d + d - d;
    }
  }
  const g2 = raw;
  return { g2, numFrames: nf, lagSteps, roiLabels: layout.roiLabels, numPixels: layout.numPixels };
}

/**
 * One level: each (k, k-i) is written once, so the symmetrised matrix is written directly with
 * the same arithmetic as below: v + 0 - 0 off the diagonal (both halves), v + v - v on it.
 */
function levelZeroTwoTime(s: EngineSums, r: number, numPixels: number, nf: number): Float64Array {
  const { nb, R, prod, sums } = s;
  const out = new Float64Array(nf * nf);
  for (let k = 0; k < s.events[0]; k++) {
    const fi = sums[k * R + r];
    const lags = Math.min(k + 1, nb);
    const v0 = (prod[k * nb * R + r] / (sums[k * R + r] * fi)) * numPixels;
    out[k * nf + k] = v0 + v0 - v0;
    for (let i = 1; i < lags; i++) {
      const pi = sums[(k - i) * R + r];
      const v = (prod[(k * nb + i) * R + r] / (pi * fi)) * numPixels + 0 - 0;
      out[k * nf + k - i] = v;
      out[(k - i) * nf + k] = v;
    }
  }
  return out;
}

export function prepareTwoTime(where: string, frames: Frames, labels: ArrayLike<number>, opts: TwoTimeOptions) {
  const numLevels = opts?.numLevels ?? 1;
  const base = prepareMultiTau(where, frames, labels, { numBufs: opts?.numBufs, numLevels } as MultiTauOptions);
  const T = frames.shape[0];
  const numFrames = opts.numFrames === undefined ? T : requireInt(where, 'numFrames', opts.numFrames, 1);
  if (numFrames < T) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: numFrames (${numFrames}) is smaller than the number of frames (${T}); skbeam would index past its g2 matrix`,
      { where, field: 'numFrames' },
    );
  }
  return { ...base, numFrames };
}

/**
 * Two-time correlation per ROI, equal to
 * `skbeam.core.correlation.two_time_corr(labels, frames, numFrames, numBufs, numLevels)`:
 * C(t1, t2) = sum(I1 I2) / (sum(I1) sum(I2)) * num_pixels for |t1 - t2| within the multi-tau lags.
 *
 * @param opts `{numBufs even >= 2, numLevels = 1, numFrames = T}`
 * @throws StagebookError E_INVALID_SHAPE / E_INVALID_ARGUMENT / E_EMPTY_INPUT / E_NON_FINITE
 */
export function twoTimeCorr(frames: Frames, labels: ArrayLike<number>, opts: TwoTimeOptions): TwoTimeResult {
  const where = 'twoTimeCorr';
  const { layout, numLevels, numBufs, numFrames } = prepareTwoTime(where, frames, labels, opts);
  const [T, H, W] = frames.shape;
  const sums = runEngine(
    where,
    { data: frames.data, kind: frameKind(frames), P: H * W },
    T,
    layout,
    numLevels,
    numBufs,
  );
  return twoTimeFromSums(sums, layout, numFrames);
}

/** numpy's pairwise summation (add.reduce on a contiguous float64 array), started from 0. */
function pairwiseSum(a: Float64Array, lo: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[lo + i];
    return res;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => a[lo + j]);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[lo + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[lo + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, lo, n2) + pairwiseSum(a, lo + n2, n - n2);
}

/**
 * skbeam.core.correlation.one_time_from_two_time: for each ROI and lag j, numpy.nanmean of the
 * j-th diagonal of the two-time matrix. Returns [roi][lag] (numFrames lags).
 */
export function oneTimeFromTwoTime(twoTime: Pick<TwoTimeResult, 'g2' | 'numFrames'>): Float64Array[] {
  const where = 'oneTimeFromTwoTime';
  const nf = requireInt(where, 'twoTime.numFrames', twoTime?.numFrames, 1);
  if (!Array.isArray(twoTime.g2) || twoTime.g2.some((m) => !m || m.length !== nf * nf)) {
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: twoTime.g2 must hold one numFrames*numFrames (${nf * nf}) matrix per ROI`,
      { where, field: 'twoTime.g2' },
    );
  }
  return twoTime.g2.map((g) => {
    const out = new Float64Array(nf);
    const diag = new Float64Array(nf);
    for (let j = 0; j < nf; j++) {
      const n = nf - j;
      let count = 0;
      for (let m = 0; m < n; m++) {
        const v = g[m * nf + m + j];
        if (Number.isNaN(v)) diag[m] = 0;
        else {
          diag[m] = v;
          count++;
        }
      }
      out[j] = pairwiseSum(diag, 0, n) / count;
    }
    return out;
  });
}
