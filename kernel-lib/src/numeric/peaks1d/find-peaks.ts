/**
 * `findPeaks`: scipy.signal.find_peaks (scipy 1.10) over a signal copied into WASM memory once.
 * Conditions are evaluated in scipy's order (plateau size, height, threshold, distance, prominence,
 * width), each one filtering the peaks and every property computed so far.
 */
import { numpyArgsort } from '../sort/numpy-argsort';
import type { NumericArray } from '../validate';
import type { Arena, Block } from '../wasm/core';
import { checkOptionKeys, distanceArg, intervalArg, relHeightArg, signalArg, wlenArg, type Interval } from './args';
import {
  copySignalIn,
  kernelsOf,
  noBlocks,
  peaksCore,
  PROMINENCE_WARNING,
  runProminencesForMinimum,
  runProminencesOfMaxima,
  runWidths,
  WIDTH_WARNING,
  type Blocks,
  type Peaks1dKernels,
} from './kernels';
import { PeakSet } from './peak-set';
import type { FindPeaksOptions, FindPeaksResult } from './types';

const WHERE = 'findPeaks';
const OPTION_KEYS = [
  'height',
  'threshold',
  'distance',
  'prominence',
  'width',
  'wlen',
  'relHeight',
  'plateauSize',
] as const;

interface Plan {
  plateauSize?: Interval;
  height?: Interval;
  threshold?: Interval;
  distance?: number;
  prominence?: Interval;
  width?: Interval;
  /** -1 = whole signal; only resolved when prominences are needed (as scipy). */
  wlen: number;
  relHeight: number;
}

function optionalInterval(opts: Record<string, unknown>, key: string, field: string, n: number): Interval | undefined {
  const v = opts[key];
  return v === undefined || v === null ? undefined : intervalArg(WHERE, field, v, n);
}

/** Validates every option the way scipy does, before any work. */
function makePlan(opts: Record<string, unknown>, n: number): Plan {
  const plan: Plan = {
    plateauSize: optionalInterval(opts, 'plateauSize', 'plateau_size', n),
    height: optionalInterval(opts, 'height', 'height', n),
    threshold: optionalInterval(opts, 'threshold', 'threshold', n),
    prominence: optionalInterval(opts, 'prominence', 'prominence', n),
    width: optionalInterval(opts, 'width', 'width', n),
    wlen: -1,
    relHeight: 0.5,
  };
  if (opts.distance !== undefined && opts.distance !== null) plan.distance = distanceArg(WHERE, opts.distance);
  // scipy checks wlen only when prominences are computed and rel_height only when widths are.
  if (plan.prominence || plan.width) plan.wlen = wlenArg(WHERE, opts.wlen);
  if (opts.relHeight !== undefined) {
    plan.relHeight = plan.width ? relHeightArg(WHERE, opts.relHeight) : relHeightTypeOnly(opts.relHeight);
  }
  return plan;
}

function relHeightTypeOnly(v: unknown): number {
  return typeof v === 'number' ? v : relHeightArg(WHERE, v);
}

/**
 * Finds peaks (local maxima, plateaus included) in a 1-D signal and filters them by the given
 * conditions, exactly as scipy.signal.find_peaks in scipy 1.10.
 *
 * Interval conditions accept a number (minimum), `[min, max]` with `null` for an open border, or
 * per-sample arrays of `x.length` (indexed with the peak positions). `properties` contains only the
 * keys whose condition was given (`[null, null]` computes a property without filtering).
 *
 * @throws StagebookError E_INVALID_ARGUMENT (bad options, distance < 1, relHeight < 0, wlen <= 1),
 *   E_INVALID_SHAPE (x not 1-D), E_NON_FINITE (NaN in x).
 */
export function findPeaks(x: NumericArray, options: FindPeaksOptions = {}): FindPeaksResult {
  const opts = checkOptionKeys(WHERE, options, OPTION_KEYS);
  const xs = signalArg(WHERE, x);
  const plan = makePlan(opts, xs.length);
  const core = peaksCore();
  const k = kernelsOf(core);
  return core.withArena((arena) => {
    const xb = copySignalIn(WHERE, k, arena, xs);
    const warnings: string[] = [];
    const set = localMaximaSet(k, arena, xb, plan.plateauSize !== undefined);
    // Every local maximum (the prominence kernel needs all of them; the filters below compact
    // set.peaks in place).
    const maxima = { block: set.peaks, count: set.count };
    if (
      (plan.prominence || plan.width) &&
      (plan.plateauSize || plan.height || plan.threshold || plan.distance !== undefined)
    ) {
      maxima.block = arena.i32(set.count);
      maxima.block.view().set(set.peaks.view().subarray(0, set.count));
    }
    if (plan.plateauSize) set.selectByInterval(plan.plateauSize, 'plateauSizes');
    if (plan.height) selectByHeight(k, arena, xb, set, plan.height);
    if (plan.threshold) selectByThreshold(k, arena, xb, set, plan.threshold);
    if (plan.distance !== undefined) selectByDistance(k, arena, xb, set, plan.distance);
    if (plan.prominence || plan.width) {
      // The valley kernels never walk the signal; the width walks of the survivors are short
      // (bounded by their bases) and go sample by sample.
      const blocks = noBlocks();
      addProminences(k, arena, xb, maxima, set, plan.wlen, plan.prominence, warnings);
      if (plan.prominence) set.selectByInterval(plan.prominence, 'prominences');
      if (plan.width) {
        addWidths(k, arena, xb, blocks, set, plan.relHeight, warnings);
        set.selectByInterval(plan.width, 'widths');
      }
    }
    return { ...set.copyOut(), warnings };
  });
}

