/**
 * `xpcsCorr`: XPCS-Eigen `corr` as a library call (xpcs-eigen@08486b7 main.cpp): preprocessing,
 * frame-sum normalisation, intensity products, multi-tau or two-time, and every dataset corr
 * writes under its output group, keyed by dataset name. In memory: per-pixel sparse rows of the
 * preprocessed frames, like corr's SparseData. docs/xpcs-corr.md describes both modes.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { eigenDelays, eigenLevelMax } from './eigen';
import { buildCorrBins, type CorrBins } from './corr-bins';
import { runCorrFilter, type CorrFilterProducts } from './corr-filter';
import { corrNormalize, corrPixelMultiTau, type CorrPixelSums, type CorrRow } from './corr-multitau';
import { corrFrameCounts, corrNormFactor, parseXpcsCorrSettings, type XpcsCorrSettings } from './corr-settings';
import type { CorrFrameSource } from './corr-source';
import { corrTwoTime, type CorrDataset } from './corr-twotime';
import { DenseCorrSeries } from './corr-dense';

export interface XpcsCorrResult {
  /** Dataset name under the output group (e.g. `norm-0-g2`, `C2T_all/g2_00001`) -> data + HDF5 shape. */
  datasets: Map<string, CorrDataset>;
  settings: XpcsCorrSettings;
  frames: number;
  delays: Array<[number, number]>;
  /** Dynamic q-bins, one per column of norm-0-g2. */
  dynamicBins: number[];
}

/** Grows per-pixel rows from the filter's frames (SparseData::Pixel push_back). */
class RowBuilder {
  private idx: number[][] = [];
  private val: number[][] = [];
  constructor(px: number) {
    this.idx = new Array(px);
    this.val = new Array(px);
  }

  add(f: number, pixels: Int32Array, values: Float64Array, n: number): void {
    for (let k = 0; k < n; k++) {
      const p = pixels[k];
      (this.idx[p] ??= []).push(f);
      (this.val[p] ??= []).push(values[k]);
    }
  }

  rows(): (CorrRow | undefined)[] {
    return Array.from(this.idx, (ix, p) =>
      ix ? { idx: Int32Array.from(ix), val: Float64Array.from(this.val[p]) } : undefined,
    );
  }
}

/** The delay ladder of N frames (Corr::delaysPerLevel with calculateLevelMax). */
export function corrDelays(N: number, dpl: number): Array<[number, number]> {
  return eigenDelays(N, dpl, eigenLevelMax(N, dpl));
}

/** main.cpp:313-337: I /= framesum[f] / mean(framesum), after the intensity products were taken. */
function normalizeByFramesum(rows: (CorrRow | undefined)[], frameMean: Float64Array): void {
  let sum = 0;
  for (let f = 0; f < frameMean.length; f++) sum += frameMean[f];
  const mean = sum / frameMean.length;
  for (const r of rows)
    if (r) for (let j = 0; j < r.idx.length; j++) r.val[j] = r.val[j] / (frameMean[r.idx[j]] / mean);
}

/** pixelSum, frameSum, partition means, norm factor and timestamps (main.cpp:339-404). */
export function intensityDatasets(
  s: XpcsCorrSettings,
  bins: CorrBins,
  p: CorrFilterProducts,
  out: Map<string, CorrDataset>,
): void {
  const N = p.frames;
  const [H, W] = s.shape;
  const S = bins.totalStatic;
  const win = s.staticMeanWindowSize;
  const pixelSum = Float64Array.from(p.pixelSum, (v) => v / N);
  const frameSum = new Float64Array(2 * N);
  for (let f = 0; f < N; f++) {
    frameSum[f] = f + 1;
    frameSum[N + f] = p.frameMean[f];
  }
  const parts = Math.floor(N / win);
  const partial = new Float64Array(parts * S);
  for (let j = 0; j < parts; j++)
    for (let i = 0; i < S; i++) partial[j * S + i] = p.partialSum[j * S + i] / (bins.pixelsPerSbin[i] * win);
  const total = Float64Array.from(p.partitionSum, (v, i) => v / (bins.pixelsPerSbin[i] * N));
  const real = p.clock.length / 2;
  out.set('pixelSum', { data: pixelSum, shape: [H, W] });
  out.set('frameSum', { data: frameSum, shape: [2, N] });
  out.set('partition-mean-total', { data: total, shape: [1, S] });
  out.set('partition-mean-partial', { data: partial, shape: [parts, S] });
  const norm = corrNormFactor(s);
  if (norm !== null) out.set('partition_norm_factor', { data: Float64Array.of(norm), shape: [1, 1] });
  out.set('timestamp_clock', { data: p.clock, shape: [2, real] });
  out.set('timestamp_tick', { data: p.tick, shape: [2, real] });
}

/** multiTau2 over the per-pixel rows (compat mode, sparse sources), X[d * slots + slot]. */
function rowSums(
  s: XpcsCorrSettings,
  bins: CorrBins,
  rows: (CorrRow | undefined)[],
  N: number,
  delays: Array<[number, number]>,
): { sums: CorrPixelSums; slotOf: Int32Array } {
  const compat = s.compat === 'xpcs-eigen';
  const px = s.shape[0] * s.shape[1];
  const slotOf = new Int32Array(px).fill(-1);
  let slots = 0;
  for (let p = 0; p < px; p++) if (bins.valid[p]) slotOf[p] = slots++;
  const nd = delays.length;
  const sums: CorrPixelSums = {
    G2: new Float64Array(nd * slots),
    IP: new Float64Array(nd * slots),
    IF: new Float64Array(nd * slots),
    slots,
  };
  rows.forEach((r, p) => {
    if (r && slotOf[p] >= 0) corrPixelMultiTau(r, N, delays, compat, sums, slotOf[p]);
  });
  return { sums, slotOf };
}

