/**
 * XPCS-Eigen multi-tau (src/xpcs/corr.cpp: delaysPerLevel, calculateLevelMax, multiTau2,
 * normalizeG2s; bin maps from configuration.cpp BuildQMap) in float64.
 */
import { StagebookError } from '../../errors/stagebook-error';
import type { Frames } from '../frames';
import { xpcsCore } from './engine';
import { checkStack, frameKind, readLabelMap, requireInt, type FrameKind } from './layout';

/** Options of {@link xpcsMultiTau}. */
export interface XpcsMultiTauOptions {
  /** XPCS-Eigen delays_per_level (dpl >= 1): level 0 has 2*dpl delays, higher levels dpl. */
  delaysPerLevel: number;
}

/** Result of {@link xpcsMultiTau}; g2/stderr are [tau][q] with q in `dynamicBins` order. */
export interface XpcsMultiTauResult {
  /** Delay of each column in frames (XPCS-Eigen /exchange/tau). */
  taus: number[];
  /** Multi-tau level of each delay. */
  levels: number[];
  levelMax: number;
  /** Dynamic q bins present (ascending). */
  dynamicBins: number[];
  g2: Float64Array[];
  stderr: Float64Array[];
}

/** Corr::calculateLevelMax. */
export function eigenLevelMax(frames: number, dpl: number): number {
  if (frames < dpl * 2) return 0;
  return Math.trunc(Math.floor(Math.log2(frames) - Math.log2(1 + 1 / dpl)) - Math.log2(dpl));
}

/** Corr::delaysPerLevel: [level, tau in frames] pairs; stops a level when last+step+2^L > frames. */
export function eigenDelays(frames: number, dpl: number, levelMax: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let last = 0;
  for (let L = 0; L <= levelMax; L++) {
    const step = 2 ** L;
    const count = L === 0 ? 2 * dpl : dpl;
    for (let j = 0; j < count; j++) {
      if (last + step + step > frames) break;
      out.push([L, last + step]);
      last += step;
    }
  }
  return out;
}

/**
 * BuildQMap: q -> (static bin -> raster pixels), pixels with dq >= 1 and sq >= 1. A static bin
 * seen under several q bins is kept only under the q holding most of its pixels (first on ties),
 * with only that q's pixels (the C++ merges into a copy, so the other pixels are dropped).
 */
export function eigenBinMaps(dq: Float64Array, sq: Float64Array): Map<number, Map<number, number[]>> {
  const qbins = new Map<number, Map<number, number[]>>();
  for (let p = 0; p < dq.length; p++) {
    if (dq[p] < 1 || sq[p] < 1) continue;
    let m = qbins.get(dq[p]);
    if (!m) qbins.set(dq[p], (m = new Map()));
    let list = m.get(sq[p]);
    if (!list) m.set(sq[p], (list = []));
    list.push(p);
  }
  const owners = new Map<number, number[]>();
  for (const q of [...qbins.keys()].sort((a, b) => a - b))
    for (const s of qbins.get(q)!.keys()) owners.set(s, [...(owners.get(s) ?? []), q]);
  for (const [s, qs] of owners) {
    if (qs.length < 2) continue;
    let best = qs[0];
    for (const q of qs) if (qbins.get(q)!.get(s)!.length > qbins.get(best)!.get(s)!.length) best = q;
    for (const q of qs) if (q !== best) qbins.get(q)!.delete(s);
  }
  const sorted = new Map<number, Map<number, number[]>>();
  for (const q of [...qbins.keys()].sort((a, b) => a - b)) {
    const m = qbins.get(q)!;
    sorted.set(q, new Map([...m.keys()].sort((a, b) => a - b).map((s) => [s, m.get(s)!])));
  }
  return sorted;
}

/** Per-pixel sums (delay-major, pixel-minor), as eigPixelSums returns them. */
export interface PixelSums {
  G2: Float64Array;
  IP: Float64Array;
  IF: Float64Array;
}

/** Runs the per-pixel multiTau2 kernel for raster pixels `pix` of a stack with P pixels per frame. */
export function eigenPixelSums(
  data: Frames['data'],
  kind: FrameKind,
  T: number,
  P: number,
  pix: Int32Array,
  delays: Array<[number, number]>,
): PixelSums {
  const { core, k } = xpcsCore();
  const nd = delays.length;
  const npx = pix.length;
  return core.withArena((arena) => {
    const stack = arena.copyIn(data);
    const pixB = arena.copyIn(pix);
    const levels = arena.copyIn(Int32Array.from(delays.map(([L]) => L)));
    const taus = arena.copyIn(Int32Array.from(delays.map(([L, tau]) => tau / 2 ** L)));
    const g2 = arena.f64(nd * npx);
    const ip = arena.f64(nd * npx);
    const iff = arena.f64(nd * npx);
    k.eigPixelSums(stack.ptr, kind, T, P, pixB.ptr, npx, levels.ptr, taus.ptr, nd, g2.ptr, ip.ptr, iff.ptr);
    return { G2: g2.copyOut(), IP: ip.copyOut(), IF: iff.copyOut() };
  });
}

/**
 * normalizeG2s: per static bin g2_s = mean(G2) / (mean(IP) mean(IF)); per q the mean of its
 * static bins' g2_s skipping NaN; stderr per q from a Welford pass over the per-pixel
 * G2/(IP IF) (NaN -> 0 and not counted), sqrt(1/n) * sqrt(M2/n).
 */
