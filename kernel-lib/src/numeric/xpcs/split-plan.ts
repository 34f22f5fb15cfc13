/**
 * Chooses how the parallel correlators share out a multi-tau run: by ROI (contiguous groups of
 * whole ROIs, every thread reads every frame but correlates only its pixels) or by time (see
 * windows.ts). Both keep every ROI sum identical to the serial run; the plan with the smaller
 * estimated makespan wins. Costs are in "pixel products" (one pixel of one frame-pair product,
 * ~0.05 ns on the bench machine); reading a frame costs READ per frame pixel (copy into WASM
 * memory and max scan) plus GATHER per ROI slot, and the calling thread also pays SHARE per frame
 * pixel it copies into shared memory for the workers (measured on the 1000x256x256 bench).
 */
import { levelEvents } from './engine';
import { planWindows, productCount, type PlannedWindow } from './windows';

export const READ = 3;
export const GATHER = 3.5;
export const SHARE = 2;

export type SplitPlan =
  | { by: 'rois'; groups: Array<[number, number]>; local: number; cost: number }
  | { by: 'time'; windows: PlannedWindow[]; local: number; cost: number };

/** Products (and ROI sums) per pixel of a whole T-frame run. */
function productsPerPixel(T: number, numLevels: number, nb: number): number {
  return levelEvents(T, numLevels).reduce((a, n, L) => a + productCount(0, n, nb, L === 0 ? 0 : nb / 2) + n, 0);
}

/**
 * Contiguous ROI groups (one per thread) minimising the largest cost; group `local` runs on the
 * calling thread, which also copies the stack for the others. Exhaustive for 2 threads, greedy
 * (bisection on the largest cost) beyond.
 */
function planRois(
  numPadded: number[],
  T: number,
  P: number,
  numLevels: number,
  nb: number,
  threads: number,
  finishPerRoi: number,
): SplitPlan | undefined {
  const R = numPadded.length;
  if (R < 2) return undefined;
  const perPixel = productsPerPixel(T, numLevels, nb);
  const prefix = [0];
  for (const n of numPadded) prefix.push(prefix[prefix.length - 1] + n);
  const groupCost = (r0: number, r1: number) => {
    const px = prefix[r1] - prefix[r0];
    return px * perPixel + T * (READ * P + GATHER * px) + (r1 - r0) * finishPerRoi;
  };
  const share = T * P * SHARE;
  let best: SplitPlan | undefined;
  const consider = (groups: Array<[number, number]>) => {
    const costs = groups.map(([a, b]) => groupCost(a, b));
    const local = costs.indexOf(Math.min(...costs));
    const cost = Math.max(...costs.map((c, i) => (i === local ? c + share : c)));
    if (!best || cost < best.cost) best = { by: 'rois', groups, local, cost };
  };
  const n = Math.min(threads, R);
  if (n === 2) {
    for (let r = 1; r < R; r++)
      consider([
        [0, r],
        [r, R],
      ]);
    return best;
  }
  let lo = 0;
  let hi = groupCost(0, R);
  for (let it = 0; it < 50; it++) {
    const limit = (lo + hi) / 2;
    const groups: Array<[number, number]> = [];
    let start = 0;
    for (let r = 1; r <= R; r++) {
      if (r === R || groupCost(start, r + 1) > limit) {
        groups.push([start, r]);
        start = r;
      }
    }
    if (groups.length <= n) {
      consider(groups);
      hi = limit;
    } else lo = limit;
  }
  return best;
}

function planTime(
  T: number,
  P: number,
  npad: number,
  numLevels: number,
  nb: number,
  threads: number,
  finishAll: number,
): SplitPlan | undefined {
  const readCost = (READ * P + GATHER * npad) / npad; // per frame, in frame-pair products over npad
  const windows = planWindows(T, numLevels, nb, threads, readCost);
  if (windows.length < 2) return undefined;
  const costs = windows.map((w) => npad * w.cost);
  // The calling thread takes the window reading the most frames (it needs no shared copy).
  const framesRead = windows.map((w) => w.f1 - w.t0);
  const local = framesRead.indexOf(Math.max(...framesRead));
  const copied =
    Math.max(...windows.filter((_, i) => i !== local).map((w) => w.f1)) -
    Math.min(...windows.filter((_, i) => i !== local).map((w) => w.t0));
  const cost = Math.max(...costs.map((c, i) => (i === local ? c + copied * P * SHARE : c))) + finishAll;
  return { by: 'time', windows, local, cost };
}

/**
 * Cost of finishing one ROI's two-time matrix (numFrames^2 values): ~2.8 ns per value vs ~0.05 ns
 * per pixel product. A ROI split finishes each group's matrices on its own thread; a time split
 * finishes all of them on the calling thread after the join.
 */
export function twoTimeFinishCost(numFrames: number): number {
  return 56 * numFrames * numFrames;
}

/**
 * The cheaper of the ROI and time splits, or undefined when neither splits the run.
 * `finishPerRoi`: per-ROI work after the sums (two-time matrices), 0 for the one-time correlator.
 */
export function planSplit(
  numPadded: number[],
  T: number,
  P: number,
  numLevels: number,
  nb: number,
  threads: number,
  finishPerRoi = 0,
): SplitPlan | undefined {
  const npad = numPadded.reduce((a, b) => a + b, 0);
  const plans = [
    planRois(numPadded, T, P, numLevels, nb, threads, finishPerRoi),
    planTime(T, P, npad, numLevels, nb, threads, finishPerRoi * numPadded.length),
  ].filter((p): p is SplitPlan => p !== undefined);
  if (plans.length === 0) return undefined;
  return plans.reduce((a, b) => (b.cost < a.cost ? b : a));
}
