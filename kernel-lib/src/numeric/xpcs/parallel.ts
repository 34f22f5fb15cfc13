/**
 * Parallel variants of the XPCS correlators. Results are bit-identical to the serial functions:
 *  - skbeam one-time / two-time: the run is split by ROI groups or by time windows, whichever
 *    is estimated faster (split-plan.ts); every per-event ROI sum is computed by exactly one
 *    thread with the serial run's arithmetic, and the shares are joined and finalised on the
 *    calling thread. The calling thread is one of the `threads` (it computes one share while the
 *    workers compute the others).
 *  - XPCS-Eigen: per-pixel sums are independent; pixels are split in contiguous shares and the
 *    normalisation (static/dynamic bin means, Welford) runs once on the calling thread.
 * The stack reaches the workers through one reused SharedArrayBuffer (one streamed copy on the
 * calling thread; none if the caller's stack already lives in shared memory).
 */
import { join } from 'node:path';
import type { FrameData, Frames } from '../frames';
import { defaultParallelPolicy, runInWorkers, shareTypedArray, type ParallelPolicy } from '../parallel/pool';
import { joinRoiGroups, joinWindows, runEngine, type EngineLayout, type EngineSums } from './engine';
import { eigenResult, prepareEigen, rejectNaN, type PixelSums, type XpcsMultiTauOptions, type XpcsMultiTauResult, xpcsMultiTau } from './eigen';
import { frameKind, requireInt, type RoiLayout } from './layout';
import { multiTauAutoCorr, oneTimeFromSums, prepareMultiTau, type MultiTauOptions, type MultiTauResult } from './multi-tau';
import { prepareTwoTime, twoTimeCorr, twoTimeFromSums, type TwoTimeOptions, type TwoTimeResult } from './two-time';
import { planSplit } from './split-plan';
import type { PlannedWindow } from './windows';
import type { EigenTask, EngineTask } from './xpcs-task';

const TASK = join(__dirname, 'xpcs-task.ts');

/** The layout of ROIs [r0, r1) (a ROI group's own pixels and padded starts). */
function roiGroup(layout: RoiLayout, r0: number, r1: number): EngineLayout {
  const base = layout.roiStart[r0];
  return {
    pix: layout.pix.slice(base, layout.roiStart[r1]),
    roiStart: Int32Array.from(layout.roiStart.subarray(r0, r1 + 1), (v) => v - base),
    numPixels: layout.numPixels.slice(r0, r1),
  };
}

/** One thread's share of a split run: its ROIs and (time split) its window. */
interface Share {
  layout: EngineLayout;
  window?: PlannedWindow;
}

/**
 * Runs a split engine run (see split-plan.ts): the calling thread computes one share straight
 * from the caller's stack; the workers get the frames they read through shared memory, streamed
 * (they start on the first frames while the calling thread is still copying the rest). Returns
 * undefined when the run does not split: run it serially.
 */
async function engineInWorkers(where: string, frames: Frames, layout: RoiLayout, numLevels: number, numBufs: number, threads: number): Promise<EngineSums | undefined> {
  const [T, H, W] = frames.shape;
  const P = H * W;
  const kind = frameKind(frames);
  const padded = Array.from(layout.numPixels, (_, r) => layout.roiStart[r + 1] - layout.roiStart[r]);
  const plan = planSplit(padded, T, P, numLevels, numBufs, threads);
  if (!plan) return undefined;
  const whole = { pix: layout.pix, roiStart: layout.roiStart, numPixels: layout.numPixels };
  const shares: Share[] = plan.by === 'rois' ? plan.groups.map(([r0, r1]) => ({ layout: roiGroup(layout, r0, r1) })) : plan.windows.map((window) => ({ layout: whole, window }));
  const range = (sh: Share) => (sh.window ? [sh.window.t0, sh.window.f1] : [0, T]);
  const remote = shares.filter((_, i) => i !== plan.local);
  const first = Math.min(...remote.map((sh) => range(sh)[0]));
  const last = Math.max(...remote.map((sh) => range(sh)[1]));
  const shared = shareTypedArray(frames.data.subarray(first * P, last * P), true);
  try {
    const payloads: EngineTask[] = remote.map((sh) => ({
      where, data: shared.view, dataFirstFrame: first, stream: shared.stream, kind, P, T, ...sh.layout, numLevels, numBufs, window: sh.window,
    }));
    const pending = runInWorkers<EngineTask, EngineSums>(TASK, 'xpcsEngineTask', payloads, { threads: threads - 1 });
    pending.catch(() => undefined); // observed below; avoids an unhandled rejection if ours throws first
    const own = shares[plan.local];
    const [t0, t1] = range(own);
    // The shared copy is written chunk by chunk just before this thread reads the same frames
    // (then in cache) for its own share; whatever it does not read is written afterwards.
    const offset = (t0 - first) * P;
    const ready = (end: number) => { if (offset + end > 0) shared.fillTo(offset + end); };
    const mine = runEngine(where, { data: frames.data.subarray(t0 * P, t1 * P), kind, P, ready }, t1 - t0, own.layout, numLevels, numBufs, own.window);
    shared.fill();
    const parts = await pending;
    parts.splice(plan.local, 0, mine);
    return plan.by === 'rois' ? joinRoiGroups(parts) : joinWindows(parts, T);
  } finally {
    shared.release();
  }
}

