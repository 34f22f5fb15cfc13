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
import type { Frames } from '../frames';
import { defaultParallelPolicy, runInWorkers, shareTypedArray, type ParallelPolicy } from '../parallel/pool';
import { joinRoiGroups, joinWindows, runEngine, type EngineLayout, type EngineSums } from './engine';
import {
  eigenPixelSums,
  eigenResult,
  prepareEigen,
  rejectNaN,
  type PixelSums,
  type XpcsMultiTauOptions,
  type XpcsMultiTauResult,
  xpcsMultiTau,
} from './eigen';
import { frameKind, multiTauLags, requireInt, type RoiLayout } from './layout';
import {
  multiTauAutoCorr,
  oneTimeFromSums,
  prepareMultiTau,
  type MultiTauOptions,
  type MultiTauResult,
} from './multi-tau';
import { prepareTwoTime, twoTimeCorr, twoTimeFromSums, type TwoTimeOptions, type TwoTimeResult } from './two-time';
import { planSplit, twoTimeFinishCost } from './split-plan';
import type { PlannedWindow } from './windows';
import type { EigenTask, EngineTask, EngineTaskResult } from './xpcs-task';

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
async function engineInWorkers(
  where: string,
  frames: Frames,
  layout: RoiLayout,
  numLevels: number,
  numBufs: number,
  threads: number,
  twoTimeFrames?: number,
): Promise<EngineSums | { g2: Float64Array[] } | undefined> {
  const [T, H, W] = frames.shape;
  const P = H * W;
  const kind = frameKind(frames);
  const padded = Array.from(layout.numPixels, (_, r) => layout.roiStart[r + 1] - layout.roiStart[r]);
  const plan = planSplit(
    padded,
    T,
    P,
    numLevels,
    numBufs,
    threads,
    twoTimeFrames === undefined ? 0 : twoTimeFinishCost(twoTimeFrames),
  );
  if (!plan) return undefined;
  const whole = { pix: layout.pix, roiStart: layout.roiStart, numPixels: layout.numPixels };
  const shares: Share[] =
    plan.by === 'rois'
      ? plan.groups.map(([r0, r1]) => ({ layout: roiGroup(layout, r0, r1) }))
      : plan.windows.map((window) => ({ layout: whole, window }));
  const range = (sh: Share) => (sh.window ? [sh.window.t0, sh.window.f1] : [0, T]);
  const remote = shares.filter((_, i) => i !== plan.local);
  const first = Math.min(...remote.map((sh) => range(sh)[0]));
  const last = Math.max(...remote.map((sh) => range(sh)[1]));
  const shared = shareTypedArray(frames.data.subarray(first * P, last * P), true);
  try {
    // Two-time ROI groups are finished where they are computed (each matrix needs only its ROI).
    const finish = plan.by === 'rois' ? twoTimeFrames : undefined;
    const payloads: EngineTask[] = remote.map((sh) => ({
      where,
      data: shared.view,
      dataFirstFrame: first,
      stream: shared.stream,
      kind,
      P,
      T,
      ...sh.layout,
      numLevels,
      numBufs,
      window: sh.window,
      twoTimeFrames: finish,
    }));
    const pending = runInWorkers<EngineTask, EngineTaskResult>(TASK, 'xpcsEngineTask', payloads, {
      threads: threads - 1,
    });
    pending.catch(() => undefined); // observed below; avoids an unhandled rejection if ours throws first
    // Copy first (the workers start on the first chunks meanwhile), then compute our own share:
    // measured faster than writing each chunk as this thread reads it, which paces the workers.
    shared.fill();
    const own = shares[plan.local];
    const [t0, t1] = range(own);
    const sums = runEngine(
      where,
      { data: frames.data.subarray(t0 * P, t1 * P), kind, P },
      t1 - t0,
      own.layout,
      numLevels,
      numBufs,
      own.window,
    );
    const mine =
      finish === undefined
        ? sums
        : { g2: twoTimeFromSums(sums, { roiLabels: [], numPixels: own.layout.numPixels }, finish).g2 };
    const parts = await pending;
    parts.splice(plan.local, 0, mine);
    if (finish !== undefined) return { g2: parts.flatMap((p) => (p as { g2: Float64Array[] }).g2) };
    return plan.by === 'rois' ? joinRoiGroups(parts as EngineSums[]) : joinWindows(parts as EngineSums[], T);
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
export async function multiTauAutoCorrParallel(
  frames: Frames,
  labels: ArrayLike<number>,
  opts: MultiTauOptions,
  policy: ParallelPolicy = defaultParallelPolicy,
): Promise<MultiTauResult> {
  const where = 'multiTauAutoCorrParallel';
  const threads = threadsOf(where, policy);
  const { layout, numLevels, numBufs } = prepareMultiTau(where, frames, labels, opts);
  if (threads === 1) return multiTauAutoCorr(frames, labels, opts);
  rejectNaN(where, frames);
  const sums = await engineInWorkers(where, frames, layout, numLevels, numBufs, threads);
  return sums ? oneTimeFromSums(sums as EngineSums, layout) : multiTauAutoCorr(frames, labels, opts);
}

/** {@link twoTimeCorr} with the events split over worker threads; bit-identical to the serial result. */
export async function twoTimeCorrParallel(
  frames: Frames,
  labels: ArrayLike<number>,
  opts: TwoTimeOptions,
  policy: ParallelPolicy = defaultParallelPolicy,
): Promise<TwoTimeResult> {
  const where = 'twoTimeCorrParallel';
  const threads = threadsOf(where, policy);
  const { layout, numLevels, numBufs, numFrames } = prepareTwoTime(where, frames, labels, opts);
  if (threads === 1) return twoTimeCorr(frames, labels, opts);
  rejectNaN(where, frames);
  const out = await engineInWorkers(where, frames, layout, numLevels, numBufs, threads, numFrames);
  if (!out) return twoTimeCorr(frames, labels, opts);
  if ('g2' in out)
    return {
      g2: out.g2,
      numFrames,
      lagSteps: multiTauLags(numLevels, numBufs),
      roiLabels: layout.roiLabels,
      numPixels: layout.numPixels,
    };
  return twoTimeFromSums(out, layout, numFrames);
}

/** {@link xpcsMultiTau} with the valid pixels split over worker threads; bit-identical result. */
export async function xpcsMultiTauParallel(
  frames: Frames,
  dqmap: ArrayLike<number>,
  sqmap: ArrayLike<number>,
  opts: XpcsMultiTauOptions,
  policy: ParallelPolicy = defaultParallelPolicy,
): Promise<XpcsMultiTauResult> {
  const where = 'xpcsMultiTauParallel';
  const threads = threadsOf(where, policy);
  const prep = prepareEigen(where, frames, dqmap, sqmap, opts);
  if (threads === 1 || prep.pix.length < 2 * threads) return xpcsMultiTau(frames, dqmap, sqmap, opts);
  rejectNaN(where, frames);
  // Share 0 runs here on the caller's stack; the workers read theirs from one streamed shared copy.
  const n = prep.pix.length;
  const shares = Array.from({ length: threads }, (_, w) =>
    prep.pix.slice(Math.floor((w * n) / threads), Math.floor(((w + 1) * n) / threads)),
  );
  const shared = shareTypedArray(frames.data, true);
  let parts: PixelSums[];
  try {
    const payloads: EigenTask[] = shares.slice(1).map((pix) => ({
      data: shared.view,
      stream: shared.stream,
      kind: prep.kind,
      T: prep.T,
      P: prep.P,
      delays: prep.delays,
      pix,
    }));
    const pending = runInWorkers<EigenTask, PixelSums>(TASK, 'xpcsEigenTask', payloads, { threads: threads - 1 });
    pending.catch(() => undefined); // observed below
    shared.fill();
    const mine = eigenPixelSums(frames.data, prep.kind, prep.T, prep.P, shares[0], prep.delays);
    parts = [mine, ...(await pending)];
  } finally {
    shared.release();
  }
  const nd = prep.delays.length;
  const join3 = (key: keyof PixelSums) => {
    const out = new Float64Array(nd * n);
    for (let d = 0; d < nd; d++) {
      let off = 0;
      parts.forEach((p, w) => {
        const m = shares[w].length;
        out.set(p[key].subarray(d * m, (d + 1) * m), d * n + off);
        off += m;
      });
    }
    return out;
  };
  return eigenResult(prep, { G2: join3('G2'), IP: join3('IP'), IF: join3('IF') });
}