function multiTauDatasets(
  s: XpcsCorrSettings,
  bins: CorrBins,
  { sums, slotOf }: { sums: CorrPixelSums; slotOf: Int32Array },
  delays: Array<[number, number]>,
  out: Map<string, CorrDataset>,
): void {
  const compat = s.compat === 'xpcs-eigen';
  const px = s.shape[0] * s.shape[1];
  const nd = delays.length;
  const slots = sums.slots;
  const { g2, stderr, nq } = corrNormalize(sums, slotOf, bins, nd, compat);
  out.set('tau', { data: Float64Array.from(delays, ([, t]) => t), shape: [1, nd] });
  out.set('norm-0-g2', { data: g2, shape: [nd, nq] });
  out.set('norm-0-stderr', { data: stderr, shape: [nd, nq] });
  if (s.g2out) {
    for (const [name, X] of [
      ['G2', sums.G2],
      ['IP', sums.IP],
      ['IF', sums.IF],
    ] as const) {
      const full = new Float64Array(nd * px);
      for (let d = 0; d < nd; d++)
        for (let p = 0; p < px; p++) if (slotOf[p] >= 0) full[d * px + p] = X[d * slots + slotOf[p]];
      out.set(name, { data: full, shape: [nd, px] });
    }
  }
}

/** --frameout N (main.cpp:276-309): the first N preprocessed frames, dense, before normalisation. */
function frameOut(s: XpcsCorrSettings, N: number): { keep: boolean; data: Float64Array } {
  const px = s.shape[0] * s.shape[1];
  const keep = s.frameout > 0 && s.frameout < N;
  return { keep, data: new Float64Array(keep ? s.frameout * px : 0) };
}

function checkTwoTime(where: string, s: XpcsCorrSettings, N: number): void {
  if (s.analysisType !== 'Twotime') return;
  if (s.twotime2onetimeWindowSize > N) {
    throw new StagebookError(
      'E_CONFIG_UNSUPPORTED',
      `${where}: E_CONFIG_UNSUPPORTED: /xpcs/twotime2onetime_window_size = ${s.twotime2onetimeWindowSize}: larger than the ${N} frames to correlate (corr allocates a negative size)`,
      {
        where,
        field: '/xpcs/twotime2onetime_window_size',
        value: String(s.twotime2onetimeWindowSize),
      },
    );
  }
}

/**
 * Runs corr on `source` with `settings` (see XpcsCorrSettingsInput).
 * @throws StagebookError E_INVALID_ARGUMENT / E_CONFIG_UNSUPPORTED / E_TRUNCATED / E_EMPTY_INPUT
 */
export function xpcsCorr(source: CorrFrameSource, settingsInput: unknown): XpcsCorrResult {
  const where = 'xpcsCorr';
  const s = parseXpcsCorrSettings(where, settingsInput);
  const bins = buildCorrBins(where, s);
  const { frames: N } = corrFrameCounts(s);
  if (N < 1) {
    throw new StagebookError(
      'E_EMPTY_INPUT',
      `${where}: data_begin_todo..data_end_todo = ${s.dataBeginTodo}..${s.dataEndTodo} holds fewer than stride_frames*avg_frames = ${s.strideFrames * s.avgFrames} frames`,
      { where, field: '/xpcs/data_end_todo' },
    );
  }
  checkTwoTime(where, s, N);
  // Dense frames in the default mode multi-tau: a dense series per pixel and the wasm kernel
  // (corr-dense.ts); otherwise corr's per-pixel sparse rows.
  const dense =
    s.compat === 'none' && s.analysisType === 'Multitau' && !source.sparse ? new DenseCorrSeries(bins, N) : null;
  const builder = dense ? null : new RowBuilder(s.shape[0] * s.shape[1]);
  const fo = frameOut(s, N);
  const px = s.shape[0] * s.shape[1];
  const products = runCorrFilter(where, s, bins, source, (f, pixels, values, n) => {
    if (dense) dense.add(f, pixels, values, n);
    else builder!.add(f, pixels, values, n);
    if (fo.keep && f < s.frameout) for (let k = 0; k < n; k++) fo.data[f * px + pixels[k]] = values[k];
  });
  const out = new Map<string, CorrDataset>();
  intensityDatasets(s, bins, products, out);
  if (fo.keep) out.set('frames_out', { data: fo.data, shape: [s.frameout, s.shape[0], s.shape[1]] });
  if (s.darkout && products.darkAvg) {
    out.set('DarkAvg', { data: products.darkAvg, shape: [...s.shape] });
    out.set('DarkStd', { data: products.darkStd!, shape: [...s.shape] });
  }
  const delays = corrDelays(N, s.delaysPerLevel);
  if (dense) {
    if (s.normalizeByFramesum) dense.normalizeByFramesum(products.frameMean);
    const sums = dense.finite()
      ? { sums: dense.sums(delays), slotOf: dense.slotOf }
      : rowSums(s, bins, dense.rows(), N, delays);
    multiTauDatasets(s, bins, sums, delays, out);
    return { datasets: out, settings: s, frames: N, delays, dynamicBins: [...bins.qbins.keys()] };
  }
  const rows = builder!.rows();
  if (s.normalizeByFramesum) normalizeByFramesum(rows, products.frameMean);
  if (s.analysisType === 'Twotime') for (const [k, v] of corrTwoTime(s, bins, rows, N)) out.set(k, v);
  else multiTauDatasets(s, bins, rowSums(s, bins, rows, N, delays), delays, out);
  return { datasets: out, settings: s, frames: N, delays, dynamicBins: [...bins.qbins.keys()] };
}