function threadsOf(where: string, policy: ParallelPolicy): number {
  return requireInt(where, 'policy.threads', policy?.threads, 1);
}

/**
 * {@link multiTauAutoCorr} with the frames (events) split over `policy.threads` worker threads (default
 * min(2, cores)); the result is bit-identical to the serial one. `threads: 1` runs serially.
 */
export async function multiTauAutoCorrParallel(frames: Frames, labels: ArrayLike<number>, opts: MultiTauOptions, policy: ParallelPolicy = defaultParallelPolicy): Promise<MultiTauResult> {
  const where = 'multiTauAutoCorrParallel';
  const threads = threadsOf(where, policy);
  const { layout, numLevels, numBufs } = prepareMultiTau(where, frames, labels, opts);
  if (threads === 1) return multiTauAutoCorr(frames, labels, opts);
  rejectNaN(where, frames);
  const sums = await engineInWorkers(where, frames, layout, numLevels, numBufs, threads);
  return sums ? oneTimeFromSums(sums, layout) : multiTauAutoCorr(frames, labels, opts);
}

/** {@link twoTimeCorr} with the events split over worker threads; bit-identical to the serial result. */
export async function twoTimeCorrParallel(frames: Frames, labels: ArrayLike<number>, opts: TwoTimeOptions, policy: ParallelPolicy = defaultParallelPolicy): Promise<TwoTimeResult> {
  const where = 'twoTimeCorrParallel';
  const threads = threadsOf(where, policy);
  const { layout, numLevels, numBufs, numFrames } = prepareTwoTime(where, frames, labels, opts);
  if (threads === 1) return twoTimeCorr(frames, labels, opts);
  rejectNaN(where, frames);
  const sums = await engineInWorkers(where, frames, layout, numLevels, numBufs, threads);
  return sums ? twoTimeFromSums(sums, layout, numFrames) : twoTimeCorr(frames, labels, opts);
}

/** {@link xpcsMultiTau} with the valid pixels split over worker threads; bit-identical result. */
export async function xpcsMultiTauParallel(frames: Frames, dqmap: ArrayLike<number>, sqmap: ArrayLike<number>, opts: XpcsMultiTauOptions, policy: ParallelPolicy = defaultParallelPolicy): Promise<XpcsMultiTauResult> {
  const where = 'xpcsMultiTauParallel';
  const threads = threadsOf(where, policy);
  const prep = prepareEigen(where, frames, dqmap, sqmap, opts);
  if (threads === 1 || prep.pix.length < 2 * threads) return xpcsMultiTau(frames, dqmap, sqmap, opts);
  rejectNaN(where, frames);
  const shared = shareTypedArray(frames.data);
  const data: FrameData = shared.view;
  const n = prep.pix.length;
  const payloads: EigenTask[] = Array.from({ length: threads }, (_, w) => ({
    data, kind: prep.kind, T: prep.T, P: prep.P, delays: prep.delays,
    pix: prep.pix.slice(Math.floor((w * n) / threads), Math.floor(((w + 1) * n) / threads)),
  }));
  const parts = await runInWorkers<EigenTask, PixelSums>(TASK, 'xpcsEigenTask', payloads, { threads }).finally(() => shared.release());
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
