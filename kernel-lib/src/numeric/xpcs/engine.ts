/**
 * Host side of the multi-tau engine in wasm-core/assembly/xpcs.ts (mtConfigure / mtRun): streams
 * the stack once into a compact ROI-grouped copy in WASM memory, picks the exact arithmetic mode
 * per level and returns the raw per-event sums that the one-time and two-time finalisers turn
 * into skbeam's outputs. A run may be restricted to a time window (the parallel split).
 */
import { StagebookError } from '../../errors/stagebook-error';
import type { FrameData } from '../frames';
import { loadCore, type Arena } from '../wasm/core';
import type { FrameKind } from './layout';

interface XpcsExports {
  xpcsStackMax(stack: number, kind: number, n: number): number;
  xpcsGather(
    src: number,
    nFrames: number,
    frameBytes: number,
    runs: number,
    nRuns: number,
    pads: number,
    nPads: number,
    dst: number,
    rowBytes: number,
  ): void;
  mtConfigure(
    stack: number,
    kind: number,
    T: number,
    npad: number,
    roiStart: number,
    roiReal: number,
    R: number,
    nb: number,
    levels: number,
    split: number,
    block: number,
  ): void;
  mtWindow(t0: number, emitLo: number, emitHi: number): void;
  mtRun(prod: number, sums: number, eventBase: number, kmax: number): number;
  eigPixelSums(
    stack: number,
    kind: number,
    T: number,
    P: number,
    pix: number,
    npx: number,
    levels: number,
    taus: number,
    nd: number,
    g2: number,
    ip: number,
    iff: number,
  ): number;
  oneTimeReplay(
    prod: number,
    sums: number,
    eventBase: number,
    events: number,
    levels: number,
    nb: number,
    R: number,
    N: number,
    G: number,
    IP: number,
    IF: number,
  ): void;
}

export function xpcsCore(): { core: ReturnType<typeof loadCore>; k: XpcsExports } {
  const core = loadCore('xpcs');
  return { core, k: core.exports as unknown as XpcsExports };
}

/**
 * Raw engine output in skbeam's float units: prod[((eventBase[L]+k-firstEvent[L])*nb + i)*R + r]
 * is the ROI-r bincount of Y_L[k] * Y_L[k-i], sums[(eventBase[L]+k-firstEvent[L])*R + r] the
 * bincount of Y_L[k], for the events k in [firstEvent[L], firstEvent[L] + events[L]).
 */
export interface EngineSums {
  prod: Float64Array;
  sums: Float64Array;
  /** Events per level: floor(T / 2^L) (skbeam img_per_level) for a whole run. */
  events: number[];
  eventBase: number[];
  /** First event of each level held here (0 for a whole run; a window's first event otherwise). */
  firstEvent: number[];
  /** Levels < split are still in int16 units (value * 2^L); 0 once converted by toFloatUnits. */
  split: number;
  R: number;
  nb: number;
  numLevels: number;
}

export interface EngineLayout {
  pix: Int32Array;
  roiStart: Int32Array;
  numPixels: number[];
}

/** The frames the engine reads: `data` holds whole frames of P pixels, frame-major. */
export interface StackSource {
  data: FrameData;
  kind: FrameKind;
  P: number;
  /** Called before elements [0, end) of `data` are read (streamed shared input in workers). */
  ready?(end: number): void;
}

/**
 * A time window of a run (parallel split): local frame 0 is global frame t0 (a multiple of
 * 2^(numLevels-1)); only level-L events in [emitLo[L], emitHi[L]) are correlated, the frames
 * before them only rebuild the ring history those events need.
 */
export interface EngineWindow {
  t0: number;
  emitLo: number[];
  emitHi: number[];
}

const I16_MAX = 32767;

/**
 * Number of leading levels whose values (sums of 2^L integer frames) fit int16 and whose ROI sums
 * stay below 2^53, so integer arithmetic reproduces skbeam's float64 chains bit for bit.
 */
export function exactLevels(kind: FrameKind, maxValue: number, numLevels: number, maxRoiPixels: number): number {
  if (kind > 1) return 0;
  let L = 0;
  while (L < numLevels) {
    const z = maxValue * 2 ** L;
    if (z > I16_MAX || maxRoiPixels * z * z >= 2 ** 53) break;
    L++;
  }
  return L;
}

function chunkLimit(maxValue: number, L: number): number {
  const z = maxValue * 2 ** L;
  if (z === 0) return 1 << 20;
  return Math.max(1, Math.min(1 << 20, Math.floor(2147483647 / (2 * z * z))));
}

export function levelEvents(T: number, numLevels: number): number[] {
  return Array.from({ length: numLevels }, (_, L) => Math.floor(T / 2 ** L));
}

function cumulative(counts: number[]): number[] {
  return counts.map((_, L) => counts.slice(0, L).reduce((a, b) => a + b, 0));
}