export function eigenNormalize(
  sums: PixelSums,
  pixIndex: Map<number, number>,
  qbins: Map<number, Map<number, number[]>>,
  nd: number,
) {
  const { G2, IP, IF } = sums;
  const npx = pixIndex.size;
  const at = (arr: Float64Array, d: number, p: number) => arr[d * npx + pixIndex.get(p)!];
  const g2 = Array.from({ length: nd }, () => new Float64Array(qbins.size));
  const stderr = Array.from({ length: nd }, () => new Float64Array(qbins.size));
  let qi = 0;
  for (const sbins of qbins.values()) {
    for (let d = 0; d < nd; d++) {
      let acc = 0;
      let count = 0;
      for (const pixels of sbins.values()) {
        let g = 0,
          ip = 0,
          fi = 0;
        for (const p of pixels) {
          g += at(G2, d, p);
          ip += at(IP, d, p);
          fi += at(IF, d, p);
        }
        const n = pixels.length;
        const gs = g / n / ((ip / n) * (fi / n));
        if (!Number.isNaN(gs)) {
          acc += gs;
          count++;
        }
      }
      g2[d][qi] = acc / count;
      let avg = 0,
        m2 = 0,
        samples = 0;
      for (const pixels of sbins.values()) {
        for (const p of pixels) {
          let x = at(G2, d, p) / (at(IP, d, p) * at(IF, d, p));
          if (Number.isNaN(x)) x = 0;
          else samples += 1;
          const prev = avg;
          let inc = (x - prev) / samples;
          if (Number.isNaN(inc)) inc = 0;
          avg += inc;
          m2 += (x - prev) * (x - avg);
        }
      }
      stderr[d][qi] = Math.sqrt(1 / samples) * Math.sqrt(m2 / samples);
    }
    qi++;
  }
  return { g2, stderr };
}

/** Validates and prepares everything but the pixel sums (shared with the parallel variant). */
export function prepareEigen(
  where: string,
  frames: Frames,
  dqmap: ArrayLike<number>,
  sqmap: ArrayLike<number>,
  opts: XpcsMultiTauOptions,
) {
  checkStack(where, frames);
  if (!opts || typeof opts !== 'object') {
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: options {delaysPerLevel} are required`, {
      where,
      field: 'opts',
    });
  }
  const dpl = requireInt(where, 'delaysPerLevel', opts.delaysPerLevel, 1);
  const [T, H, W] = frames.shape;
  const dq = readLabelMap(where, 'dqmap', dqmap, H * W);
  const sq = readLabelMap(where, 'sqmap', sqmap, H * W);
  const qbins = eigenBinMaps(dq, sq);
  if (qbins.size === 0) {
    throw new StagebookError('E_EMPTY_INPUT', `${where}: no pixel has both dqmap >= 1 and sqmap >= 1`, {
      where,
      field: 'dqmap',
    });
  }
  const levelMax = eigenLevelMax(T, dpl);
  const delays = eigenDelays(T, dpl, levelMax);
  const pixels: number[] = [];
  for (const sbins of qbins.values()) for (const list of sbins.values()) pixels.push(...list);
  const pix = Int32Array.from(pixels.sort((a, b) => a - b));
  return { levelMax, delays, qbins, pix, T, P: H * W, kind: frameKind(frames) };
}

export function eigenResult(prep: ReturnType<typeof prepareEigen>, sums: PixelSums): XpcsMultiTauResult {
  const pixIndex = new Map<number, number>();
  prep.pix.forEach((p, i) => pixIndex.set(p, i));
  const { g2, stderr } = eigenNormalize(sums, pixIndex, prep.qbins, prep.delays.length);
  return {
    taus: prep.delays.map(([, tau]) => tau),
    levels: prep.delays.map(([L]) => L),
    levelMax: prep.levelMax,
    dynamicBins: [...prep.qbins.keys()],
    g2,
    stderr,
  };
}

/** Throws E_NON_FINITE when a float stack holds NaN. */
export function rejectNaN(where: string, frames: Frames): void {
  const d = frames.data;
  if (d instanceof Uint16Array || d instanceof Uint32Array) return;
  for (let i = 0; i < d.length; i++) {
    if (Number.isNaN(d[i]))
      throw new StagebookError('E_NON_FINITE', `${where}: frames contain NaN (first at flat index ${i})`, {
        where,
        field: 'frames',
        index: i,
      });
  }
}

/**
 * XPCS-Eigen multi-tau g2 and standard error per dynamic q bin (float64 port of Corr::multiTau2 +
 * Corr::normalizeG2s): delay ladder of `delaysPerLevel`, level binning by pairwise frame
 * averaging, symmetric normalisation averaged over the static bins of each q.
 *
 * @param dqmap H*W dynamic bins (>= 1 used), @param sqmap H*W static bins (>= 1 used)
 * @throws StagebookError E_INVALID_SHAPE / E_INVALID_ARGUMENT / E_EMPTY_INPUT / E_NON_FINITE
 */
export function xpcsMultiTau(
  frames: Frames,
  dqmap: ArrayLike<number>,
  sqmap: ArrayLike<number>,
  opts: XpcsMultiTauOptions,
): XpcsMultiTauResult {
  const where = 'xpcsMultiTau';
  const prep = prepareEigen(where, frames, dqmap, sqmap, opts);
  rejectNaN(where, frames);
  const sums = eigenPixelSums(frames.data, prep.kind, prep.T, prep.P, prep.pix, prep.delays);
  return eigenResult(prep, sums);
}
