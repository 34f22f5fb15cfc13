/**
 * Host side of the multi-tau engine in wasm-core/assembly/xpcs.ts (mtConfigure / mtRun): copies
 * the stack into WASM memory once, picks the exact arithmetic mode per level and returns the raw
 * per-event sums that the one-time and two-time finalisers turn into skbeam's outputs.
 */
import { StagebookError } from '../../errors/stagebook-error';
import type { FrameData } from '../frames';
import { loadCore, type Arena } from '../wasm/core';
import type { FrameKind } from './layout';

interface XpcsExports {
  xpcsStackMax(stack: number, kind: number, n: number): number;
  mtConfigure(stack: number, kind: number, T: number, P: number, pix: number, npad: number, roiStart: number, roiReal: number, R: number, nb: number, levels: number, split: number, block: number): void;
  mtRun(prod: number, sums: number, eventBase: number, kmax: number): number;
  eigPixelSums(stack: number, kind: number, T: number, P: number, pix: number, npx: number, levels: number, taus: number, nd: number, g2: number, ip: number, iff: number): number;
}

export function xpcsCore(): { core: ReturnType<typeof loadCore>; k: XpcsExports } {
  const core = loadCore('xpcs');
  return { core, k: core.exports as unknown as XpcsExports };
}

/**
 * Raw engine output in skbeam's float units: prod[((eventBase[L]+k)*nb + i)*R + r] is the ROI-r
 * bincount of Y_L[k] * Y_L[k-i], sums[(eventBase[L]+k)*R + r] the bincount of Y_L[k].
 */
export interface EngineSums {
  prod: Float64Array;
  sums: Float64Array;
  /** Events per level: floor(T / 2^L) (skbeam img_per_level). */
  events: number[];
  eventBase: number[];
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

/** Writes the stack into WASM memory; returns its address, kind and pixels per frame. */
export type StackWriter = (arena: Arena) => { ptr: number; kind: FrameKind; P: number };

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

/** Runs the engine. `where` names the public function for the NaN error. */
export function runEngine(where: string, write: StackWriter, T: number, layout: EngineLayout, numLevels: number, nb: number): EngineSums {
  const { core, k } = xpcsCore();
  const R = layout.numPixels.length;
  const events = levelEvents(T, numLevels);
  const eventBase = events.map((_, L) => events.slice(0, L).reduce((a, b) => a + b, 0));
  const totalEvents = events.reduce((a, b) => a + b, 0);
  return core.withArena((arena) => {
    const stack = write(arena);
    const maxValue = k.xpcsStackMax(stack.ptr, stack.kind, T * stack.P);
    if (Number.isNaN(maxValue)) {
      throw new StagebookError('E_NON_FINITE', `${where}: frames contain NaN; skbeam would treat such frames as bad images, stagebook rejects them`, { where, field: 'frames' });
    }
    const split = exactLevels(stack.kind, maxValue, numLevels, Math.max(...layout.numPixels));
    let bytesPerPix = 0;
    for (let L = 0; L < numLevels; L++) bytesPerPix += nb * (L < split ? 2 : 8);
    // Pixel block: all rings of a block stay in L2 (~192 KB) while every frame streams through.
    const block = Math.max(8, Math.min(8192, Math.floor(196608 / bytesPerPix / 8) * 8));
    const pix = arena.copyIn(layout.pix);
    const roiStart = arena.copyIn(layout.roiStart);
    const roiReal = arena.copyIn(Int32Array.from(layout.numPixels));
    const base = arena.copyIn(Int32Array.from(eventBase));
    const kmax = arena.copyIn(Int32Array.from(events.map((_, L) => chunkLimit(maxValue, L))));
    const prod = arena.f64(totalEvents * nb * R);
    const sums = arena.f64(totalEvents * R);
    prod.view().fill(0);
    sums.view().fill(0);
    k.mtConfigure(stack.ptr, stack.kind, T, stack.P, pix.ptr, layout.pix.length, roiStart.ptr, roiReal.ptr, R, nb, numLevels, split, block);
    k.mtRun(prod.ptr, sums.ptr, base.ptr, kmax.ptr);
    return toFloatUnits({ prod: prod.copyOut(), sums: sums.copyOut(), events, eventBase, split, R, nb, numLevels });
  });
}

/** Writer for a whole stack (the one copy into WASM memory). */
export function wholeStack(data: FrameData, kind: FrameKind, P: number): StackWriter {
  return (arena) => ({ ptr: arena.copyIn(data).ptr, kind, P });
}

/**
 * Writer that gathers only the listed raster pixels of every frame, straight into WASM memory
 * (workers use it: each gets its own pixels, padded slots (-1) become 0).
 */
export function gatheredStack(data: FrameData, kind: FrameKind, T: number, P: number, pix: Int32Array): StackWriter {
  return (arena) => {
    const n = pix.length;
    const block = kind === 0 ? arena.u16(T * n) : kind === 1 ? arena.u32(T * n) : kind === 2 ? arena.f32(T * n) : arena.f64(T * n);
    const out = block.view();
    for (let t = 0; t < T; t++) {
      const src = t * P;
      const dst = t * n;
      for (let j = 0; j < n; j++) {
        const p = pix[j];
        out[dst + j] = p < 0 ? 0 : data[src + p];
      }
    }
    return { ptr: block.ptr, kind, P: n };
  };
}

/** Merges per-worker engine sums (contiguous ROI groups) into one, column by column. */
export function mergeSums(parts: EngineSums[]): EngineSums {
  const R = parts.reduce((a, p) => a + p.R, 0);
  const { nb, events, eventBase, numLevels } = parts[0];
  const totalEvents = events.reduce((a, b) => a + b, 0);
  const prod = new Float64Array(totalEvents * nb * R);
  const sums = new Float64Array(totalEvents * R);
  let r0 = 0;
  for (const p of parts) {
    for (let row = 0; row < totalEvents * nb; row++) for (let r = 0; r < p.R; r++) prod[row * R + r0 + r] = p.prod[row * p.R + r];
    for (let row = 0; row < totalEvents; row++) for (let r = 0; r < p.R; r++) sums[row * R + r0 + r] = p.sums[row * p.R + r];
    r0 += p.R;
  }
  return { prod, sums, events, eventBase, split: 0, R, nb, numLevels };
}

/** Converts int16-unit levels to float units in place (exact power-of-two scaling). */
export function toFloatUnits(s: EngineSums): EngineSums {
  for (let L = 0; L < Math.min(s.split, s.numLevels); L++) {
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