/** Bytes of WASM memory through which the stack streams into the compact copy. */
const STAGING_BYTES = 2 << 20;

type StackBlock =
  ReturnType<Arena['u16']> | ReturnType<Arena['u32']> | ReturnType<Arena['f32']> | ReturnType<Arena['f64']>;

function stackBlock(arena: Arena, kind: FrameKind, n: number): StackBlock {
  return kind === 0 ? arena.u16(n) : kind === 1 ? arena.u32(n) : kind === 2 ? arena.f32(n) : arena.f64(n);
}

/**
 * The layout as copy runs for xpcsGather: [srcByte, dstByte, bytes] per run of consecutive raster
 * pixels (in slot order) and [dstByte, bytes] per padding span (-1 slots).
 */
export function gatherRuns(pix: Int32Array, bytesPerValue: number): { runs: Int32Array; pads: Int32Array } {
  const runs: number[] = [];
  const pads: number[] = [];
  let j = 0;
  while (j < pix.length) {
    let e = j + 1;
    if (pix[j] < 0) {
      while (e < pix.length && pix[e] < 0) e++;
      pads.push(j * bytesPerValue, (e - j) * bytesPerValue);
    } else {
      while (e < pix.length && pix[e] === pix[e - 1] + 1) e++;
      runs.push(pix[j] * bytesPerValue, j * bytesPerValue, (e - j) * bytesPerValue);
    }
    j = e;
  }
  return { runs: Int32Array.from(runs), pads: Int32Array.from(pads) };
}

/** Bytes of slack after the staging and compact blocks for xpcsGather's 16-byte copies. */
const GATHER_SLACK = 16;

/**
 * Streams T frames through a small staging block into a compact ROI-grouped copy (only the ROI
 * pixels, in the layout's order; padding 0) and returns it with the maximum value (of the ROI
 * pixels for integer frames; of every value, NaN if any is NaN, for float frames), which decides
 * the exact int16 levels.
 */
function compactStack(
  where: string,
  arena: Arena,
  k: XpcsExports,
  src: StackSource,
  T: number,
  pix: Int32Array,
): { ptr: number; maxValue: number } {
  const { data, kind, P } = src;
  const bpv = data.BYTES_PER_ELEMENT;
  const npad = pix.length;
  const slack = GATHER_SLACK / bpv;
  const compact = stackBlock(arena, kind, T * npad + slack);
  const chunkFrames = Math.max(1, Math.floor(STAGING_BYTES / (P * bpv)));
  const staging = stackBlock(arena, kind, Math.min(T, chunkFrames) * P + slack);
  const { runs, pads } = gatherRuns(pix, bpv);
  const runsBlock = arena.copyIn(runs);
  const padsBlock = arena.copyIn(pads);
  let maxValue = kind <= 1 ? 0 : -Infinity;
  for (let t = 0; t < T; t += chunkFrames) {
    const nf = Math.min(chunkFrames, T - t);
    src.ready?.((t + nf) * P);
    (staging.view() as FrameData).set(data.subarray(t * P, (t + nf) * P));
    const dst = compact.ptr + t * npad * bpv;
    k.xpcsGather(
      staging.ptr,
      nf,
      P * bpv,
      runsBlock.ptr,
      runs.length / 3,
      padsBlock.ptr,
      pads.length / 2,
      dst,
      npad * bpv,
    );
    // Float frames: every value is scanned (NaN anywhere is rejected). Integer frames: only the
    // ROI values enter the sums, so their maximum alone decides the exact int16 levels.
    const m = kind <= 1 ? k.xpcsStackMax(dst, kind, nf * npad) : k.xpcsStackMax(staging.ptr, kind, nf * P);
    if (Number.isNaN(m)) {
      throw new StagebookError(
        'E_NON_FINITE',
        `${where}: frames contain NaN; skbeam would treat such frames as bad images, stagebook rejects them`,
        { where, field: 'frames' },
      );
    }
    maxValue = Math.max(maxValue, m);
  }
  return { ptr: compact.ptr, maxValue };
}

/**
 * Runs the engine over T frames of `src` (all events, or only those of `window`). `where` names
 * the public function for the NaN error.
 */
