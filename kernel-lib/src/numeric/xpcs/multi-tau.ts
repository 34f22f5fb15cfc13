/**
 * skbeam.core.correlation.multi_tau_auto_corr (lazy_one_time) with skbeam's exact arithmetic:
 * the per-event ROI sums come from the wasm engine (bit-identical bincount chains) and the
 * running means are replayed here in skbeam's order, G += (binned / num_pixels - G) / normalize.
 */
import type { Frames } from '../frames';
import { runEngine, xpcsCore, type EngineSums } from './engine';
import {
  checkMultiTauOpts,
  checkStack,
  frameKind,
  multiTauLags,
  readLabelMap,
  roiLayout,
  type RoiLayout,
} from './layout';

/** Options of the multi-tau correlators (skbeam num_levels / num_bufs). */
export interface MultiTauOptions {
  /** Levels of the binomial tree of averaged frames (>= 1). */
  numLevels: number;
  /** Buffers (channels) per level; even, >= 2. */
  numBufs: number;
}

/** Result of {@link multiTauAutoCorr}; rows are lag indices, columns ROIs in `roiLabels` order. */
export interface MultiTauResult {
  /** g2[row][roi], truncated like skbeam at the first row with a zero past intensity. */
  g2: Float64Array[];
  /** Lag (in frames) of each g2 row (skbeam lag_steps[:g_max]). */
  lagSteps: number[];
  /** Distinct nonzero labels, ascending. */
  roiLabels: number[];
  /** Pixels per ROI. */
  numPixels: number[];
  /** Untruncated accumulators, (numLevels+1)*numBufs/2 rows x R (skbeam internal state). */
  G: Float64Array[];
  pastIntensity: Float64Array[];
  futureIntensity: Float64Array[];
  /** Frames (events) processed per level. */
  imgPerLevel: number[];
}

/** Replays skbeam's _one_time_process running means from the engine's per-event sums. */
export function oneTimeFromSums(s: EngineSums, layout: Pick<RoiLayout, 'roiLabels' | 'numPixels'>): MultiTauResult {
  const { nb, R, numLevels } = s;
  const rows = ((numLevels + 1) * nb) / 2;
  // The replay runs in wasm-core (xpcs-replay.ts): same operations, no JIT warm-up on first calls.
  const { core, k } = xpcsCore();
  const [flatG, flatIP, flatIF] = core.withArena((arena) => {
    const out = [arena.f64(rows * R), arena.f64(rows * R), arena.f64(rows * R)];
    for (const b of out) b.view().fill(0);
    k.oneTimeReplay(
      arena.copyIn(s.prod).ptr,
      arena.copyIn(s.sums).ptr,
      arena.copyIn(Int32Array.from(s.eventBase)).ptr,
      arena.copyIn(Int32Array.from(s.events)).ptr,
      numLevels,
      nb,
      R,
      arena.copyIn(Float64Array.from(layout.numPixels)).ptr,
      out[0].ptr,
      out[1].ptr,
      out[2].ptr,
    );
    return out.map((b) => b.copyOut());
  });
  const split = (flat: Float64Array) => Array.from({ length: rows }, (_, row) => flat.slice(row * R, (row + 1) * R));
  const G = split(flatG);
  const IP = split(flatIP);
  const IF = split(flatIF);
  // skbeam: g_max = first row with any zero past intensity (np.where(past == 0)[0][0]).
  let gMax = rows;
  for (let row = 0; row < rows && gMax === rows; row++) if (IP[row].some((v) => v === 0)) gMax = row;
  const g2 = G.slice(0, gMax).map((g, row) => g.map((v, r) => v / (IP[row][r] * IF[row][r])));
  return {
    g2,
    lagSteps: multiTauLags(numLevels, nb).slice(0, gMax),
    roiLabels: layout.roiLabels,
    numPixels: layout.numPixels,
    G,
    pastIntensity: IP,
    futureIntensity: IF,
    imgPerLevel: s.events,
  };
}

/** Shared validation for the one-time and two-time entry points. */
export function prepareMultiTau(
  where: string,
  frames: Frames,
  labels: ArrayLike<number>,
  opts: MultiTauOptions,
): { layout: RoiLayout; numLevels: number; numBufs: number } {
  checkStack(where, frames);
  const { numLevels, numBufs } = checkMultiTauOpts(where, opts);
  const [, H, W] = frames.shape;
  const layout = roiLayout(where, readLabelMap(where, 'labels', labels, H * W));
  return { layout, numLevels, numBufs };
}

/**
 * Multi-tau one-time autocorrelation per ROI, equal to
 * `skbeam.core.correlation.multi_tau_auto_corr(numLevels, numBufs, labels, frames)` (float64,
 * bit-identical sums), plus skbeam's internal accumulators.
 *
 * @param frames stack [T, H, W] (uint16/uint32/float32/float64; NaN rejected with E_NON_FINITE)
 * @param labels H*W integer labels, 0 = not in any ROI
 * @param opts `{numLevels >= 1, numBufs even >= 2}`
 * @throws StagebookError E_INVALID_SHAPE / E_INVALID_ARGUMENT / E_EMPTY_INPUT / E_NON_FINITE
 */
export function multiTauAutoCorr(frames: Frames, labels: ArrayLike<number>, opts: MultiTauOptions): MultiTauResult {
  const where = 'multiTauAutoCorr';
  const { layout, numLevels, numBufs } = prepareMultiTau(where, frames, labels, opts);
  const [T, H, W] = frames.shape;
  const sums = runEngine(
    where,
    { data: frames.data, kind: frameKind(frames), P: H * W },
    T,
    layout,
    numLevels,
    numBufs,
  );
  return oneTimeFromSums(sums, layout);
}
