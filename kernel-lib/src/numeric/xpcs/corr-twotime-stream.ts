/**
 * Two-time in tiles (corr.cpp twotimeQBinThreading, streamed): the C2T maps are produced block of
 * rows by block of rows and handed to a sink (an HDF5 writer) as they are finished, so a 10^4-frame
 * map is never held whole. One pass gives the frame sums (frame-sum normalisation) and the
 * smoothing means sg; then each row block [i0, i1) is one pass over the source: frames i0..i1-1
 * are kept (only the processed q-bins' pixels), every later frame f adds X[i] . x_f to C[i][f].
 * Sums run in the in-memory path's order (pixels in q-bin list order, diagonals in ascending row
 * order), so the results are bit-identical to xpcsCorr (tested).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { buildCorrBins, type CorrBins } from './corr-bins';
import { runCorrFilter, type CorrFilterProducts } from './corr-filter';
import { corrFrameCounts, parseXpcsCorrSettings, type XpcsCorrSettings } from './corr-settings';
import type { CorrFrameSource } from './corr-source';
import type { CorrDataset } from './corr-twotime';
import { intensityDatasets, type XpcsCorrResult } from './corr';

/** Receives finished rows [i0, i1) of the N x N map of q-bin `q` (row-major, (i1-i0) * N values). */
export interface TwoTimeTileSink {
  rows(q: number, i0: number, i1: number, data: Float64Array): void;
}

export interface XpcsTwoTimeStreamOptions {
  /** Bytes for the row tiles of all processed q-bins; default 512 MiB. */
  memoryBudgetBytes?: number;
}

/** Per processed q-bin: its pixel list position of each pixel, and its smoothing group. */
interface Layout {
  qs: number[];
  qOf: Int32Array;
  posOf: Int32Array;
  groupOf: Int32Array;
  groupPos: Int32Array;
  npix: number[];
  groups: number;
  groupSize: number[];
}

function layoutOf(s: XpcsCorrSettings, bins: CorrBins): Layout {
  const px = s.shape[0] * s.shape[1];
  const L: Layout = {
    qs: [...bins.qbinToPixels.keys()],
    qOf: new Int32Array(px).fill(-1),
    posOf: new Int32Array(px),
    groupOf: new Int32Array(px).fill(-1),
    groupPos: new Int32Array(px),
    npix: [],
    groups: 0,
    groupSize: [],
  };
  L.qs.forEach((q, qi) => {
    const list = bins.qbinToPixels.get(q)!;
    L.npix.push(list.length);
    list.forEach((p, i) => {
      L.qOf[p] = qi;
      L.posOf[p] = i;
    });
    const groups = s.smoothingMethod === 'symmetric' ? [list] : [...bins.qbins.get(q)!.values()];
    for (const g of groups) {
      g.forEach((p, i) => {
        L.groupOf[p] = L.groups;
        L.groupPos[p] = i;
      });
      L.groupSize.push(g.length);
      L.groups++;
    }
  });
  return L;
}

/** Sorts a frame's kept entries of the processed q-bins by (key), returning pixel indices. */
function ordered(pixels: Int32Array, n: number, key: (p: number) => number, keep: (p: number) => boolean): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) if (keep(pixels[k])) out.push(k);
  return out.sort((a, b) => key(pixels[a]) - key(pixels[b]));
}

