/**
 * Time split of the multi-tau engine for the parallel correlators.
 *
 * Every per-event sum of skbeam's multi-tau (and two-time) process depends only on the frames of
 * that event and of its nb-1 predecessors at the same level, so the events can be shared out by
 * time and each worker's sums are exactly those of the serial run. A window [s, e) emits the
 * level-L events that start in it (k * 2^L in [s, e)); it reads the frames from
 * s - (nb-1) * 2^(levels-1) (the history its first events need at the top level) to e.
 * Boundaries are multiples of 2^(levels-1), where every level's pairing restarts as in the
 * full run. Splitting by time keeps the work balanced and lets each worker read one contiguous
 * slice of the stack, whatever the ROI sizes.
 */
import { levelEvents, type EngineWindow } from './engine';

/** A planned window: frames [t0, f1) are read, events of `window` are emitted. */
export interface PlannedWindow extends EngineWindow {
  f1: number;
  /** Estimated cost in frame-pair products over all ROI slots (see planWindows). */
  cost: number;
}

/** sum over k in [k0, k1) of max(0, min(k+1, nb) - iLo): the products a range of events needs. */
export function productCount(k0: number, k1: number, nb: number, iLo: number): number {
  // Events k < nb have k+1 lags (k+1-iLo products once k >= iLo), later ones nb-iLo.
  const a = Math.max(k0, iLo);
  const b = Math.min(k1, nb);
  let n = b > a ? ((b - a) * (a + b + 1)) / 2 - (b - a) * iLo : 0; // sum of (k+1-iLo) for k in [a, b)
  const c = Math.max(k0, nb);
  if (k1 > c) n += (k1 - c) * (nb - iLo);
  return n;
}

function windowOf(s: number, e: number, T: number, numLevels: number, nb: number): PlannedWindow {
  const events = levelEvents(T, numLevels);
  const emitLo = events.map((n, L) => Math.min(n, s / 2 ** L));
  const emitHi = events.map((n, L) => (e >= T ? n : Math.min(n, e / 2 ** L)));
  return { t0: Math.max(0, s - (nb - 1) * 2 ** (numLevels - 1)), f1: Math.min(T, e), emitLo, emitHi, cost: 0 };
}

/**
 * Ring work (level-0 load, level sums) of a history frame (read, not correlated at level 0) in
 * frame-pair products: ~0.3 ns per ROI slot vs ~0.05 ns per product on the 1000x256x256 bench.
 */
const HISTORY_FRAME = 6;

function costOf(w: PlannedWindow, nb: number, readCost: number): number {
  const framesRead = w.f1 - w.t0;
  let c = readCost * framesRead + HISTORY_FRAME * (framesRead - (w.emitHi[0] - w.emitLo[0]));
  w.emitLo.forEach((lo, L) => {
    c += productCount(lo, w.emitHi[L], nb, L === 0 ? 0 : nb / 2) + (w.emitHi[L] - lo);
  });
  return c;
}

/**
 * Splits a T-frame run into at most `threads` windows whose estimated costs are as even as the
 * 2^(levels-1) boundary grid allows (bisection on the largest cost, greedy packing). `readCost`
 * is the cost of reading one frame in frame-pair products (see split-plan.ts).
 */
export function planWindows(
  T: number,
  numLevels: number,
  nb: number,
  threads: number,
  readCost: number,
): PlannedWindow[] {
  const step = 2 ** (numLevels - 1);
  const cuts: number[] = [];
  for (let b = step; b < T; b += step) cuts.push(b);
  cuts.push(T);
  const cost = (s: number, e: number) => costOf(windowOf(s, e, T, numLevels, nb), nb, readCost);
  // Greedy packing: each window takes the furthest cut whose cost stays within `limit` (at least
  // one cut); the cost grows with the window's end, so the furthest cut is found by bisection.
  const pack = (limit: number): PlannedWindow[] | undefined => {
    const out: PlannedWindow[] = [];
    let s = 0;
    let i = 0;
    while (s < T) {
      if (out.length === threads) return undefined;
      let lo = i;
      let hi = cuts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (cost(s, cuts[mid]) <= limit) lo = mid;
        else hi = mid - 1;
      }
      out.push(windowOf(s, cuts[lo], T, numLevels, nb));
      s = cuts[lo];
      i = lo + 1;
    }
    return out;
  };
  let lo = 0;
  let hi = cost(0, T);
  let best = pack(hi)!;
  for (let it = 0; it < 40 && hi - lo > 1e-6 * hi; it++) {
    const mid = (lo + hi) / 2;
    const plan = pack(mid);
    if (plan && Math.max(...plan.map((w) => costOf(w, nb, readCost))) <= mid) {
      best = plan;
      hi = mid;
    } else lo = mid;
  }
  return best.map((w) => ({ ...w, cost: costOf(w, nb, readCost) }));
}
