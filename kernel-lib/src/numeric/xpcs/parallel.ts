/**
 * Parallel variants of the XPCS correlators. Results are bit-identical to the serial functions:
 *  - skbeam one-time / two-time: the ROIs are split into contiguous groups (balanced by pixel
 *    count) and each worker computes whole ROIs, so every ROI sum is the same raster-order chain
 *    as in the serial run; the per-ROI columns are merged and finalised on the calling thread.
 *  - XPCS-Eigen: per-pixel sums are independent; pixels are split in contiguous shares and the
 *    normalisation (static/dynamic bin means, Welford) runs once on the calling thread.
 * The stack is shared with the workers through one SharedArrayBuffer (no per-worker copy).
 */
import { join } from 'node:path';
import type { FrameData, Frames } from '../frames';
import { defaultParallelPolicy, runInWorkers, type ParallelPolicy } from '../parallel/pool';
import { mergeSums, type EngineSums } from './engine';
import { eigenResult, prepareEigen, rejectNaN, type PixelSums, type XpcsMultiTauOptions, type XpcsMultiTauResult, xpcsMultiTau } from './eigen';
import { frameKind, requireInt, subLayout, type RoiLayout } from './layout';
import { multiTauAutoCorr, oneTimeFromSums, prepareMultiTau, type MultiTauOptions, type MultiTauResult } from './multi-tau';
import { prepareTwoTime, twoTimeCorr, twoTimeFromSums, type TwoTimeOptions, type TwoTimeResult } from './two-time';
import type { EigenTask, EngineTask } from './xpcs-task';

const TASK = join(__dirname, 'xpcs-task.ts');

/** A view of the stack on shared memory (copied once unless it already is shared). */
function sharedStack(data: FrameData): FrameData {
  if (data.buffer instanceof SharedArrayBuffer) return data;
  const Ctor = data.constructor as new (b: SharedArrayBuffer) => FrameData;
  const out = new Ctor(new SharedArrayBuffer(data.byteLength));
  out.set(data);
  return out;
}

/** Contiguous ROI ranges with about equal pixel counts (at most `threads`, none empty). */
export function splitRois(numPixels: number[], threads: number): Array<[number, number]> {
  const total = numPixels.reduce((a, b) => a + b, 0);
  const groups: Array<[number, number]> = [];
  let start = 0;
  let acc = 0;
  for (let r = 0; r < numPixels.length; r++) {
    acc += numPixels[r];
    const remainingGroups = threads - groups.length - 1;
    if (remainingGroups > 0 && acc >= (total * (groups.length + 1)) / threads && numPixels.length - r - 1 >= remainingGroups) {
      groups.push([start, r + 1]);
      start = r + 1;
    }
  }
  if (start < numPixels.length) groups.push([start, numPixels.length]);
  return groups;
}

async function engineInWorkers(where: string, frames: Frames, layout: RoiLayout, numLevels: number, numBufs: number, threads: number): Promise<EngineSums> {
  const data = sharedStack(frames.data);
  const [T, H, W] = frames.shape;
  const payloads: EngineTask[] = splitRois(layout.numPixels, threads).map(([r0, r1]) => {
    const sub = subLayout(layout, r0, r1);
    return { where, data, kind: frameKind(frames), T, P: H * W, pix: sub.pix, roiStart: sub.roiStart, numPixels: sub.numPixels, numLevels, numBufs };
  });
  const parts = await runInWorkers<EngineTask, EngineSums>(TASK, 'xpcsEngineTask', payloads, { threads });
  return mergeSums(parts);
}

function threadsOf(where: string, policy: ParallelPolicy): number {
  return requireInt(where, 'policy.threads', policy?.threads, 1);
}

/**
 * {@link multiTauAutoCorr} with the ROIs split over `policy.threads` worker threads (default
 * min(2, cores)); the result is bit-identical to the serial one. `threads: 1` runs serially.
 */
export async function multiTauAutoCorrParallel(frames: Frames, labels: ArrayLike<number>, opts: MultiTauOptions, policy: ParallelPolicy = defaultParallelPolicy): Promise<MultiTauResult> {
  const where = 'multiTauAutoCorrParallel';
  const threads = threadsOf(where, policy);
  const { layout, numLevels, numBufs } = prepareMultiTau(where, frames, labels, opts);
  if (threads === 1 || layout.numPixels.length === 1) return multiTauAutoCorr(frames, labels, opts);
  rejectNaN(where, frames);
  return oneTimeFromSums(await engineInWorkers(where, frames, layout, numLevels, numBufs, threads), layout);
}

/** {@link twoTimeCorr} with the ROIs split over worker threads; bit-identical to the serial result. */
export async function twoTimeCorrParallel(frames: Frames, labels: ArrayLike<number>, opts: TwoTimeOptions, policy: ParallelPolicy = defaultParallelPolicy): Promise<TwoTimeResult> {
  const where = 'twoTimeCorrParallel';
  const threads = threadsOf(where, policy);
  const { layout, numLevels, numBufs, numFrames } = prepareTwoTime(where, frames, labels, opts);
  if (threads === 1 || layout.numPixels.length === 1) return twoTimeCorr(frames, labels, opts);
  rejectNaN(where, frames);
  return twoTimeFromSums(await engineInWorkers(where, frames, layout, numLevels, numBufs, threads), layout, numFrames);
}

/** {@link xpcsMultiTau} with the valid pixels split over worker threads; bit-identical result. */
export async function xpcsMultiTauParallel(frames: Frames, dqmap: ArrayLike<number>, sqmap: ArrayLike<number>, opts: XpcsMultiTauOptions, policy: ParallelPolicy = defaultParallelPolicy): Promise<XpcsMultiTauResult> {
  const where = 'xpcsMultiTauParallel';
  const threads = threadsOf(where, policy);
  const prep = prepareEigen(where, frames, dqmap, sqmap, opts);
  if (threads === 1 || prep.pix.length < 2 * threads) return xpcsMultiTau(frames, dqmap, sqmap, opts);
  rejectNaN(where, frames);
  const data = sharedStack(frames.data);
  const n = prep.pix.length;
  const payloads: EigenTask[] = Array.from({ length: threads }, (_, w) => ({
    data, kind: prep.kind, T: prep.T, P: prep.P, delays: prep.delays,
    pix: prep.pix.slice(Math.floor((w * n) / threads), Math.floor(((w + 1) * n) / threads)),
  }));
  const parts = await runInWorkers<EigenTask, PixelSums>(TASK, 'xpcsEigenTask', payloads, { threads });
  const nd = prep.delays.length;
  const join3 = (key: keyof PixelSums) => {
    const out = new Float64Array(nd * n);
    for (let d = 0; d < nd; d++) {
      let off = 0;
      parts.forEach((p, w) => {
        const m = payloads[w].pix.length;
        out.set(p[key].subarray(d * m, (d + 1) * m), d * n + off);
        off += m;
      });
    }
    return out;
  };
  return eigenResult(prep, { G2: join3('G2'), IP: join3('IP'), IF: join3('IF') });
}