export function xpcsTwoTimeStream(
  source: CorrFrameSource,
  settingsInput: unknown,
  sink: TwoTimeTileSink,
  options: XpcsTwoTimeStreamOptions = {},
): XpcsCorrResult & { passes: number; rowsPerTile: number } {
  const where = 'xpcsTwoTimeStream';
  const s = parseXpcsCorrSettings(where, settingsInput);
  if (s.analysisType !== 'Twotime')
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: settings.analysisType must be Twotime`, {
      where,
      field: 'settings.analysisType',
    });
  const bins = buildCorrBins(where, s);
  const N = corrFrameCounts(s).frames;
  const w = s.twotime2onetimeWindowSize;
  if (N < 1 || w > N)
    throw new StagebookError(
      'E_CONFIG_UNSUPPORTED',
      `${where}: E_CONFIG_UNSUPPORTED: /xpcs/twotime2onetime_window_size = ${w}: larger than the ${N} frames to correlate`,
      { where, field: '/xpcs/twotime2onetime_window_size', value: String(w) },
    );
  const L = layoutOf(s, bins);
  const average = s.smoothingFilter === 'Average';
  // Pass 1: frame sums (and sg when no frame-sum normalisation is needed first).
  let products: CorrFilterProducts = runCorrFilter(where, s, bins, source, () => undefined);
  let passes = 1;
  const mean = products.frameMean.reduce((a, b) => a + b, 0) / N;
  const norm = (v: number, f: number) => (s.normalizeByFramesum ? v / (products.frameMean[f] / mean) : v);
  const sg = new Float64Array(L.groups * N);
  runCorrFilter(where, s, bins, source, (f, pixels, values, n) => {
    for (const k of ordered(
      pixels,
      n,
      (p) => L.groupOf[p] * 1e9 + L.groupPos[p],
      (p) => L.groupOf[p] >= 0,
    ))
      sg[L.groupOf[pixels[k]] * N + f] += norm(values[k], f);
  });
  passes++;
  for (let g = 0; g < L.groups; g++) for (let f = 0; f < N; f++) sg[g * N + f] /= L.groupSize[g];
  const sgOut = average
    ? Float64Array.from({ length: L.groups }, (_, g) => sg.subarray(g * N, (g + 1) * N).reduce((a, b) => a + b, 0) / N)
    : sg;
  const smooth = (v: number, p: number, f: number) => v / (average ? sgOut[L.groupOf[p]] : sg[L.groupOf[p] * N + f]);
  const nq = L.qs.length;
  const maxPix = Math.max(1, ...L.npix);
  const budget = options.memoryBudgetBytes ?? 512 * 2 ** 20;
  const rb = Math.max(1, Math.min(N, Math.floor(budget / (nq * 8 * (N + maxPix) + 1))));
  const parts = Math.floor((N - w) / w);
  const full = new Float64Array(N * nq);
  const partial = new Float64Array(w * parts * nq);
  for (let i0 = 0; i0 < N; i0 += rb) {
    const i1 = Math.min(N, i0 + rb);
    const X = L.qs.map((_, qi) => new Float64Array((i1 - i0) * L.npix[qi]));
    const has = L.qs.map((_, qi) => new Uint8Array((i1 - i0) * L.npix[qi]));
    const C = L.qs.map(() => new Float64Array((i1 - i0) * N));
    runCorrFilter(where, s, bins, source, (f, pixels, values, n) => {
      if (f < i0) return;
      for (const k of ordered(
        pixels,
        n,
        (p) => L.qOf[p] * 1e9 + L.posOf[p],
        (p) => L.qOf[p] >= 0,
      )) {
        const p = pixels[k];
        const qi = L.qOf[p];
        const pos = L.posOf[p];
        const np = L.npix[qi];
        const v = smooth(norm(values[k], f), p, f);
        if (f < i1) {
          X[qi][(f - i0) * np + pos] = v;
          has[qi][(f - i0) * np + pos] = 1;
        }
        // C[i][f] += x_i(p) x_f(p) for the rows i <= f of the block where p has a value (corr.cpp:870-880).
        const last = Math.min(f, i1 - 1);
        for (let i = i0; i <= last; i++)
          if (has[qi][(i - i0) * np + pos]) C[qi][(i - i0) * N + f] += X[qi][(i - i0) * np + pos] * v;
      }
    });
    passes++;
    L.qs.forEach((q, qi) => {
      const c = C[qi];
      for (let j = 0; j < c.length; j++) c[j] /= L.npix[qi];
      for (let x = i0; x < i1; x++) {
        for (let k = 0; x + k < N; k++) {
          const v = c[(x - i0) * N + x + k];
          full[k * nq + qi] += v;
          const win = Math.floor(x / w);
          if (k < w && win < parts) partial[(k * parts + win) * nq + qi] += v;
        }
      }
      sink.rows(q, i0, i1, c);
    });
  }
  for (let k = 0; k < N; k++) for (let qi = 0; qi < nq; qi++) full[k * nq + qi] /= N - k;
  for (let i = 0; i < partial.length; i++) partial[i] /= w;
  const out = new Map<string, CorrDataset>();
  intensityDatasets(s, bins, products, out);
  products = undefined as unknown as CorrFilterProducts;
  out.set('g2full', { data: full, shape: [N, nq] });
  out.set('g2partials', { data: partial, shape: [w, parts, nq] });
  out.set('sg', { data: sgOut, shape: [L.groups, average ? 1 : N] });
  return {
    datasets: out,
    settings: s,
    frames: N,
    delays: [],
    dynamicBins: [...bins.qbins.keys()],
    passes,
    rowsPerTile: rb,
  };
}