export function runEngine(
  where: string,
  src: StackSource,
  T: number,
  layout: EngineLayout,
  numLevels: number,
  nb: number,
  window?: EngineWindow,
): EngineSums {
  const { core, k } = xpcsCore();
  const R = layout.numPixels.length;
  const t0 = window?.t0 ?? 0;
  const firstEvent = window ? window.emitLo : levelEvents(T, numLevels).map(() => 0);
  const events = window ? window.emitHi.map((hi, L) => hi - window.emitLo[L]) : levelEvents(T, numLevels);
  const eventBase = cumulative(events);
  const totalEvents = events.reduce((a, b) => a + b, 0);
  const npad = layout.pix.length;
  return core.withArena((arena) => {
    const stack = compactStack(where, arena, k, src, T, layout.pix);
    const maxValue = stack.maxValue;
    const split = exactLevels(src.kind, maxValue, numLevels, Math.max(...layout.numPixels));
    let bytesPerPix = 0;
    for (let L = 0; L < numLevels; L++) bytesPerPix += nb * (L < split ? 2 : 8);
    // Pixel block: all rings of a block stay in L2 (~192 KB) while every frame streams through.
    const block = Math.max(8, Math.min(8192, Math.floor(196608 / bytesPerPix / 8) * 8));
    const roiStart = arena.copyIn(layout.roiStart);
    const roiReal = arena.copyIn(Int32Array.from(layout.numPixels));
    // Event e of level L is stored at row eventBase[L] + e - firstEvent[L].
    const base = arena.copyIn(Int32Array.from(eventBase, (b, L) => b - firstEvent[L]));
    const kmax = arena.copyIn(Int32Array.from(events.map((_, L) => chunkLimit(maxValue, L))));
    const emitLo = arena.copyIn(Int32Array.from(firstEvent));
    const emitHi = arena.copyIn(Int32Array.from(events, (n, L) => firstEvent[L] + n));
    const prod = arena.f64(totalEvents * nb * R);
    const sums = arena.f64(totalEvents * R);
    prod.view().fill(0);
    sums.view().fill(0);
    k.mtConfigure(stack.ptr, src.kind, T, npad, roiStart.ptr, roiReal.ptr, R, nb, numLevels, split, block);
    if (window) k.mtWindow(t0, emitLo.ptr, emitHi.ptr);
    k.mtRun(prod.ptr, sums.ptr, base.ptr, kmax.ptr);
    return toFloatUnits({
      prod: prod.copyOut(),
      sums: sums.copyOut(),
      events,
      eventBase,
      firstEvent,
      split,
      R,
      nb,
      numLevels,
    });
  });
}

/**
 * Joins the sums of consecutive time windows that together hold every event of a T-frame run
 * (each window's events are disjoint), in float units, into one whole-run EngineSums.
 */
export function joinWindows(parts: EngineSums[], T: number): EngineSums {
  const { nb, R, numLevels } = parts[0];
  const events = levelEvents(T, numLevels);
  const eventBase = cumulative(events);
  const totalEvents = events.reduce((a, b) => a + b, 0);
  const prod = new Float64Array(totalEvents * nb * R);
  const sums = new Float64Array(totalEvents * R);
  for (const p of parts) {
    for (let L = 0; L < numLevels; L++) {
      const n = p.events[L];
      if (n === 0) continue;
      const from = p.eventBase[L];
      const to = eventBase[L] + p.firstEvent[L];
      prod.set(p.prod.subarray(from * nb * R, (from + n) * nb * R), to * nb * R);
      sums.set(p.sums.subarray(from * R, (from + n) * R), to * R);
    }
  }
  return { prod, sums, events, eventBase, firstEvent: events.map(() => 0), split: 0, R, nb, numLevels };
}

/** Copies `rows` rows of `w` columns from `src` into columns [r0, r0+w) of `dst` (R columns). */
function interleave(src: Float64Array, w: number, dst: Float64Array, R: number, r0: number, rows: number): void {
  for (let row = 0; row < rows; row++) {
    const s = row * w;
    const d = row * R + r0;
    for (let r = 0; r < w; r++) dst[d + r] = src[s + r];
  }
}

/** Joins the sums of contiguous ROI groups (whole runs, in float units) column by column. */
export function joinRoiGroups(parts: EngineSums[]): EngineSums {
  const R = parts.reduce((a, p) => a + p.R, 0);
  const { nb, events, eventBase, firstEvent, numLevels } = parts[0];
  const totalEvents = events.reduce((a, b) => a + b, 0);
  const prod = new Float64Array(totalEvents * nb * R);
  const sums = new Float64Array(totalEvents * R);
  let r0 = 0;
  for (const p of parts) {
    interleave(p.prod, p.R, prod, R, r0, totalEvents * nb);
    interleave(p.sums, p.R, sums, R, r0, totalEvents);
    r0 += p.R;
  }
  return { prod, sums, events, eventBase, firstEvent, split: 0, R, nb, numLevels };
}

/** Converts int16-unit levels to float units in place (exact power-of-two scaling). */
export function toFloatUnits(s: EngineSums): EngineSums {
  for (let L = 1; L < Math.min(s.split, s.numLevels); L++) {
    // level 0 is already in float units (scale 1)
    const sP = 4 ** -L;
    const sS = 2 ** -L;
    const e0 = s.eventBase[L];
    const e1 = e0 + s.events[L];
    for (let i = e0 * s.nb * s.R; i < e1 * s.nb * s.R; i++) s.prod[i] *= sP;
    for (let i = e0 * s.R; i < e1 * s.R; i++) s.sums[i] *= sS;
  }
  s.split = 0;
  return s;
}