/** scipy `_local_maxima_1d`; edges are kept only when plateau_size was given. */
function localMaximaSet(k: Peaks1dKernels, arena: Arena, xb: Block<Float64Array>, withEdges: boolean): PeakSet {
  const n = xb.length;
  const cap = Math.floor(n / 2);
  const mids = arena.i32(cap);
  const left = withEdges ? arena.i32(cap) : mids;
  const right = withEdges ? arena.i32(cap) : mids;
  const m = k.localMaxima(xb.ptr, n, mids.ptr, left.ptr, right.ptr, withEdges ? 1 : 0);
  const set = new PeakSet(k, arena, mids, m);
  if (withEdges) {
    const sizes = arena.i32(m);
    k.plateauSizes(left.ptr, right.ptr, m, sizes.ptr);
    set.setI32('plateauSizes', sizes);
    set.setI32('leftEdges', left);
    set.setI32('rightEdges', right);
  }
  return set;
}

function selectByHeight(
  k: Peaks1dKernels,
  arena: Arena,
  xb: Block<Float64Array>,
  set: PeakSet,
  interval: Interval,
): void {
  const heights = arena.f64(set.count);
  k.gatherF64(xb.ptr, set.peaks.ptr, set.count, heights.ptr);
  set.setF64('peakHeights', heights);
  set.selectByInterval(interval, 'peakHeights');
}

/** scipy `_select_by_peak_threshold`: min vs the smaller, max vs the greater of both sides. */
function selectByThreshold(
  k: Peaks1dKernels,
  arena: Arena,
  xb: Block<Float64Array>,
  set: PeakSet,
  interval: Interval,
): void {
  const left = arena.f64(set.count);
  const right = arena.f64(set.count);
  k.peakThresholds(xb.ptr, set.peaks.ptr, set.count, left.ptr, right.ptr);
  set.setF64('leftThresholds', left);
  set.setF64('rightThresholds', right);
  set.selectByInterval(interval, 'leftThresholds', 'rightThresholds');
}

/**
 * scipy `_select_by_peak_distance` with priority x[peaks]: peaks are visited in reverse
 * `np.argsort(priority)` order (NumPy's unstable introsort, ported in numpyArgsort, decides ties)
 * and each kept peak removes its neighbours closer than ceil(distance).
 */
function selectByDistance(
  k: Peaks1dKernels,
  arena: Arena,
  xb: Block<Float64Array>,
  set: PeakSet,
  distance: number,
): void {
  const m = set.count;
  const heights = arena.f64(m);
  k.gatherF64(xb.ptr, set.peaks.ptr, m, heights.ptr);
  const order = numpyArgsort(heights.view());
  const pos = set.peaks.copyOut(m);
  const keep = new Uint8Array(m).fill(1);
  for (let i = m - 1; i >= 0; i--) {
    const j = order[i];
    if (!keep[j]) continue;
    for (let q = j - 1; q >= 0 && pos[j] - pos[q] < distance; q--) keep[q] = 0;
    for (let q = j + 1; q < m && pos[q] - pos[j] < distance; q++) keep[q] = 0;
  }
  let kept = 0;
  for (let i = 0; i < m; i++) kept += keep[i];
  set.keepMask(keep, kept);
}

/**
 * Prominences of the working set. With a lower prominence bound and a window, peaks that cannot
 * reach the bound get only a value below it (removed right after by the prominence condition, as
 * scipy removes them); otherwise the valley kernels compute every prominence in O(n).
 */
function addProminences(
  k: Peaks1dKernels,
  arena: Arena,
  xb: Block<Float64Array>,
  maxima: { block: Block<Int32Array>; count: number },
  set: PeakSet,
  wlen: number,
  prominence: Interval | undefined,
  warnings: string[],
): void {
  const min = prominence?.min;
  const r =
    min && min.kind !== 'none' && wlen >= 2
      ? runProminencesForMinimum(
          k,
          arena,
          xb,
          maxima.block,
          maxima.count,
          set.peaks,
          set.count,
          wlen,
          min.kind === 'scalar'
            ? { scalar: min.value, perSample: 0 }
            : { scalar: 0, perSample: arena.copyIn(min.values).ptr },
        )
      : runProminencesOfMaxima(k, arena, xb, maxima.block, maxima.count, set.peaks, set.count, wlen);
  set.setF64('prominences', r.prominences);
  set.setI32('leftBases', r.leftBases);
  set.setI32('rightBases', r.rightBases);
  if (r.zeros > 0) warnings.push(PROMINENCE_WARNING);
}

function addWidths(
  k: Peaks1dKernels,
  arena: Arena,
  xb: Block<Float64Array>,
  blocks: Blocks,
  set: PeakSet,
  relHeight: number,
  warnings: string[],
): void {
  const prom = {
    prominences: set.f64('prominences'),
    leftBases: set.i32('leftBases'),
    rightBases: set.i32('rightBases'),
  };
  const r = runWidths(k, arena, xb, blocks, set.peaks, set.count, relHeight, prom);
  set.setF64('widths', r.widths);
  set.setF64('widthHeights', r.widthHeights);
  set.setF64('leftIps', r.leftIps);
  set.setF64('rightIps', r.rightIps);
  if (r.zeros > 0) warnings.push(WIDTH_WARNING);
}
