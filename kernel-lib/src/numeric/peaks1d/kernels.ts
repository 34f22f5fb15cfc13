/**
 * Typed bindings of wasm-core/assembly/peaks1d.ts plus the shared host-side steps (signal copy-in
 * with NaN check, block summaries, prominences and widths over blocks already in WASM memory).
 */
import { loadCore, type Arena, type Block, type Core } from '../wasm/core';
import { nanError } from './args';

export interface Peaks1dKernels {
  firstNaN(xPtr: number, n: number): number;
  localMaxima(xPtr: number, n: number, midPtr: number, leftPtr: number, rightPtr: number, edgesWanted: number): number;
  gatherF64(xPtr: number, idxPtr: number, m: number, outPtr: number): void;
  plateauSizes(leftPtr: number, rightPtr: number, m: number, outPtr: number): void;
  peakThresholds(xPtr: number, peaksPtr: number, m: number, leftOut: number, rightOut: number): void;
  selectByInterval(
    lowPtr: number,
    highPtr: number,
    isI32: number,
    m: number,
    peaksPtr: number,
    minKind: number,
    minScalar: number,
    minArr: number,
    maxKind: number,
    maxScalar: number,
    maxArr: number,
    keepPtr: number,
  ): number;
  compactF64(ptr: number, keepPtr: number, m: number): number;
  compactI32(ptr: number, keepPtr: number, m: number): number;
  blockCount(n: number): number;
  buildBlocks(xPtr: number, n: number, minPtr: number, maxPtr: number, argLPtr: number, argRPtr: number): void;
  prominences(
    xPtr: number,
    n: number,
    peaksPtr: number,
    m: number,
    wlen: number,
    bMin: number,
    bMax: number,
    bArgL: number,
    bArgR: number,
    promOut: number,
    leftOut: number,
    rightOut: number,
  ): number;
  widths(
    xPtr: number,
    peaksPtr: number,
    m: number,
    relHeight: number,
    promPtr: number,
    leftBasePtr: number,
    rightBasePtr: number,
    bMin: number,
    widthOut: number,
    heightOut: number,
    leftIpOut: number,
    rightIpOut: number,
  ): number;
  leftBasesSorted(
    xPtr: number,
    n: number,
    peaksPtr: number,
    m: number,
    wlen: number,
    bMin: number,
    bMax: number,
    bArgR: number,
    leftMinOut: number,
    leftOut: number,
  ): void;
  rightBasesSorted(
    xPtr: number,
    n: number,
    peaksPtr: number,
    m: number,
    wlen: number,
    bMin: number,
    bMax: number,
    bArgL: number,
    promInOut: number,
    rightOut: number,
  ): number;
  valleysOf(xPtr: number, n: number, M: number, m: number, vMin: number, vArgL: number, vArgR: number): void;
  leftBasesByValleys(
    xPtr: number,
    n: number,
    M: number,
    m: number,
    vMin: number,
    vArgR: number,
    vArgL: number,
    sel: number,
    ms: number,
    wlen: number,
    minOut: number,
    baseOut: number,
  ): void;
  rightBasesByValleys(
    xPtr: number,
    n: number,
    M: number,
    m: number,
    vMin: number,
    vArgL: number,
    vArgR: number,
    sel: number,
    ms: number,
    wlen: number,
    promInOut: number,
    baseOut: number,
  ): number;
  minF64(xPtr: number, n: number): number;
  prominencesPruned(
    xPtr: number,
    n: number,
    xMin: number,
    peaksPtr: number,
    m: number,
    wlen: number,
    minScalar: number,
    minArr: number,
    budget: number,
    promOut: number,
    leftOut: number,
    rightOut: number,
  ): number;
  correlateSame(xPtr: number, n: number, wPtr: number, m: number, outPtr: number): void;
}

export const PROMINENCE_WARNING = 'some peaks have a prominence of 0';
export const WIDTH_WARNING = 'some peaks have a width of 0';

export function peaksCore(): Core {
  return loadCore('peaks1d');
}

export function kernelsOf(core: Core): Peaks1dKernels {
  return core.exports as unknown as Peaks1dKernels;
}

