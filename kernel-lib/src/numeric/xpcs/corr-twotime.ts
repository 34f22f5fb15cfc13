/**
 * corr's two-time path (xpcs-eigen@08486b7 corr.cpp:433-560 smoothing, 781-924
 * twotimeQBinThreading, 1166-1305 ComputeSG*) on per-pixel rows, float64.
 */
import type { CorrBins } from './corr-bins';
import type { CorrRow } from './corr-multitau';
import type { XpcsCorrSettings } from './corr-settings';

export interface CorrDataset {
  data: Float64Array;
  shape: number[];
}

/** Mean per frame of each group of pixels (sg), or its time average with the `Average` filter. */
function groupMeans(groups: number[][], rows: (CorrRow | undefined)[], N: number, average: boolean): Float64Array {
  const sg = new Float64Array(groups.length * N);
  groups.forEach((pixels, b) => {
    for (const p of pixels) {
      const r = rows[p];
      if (r) for (let j = 0; j < r.idx.length; j++) sg[b * N + r.idx[j]] += r.val[j];
    }
    for (let f = 0; f < N; f++) sg[b * N + f] /= pixels.length;
  });
  if (!average) return sg;
  const avg = new Float64Array(groups.length);
  for (let b = 0; b < groups.length; b++) {
    for (let f = 0; f < N; f++) avg[b] += sg[b * N + f];
    avg[b] /= N;
  }
  return avg;
}

/**
 * Smoothing divides every value by the mean of its group at that frame: the processed q-bin
 * (`symmetric`) or its static bin (`StaticMap`); `Average` uses the time average instead.
 * Returns `sg` as corr writes it: (groups, N) or (groups, 1).
 */
export function corrSmooth(s: XpcsCorrSettings, bins: CorrBins, rows: (CorrRow | undefined)[], N: number): CorrDataset {
  const average = s.smoothingFilter === 'Average';
  const groups: number[][] = [];
  if (s.smoothingMethod === 'symmetric') groups.push(...bins.qbinToPixels.values());
  else for (const q of bins.qbinToPixels.keys()) groups.push(...bins.qbins.get(q)!.values());
  const sg = groupMeans(groups, rows, N, average);
  groups.forEach((pixels, b) => {
    for (const p of pixels) {
      const r = rows[p];
      if (!r) continue;
      for (let j = 0; j < r.idx.length; j++) r.val[j] /= average ? sg[b] : sg[b * N + r.idx[j]];
    }
  });
  return { data: sg, shape: [groups.length, average ? 1 : N] };
}

/** C(i, j) = sum_p I_p(i) I_p(j) / Npix for j >= i (lower triangle 0), Npix = pixels of the q-bin with or without data. */
export function corrTwoTimeMap(pixels: number[], rows: (CorrRow | undefined)[], N: number): Float64Array {
  const c = new Float64Array(N * N);
  for (const p of pixels) {
    const r = rows[p];
    if (!r) continue;
    const { idx, val } = r;
    for (let j = 0; j < idx.length; j++) {
      const base = idx[j] * N;
      const v0 = val[j];
      for (let k = j; k < idx.length; k++) c[base + idx[k]] += v0 * val[k];
    }
  }
  for (let i = 0; i < c.length; i++) c[i] /= pixels.length;
  return c;
}

/**
 * g2full[k] = mean of the k-th upper diagonal; g2partials[k][win] = sum of the diagonal-k entries
 * whose start row falls in window `win` (of `w` rows), divided by w, for k < w and
 * win < (N - w) // w (one window fewer than N // w, as corr does).
 */
export function corrDiagonals(
  c: Float64Array,
  N: number,
  w: number,
  full: Float64Array,
  partial: Float64Array,
  q: number,
  nq: number,
): void {
  const parts = Math.floor((N - w) / w);
  for (let k = 0; k < N; k++) {
    let sum = 0;
    for (let x = 0; x < N - k; x++) {
      const v = c[x * N + x + k];
      sum += v;
      const win = Math.floor(x / w);
      if (k < w && win < parts) partial[(k * parts + win) * nq + q] += v;
    }
    full[k * nq + q] = sum / (N - k);
  }
}

/** The whole two-time product set for the processed q-bins. */
export function corrTwoTime(
  s: XpcsCorrSettings,
  bins: CorrBins,
  rows: (CorrRow | undefined)[],
  N: number,
): Map<string, CorrDataset> {
  const out = new Map<string, CorrDataset>();
  const sg = corrSmooth(s, bins, rows, N);
  const w = s.twotime2onetimeWindowSize;
  const parts = Math.floor((N - w) / w);
  const qs = [...bins.qbinToPixels.keys()];
  const nq = qs.length;
  const full = new Float64Array(N * nq);
  const partial = new Float64Array(w * parts * nq);
  qs.forEach((q, i) => {
    const c = corrTwoTimeMap(bins.qbinToPixels.get(q)!, rows, N);
    out.set(`C2T_all/g2_${String(q).padStart(5, '0')}`, { data: c, shape: [N, N] });
    corrDiagonals(c, N, w, full, partial, i, nq);
  });
  for (let i = 0; i < partial.length; i++) partial[i] /= w;
  out.set('g2full', { data: full, shape: [N, nq] });
  out.set('g2partials', { data: partial, shape: [w, parts, nq] });
  out.set('sg', sg);
  return out;
}