/** Copies x in (the one copy) and rejects NaN with the kernel's SIMD scan. */
export function copySignalIn(where: string, k: Peaks1dKernels, arena: Arena, x: Float64Array): Block<Float64Array> {
  const xb = arena.copyIn(x);
  const nan = k.firstNaN(xb.ptr, x.length);
  if (nan >= 0) nanError(where, nan);
  return xb;
}

/** True when peaks[k] <= peaks[k + 1] for all k (duplicates allowed). */
export function isAscending(peaks: Int32Array): boolean {
  for (let i = 1; i < peaks.length; i++) if (peaks[i] < peaks[i - 1]) return false;
  return true;
}

/** Per-block summaries used by the prominence and width walks. */
export interface Blocks {
  min: Block<Float64Array>;
  max: Block<Float64Array>;
  argL: Block<Int32Array>;
  argR: Block<Int32Array>;
}

/**
 * Null summaries (pointer 0): the width walks then go sample by sample. Only valid for the
 * ascending-peaks prominence kernels without a window, which never walk.
 */
export function noBlocks(): Blocks {
  const none = { ptr: 0 } as Block<Float64Array>;
  const noneI = { ptr: 0 } as Block<Int32Array>;
  return { min: none, max: none, argL: noneI, argR: noneI };
}

export function buildBlocks(k: Peaks1dKernels, arena: Arena, xb: Block<Float64Array>): Blocks {
  const nb = k.blockCount(xb.length);
  const blocks = { min: arena.f64(nb), max: arena.f64(nb), argL: arena.i32(nb), argR: arena.i32(nb) };
  k.buildBlocks(xb.ptr, xb.length, blocks.min.ptr, blocks.max.ptr, blocks.argL.ptr, blocks.argR.ptr);
  return blocks;
}

export interface ProminenceBlocks {
  prominences: Block<Float64Array>;
  leftBases: Block<Int32Array>;
  rightBases: Block<Int32Array>;
  zeros: number;
}

/**
 * Prominences of m valid peaks (peaks already in WASM memory). Ascending peak lists (always the
 * case inside findPeaks) use the O(n) monotonic-stack kernels; any other order uses scipy's walk
 * (with block skips). Both give identical results.
 */
export function runProminences(
  k: Peaks1dKernels,
  arena: Arena,
  xb: Block<Float64Array>,
  blocks: Blocks,
  peaks: Block<Int32Array>,
  m: number,
  wlen: number,
  ascending: boolean,
): ProminenceBlocks {
  const out = { prominences: arena.f64(m), leftBases: arena.i32(m), rightBases: arena.i32(m) };
  if (ascending) {
    const n = xb.length;
    k.leftBasesSorted(
      xb.ptr,
      n,
      peaks.ptr,
      m,
      wlen,
      blocks.min.ptr,
      blocks.max.ptr,
      blocks.argR.ptr,
      out.prominences.ptr,
      out.leftBases.ptr,
    );
    const zeros = k.rightBasesSorted(
      xb.ptr,
      n,
      peaks.ptr,
      m,
      wlen,
      blocks.min.ptr,
      blocks.max.ptr,
      blocks.argL.ptr,
      out.prominences.ptr,
      out.rightBases.ptr,
    );
    return { ...out, zeros };
  }
  const zeros = k.prominences(
    xb.ptr,
    xb.length,
    peaks.ptr,
    m,
    wlen,
    blocks.min.ptr,
    blocks.max.ptr,
    blocks.argL.ptr,
    blocks.argR.ptr,
    out.prominences.ptr,
    out.leftBases.ptr,
    out.rightBases.ptr,
  );
  return { ...out, zeros };
}

/**
 * Prominences of `sel` (ascending, a subset of the local maxima `maxima` of x, as inside
 * findPeaks) from the valleys between consecutive maxima (peaks1d-valleys.ts): O(n + m), no
 * per-peak walk over the signal, identical to scipy's walk with or without a window.
 */
export function runProminencesOfMaxima(
  k: Peaks1dKernels,
  arena: Arena,
  xb: Block<Float64Array>,
  maxima: Block<Int32Array>,
  mAll: number,
  sel: Block<Int32Array>,
  ms: number,
  wlen: number,
): ProminenceBlocks {
  const out = { prominences: arena.f64(ms), leftBases: arena.i32(ms), rightBases: arena.i32(ms) };
  const v = { min: arena.f64(mAll + 1), argL: arena.i32(mAll + 1), argR: arena.i32(mAll + 1) };
  const n = xb.length;
  k.valleysOf(xb.ptr, n, maxima.ptr, mAll, v.min.ptr, v.argL.ptr, v.argR.ptr);
  k.leftBasesByValleys(
    xb.ptr,
    n,
    maxima.ptr,
    mAll,
    v.min.ptr,
    v.argR.ptr,
    v.argL.ptr,
    sel.ptr,
    ms,
    wlen,
    out.prominences.ptr,
    out.leftBases.ptr,
  );
  const zeros = k.rightBasesByValleys(
    xb.ptr,
    n,
    maxima.ptr,
    mAll,
    v.min.ptr,
    v.argL.ptr,
    v.argR.ptr,
    sel.ptr,
    ms,
    wlen,
    out.prominences.ptr,
    out.rightBases.ptr,
  );
  return { ...out, zeros };
}

/** Visited samples per signal sample (plus per peak) allowed before the pruned walks give up. */
const PRUNED_BUDGET = { perSample: 4, perPeak: 64 };

/**
 * Prominences inside findPeaks when a minimum prominence `need` is required (scalar, or per
 * sample) with a window (wlen >= 2, so every walk is bounded): exact for every peak that can pass
 * it, a bound below `need` for the others (which the prominence condition then removes), see
 * peaks1d-pruned.ts. Falls back to the O(n) valley kernels when pruning does not pay off.
 */
export function runProminencesForMinimum(
  k: Peaks1dKernels,
  arena: Arena,
  xb: Block<Float64Array>,
  maxima: Block<Int32Array>,
  mAll: number,
  sel: Block<Int32Array>,
  ms: number,
  wlen: number,
  need: { scalar: number; perSample: number },
): ProminenceBlocks {
  const out = { prominences: arena.f64(ms), leftBases: arena.i32(ms), rightBases: arena.i32(ms) };
  const n = xb.length;
  const budget = PRUNED_BUDGET.perSample * n + PRUNED_BUDGET.perPeak * ms;
  const zeros = k.prominencesPruned(
    xb.ptr,
    n,
    k.minF64(xb.ptr, n),
    sel.ptr,
    ms,
    wlen,
    need.scalar,
    need.perSample,
    budget,
    out.prominences.ptr,
    out.leftBases.ptr,
    out.rightBases.ptr,
  );
  if (zeros >= 0) return { ...out, zeros };
  return runProminencesOfMaxima(k, arena, xb, maxima, mAll, sel, ms, wlen);
}

export interface WidthBlocks {
  widths: Block<Float64Array>;
  widthHeights: Block<Float64Array>;
  leftIps: Block<Float64Array>;
  rightIps: Block<Float64Array>;
  zeros: number;
}

/** Widths of m peaks with validated prominence data (all in WASM memory). */
export function runWidths(
  k: Peaks1dKernels,
  arena: Arena,
  xb: Block<Float64Array>,
  blocks: Blocks,
  peaks: Block<Int32Array>,
  m: number,
  relHeight: number,
  prom: { prominences: Block<Float64Array>; leftBases: Block<Int32Array>; rightBases: Block<Int32Array> },
): WidthBlocks {
  const out = { widths: arena.f64(m), widthHeights: arena.f64(m), leftIps: arena.f64(m), rightIps: arena.f64(m) };
  const zeros = k.widths(
    xb.ptr,
    peaks.ptr,
    m,
    relHeight,
    prom.prominences.ptr,
    prom.leftBases.ptr,
    prom.rightBases.ptr,
    blocks.min.ptr,
    out.widths.ptr,
    out.widthHeights.ptr,
    out.leftIps.ptr,
    out.rightIps.ptr,
  );
  return { ...out, zeros };
}
