/**
 * corr's preprocessing (xpcs-eigen@08486b7 main.cpp:222-270, filter/dense_filter.cpp,
 * filter/sparse_filter.cpp, data_structure/dark_image.cpp) in float64: dark block, threshold,
 * flat field, stride/average blocks, and the intensity products accumulated as frames pass.
 * Each output frame is handed to a sink as (ascending pixels, values): the caller keeps per-pixel
 * rows (in-memory) or feeds streaming correlators, so nothing here grows with the frame count
 * except the per-frame products corr itself writes (frameSum, timestamps).
 */
import type { PlainFrameRouter, RoutedFrame } from './corr-plain-router';
import { configUnsupported, corrDarkFrames, corrFrameCounts, type XpcsCorrSettings } from './corr-settings';
import type { CorrBins } from './corr-bins';
import type { CorrFrameSource, CorrRawFrame } from './corr-source';

/** Receives output frame `f`: `pixels` ascending, `values` the preprocessed intensities (views, valid during the call). */
export type CorrFrameSink = (f: number, pixels: Int32Array, values: Float64Array, count: number) => void;

export interface CorrFilterProducts {
  frames: number;
  /** Per-pixel sum of the stored values (H*W; divided by N later, main.cpp:339-342). */
  pixelSum: Float64Array;
  /** Per output frame: sum of stored values / (H*W) (dense_filter.cpp:206, all pixels counted). */
  frameMean: Float64Array;
  partitionSum: Float64Array;
  /** [window][sbin] sums; window = frame // static_mean_window_size. */
  partialSum: Float64Array;
  /** (2, real frames): row 0 = 1.., row 1 = elapsed / tick; NaN where corr never writes. */
  clock: Float64Array;
  tick: Float64Array;
  darkAvg: Float64Array | null;
  darkStd: Float64Array | null;
}

/** IMM counts are int16 to corr (io/imm.cpp:87-99): >= 32768 turns negative. The default mode reads uint16. */
function countOf(raw: number, compat: boolean): number {
  return compat && raw >= 32768 ? raw - 65536 : raw;
}

/** DarkImage::Compute: Welford mean and population std of raw*flatfield (dark_image.cpp:88-106). */
function darkImage(
  src: CorrFrameSource,
  n: number,
  s: XpcsCorrSettings,
  compat: boolean,
): { avg: Float64Array; std: Float64Array } {
  const px = s.shape[0] * s.shape[1];
  const avg = new Float64Array(px);
  const m2 = new Float64Array(px);
  for (let i = 0; i < n; i++) {
    const d = src.next().dense!;
    for (let j = 0; j < px; j++) {
      const tmp = avg[j];
      const v = countOf(d[j], compat) * (s.flatfield ? s.flatfield[j] : 1);
      avg[j] += (v - avg[j]) / (i + 1);
      m2[j] += (v - tmp) * (v - avg[j]);
    }
  }
  for (let j = 0; j < px; j++) m2[j] = Math.sqrt(m2[j] / n);
  return { avg, std: m2 };
}

/**
 * Positions the source at the first data frame. compat: the dark block is always the first
 * frames of the file (main.cpp:233-238 reads from the current position, dark_begin_todo is only
 * a count) and data_begin_todo is skipped to only if the dark block has not passed it
 * (main.cpp:241-245). Default mode: dark frames are dark_begin..dark_end and data start at
 * data_begin_todo, as the configuration says.
 */
function positionAndDark(where: string, src: CorrFrameSource, s: XpcsCorrSettings, compat: boolean) {
  const darks = src.sparse ? 0 : corrDarkFrames(s);
  if (src.sparse && corrDarkFrames(s) > 0 && !compat) {
    configUnsupported(
      where,
      '/xpcs/dark_end_todo',
      s.darkEndTodo,
      'sparse (compressed) frames have no dark step (corr ignores dark_*, lld and sigma for them); set dark_begin_todo = dark_end_todo = 0, or use compat mode',
    );
  }
  if (!compat && corrDarkFrames(s) === 0 && (s.lld !== 0 || s.sigma !== 0)) {
    configUnsupported(
      where,
      s.lld !== 0 ? '/xpcs/lld' : '/xpcs/sigma',
      s.lld !== 0 ? s.lld : s.sigma,
      'corr applies lld/sigma only together with a dark range (dark_begin_todo < dark_end_todo)',
    );
  }
  src.rewind();
  let dark: { avg: Float64Array; std: Float64Array } | null = null;
  const from = s.dataBeginTodo - 1;
  if (compat) {
    if (darks > 0) dark = darkImage(src, darks, s, compat);
    if (from > 0 && darks < from) src.skip(from - darks);
  } else {
    if (darks > 0) {
      src.skip(s.darkBeginTodo - 1);
      dark = darkImage(src, darks, s, compat);
      src.rewind();
    }
    src.skip(from);
  }
  return dark;
}

function accumulateDense(
  fr: CorrRawFrame,
  s: XpcsCorrSettings,
  bins: CorrBins,
  dark: { avg: Float64Array; std: Float64Array } | null,
  acc: Float64Array,
  mark: Uint8Array,
  compat: boolean,
  touched: Int32Array,
  nt: number,
): number {
  const d = fr.dense!;
  const ff = s.flatfield;
  const valid = bins.valid;
  const n = acc.length;
  for (let j = 0; j < n; j++) {
    if (!valid[j]) continue;
    let v = countOf(d[j], compat);
    let thresh = 0;
    if (dark) {
      v = Math.max(v - dark.avg[j], 0);
      thresh = s.lld + s.sigma * dark.std[j];
    }
    // dense_filter.cpp:160-167: without dark the threshold is 0, so zero counts are never stored.
    if (v <= thresh) continue;
    if (!mark[j]) touched[nt++] = j;
    mark[j] = 1;
    acc[j] += ff ? v * ff[j] : v;
  }
  return nt;
}

function accumulateSparse(
  fr: CorrRawFrame,
  s: XpcsCorrSettings,
  bins: CorrBins,
  acc: Float64Array,
  mark: Uint8Array,
  compat: boolean,
  touched: Int32Array,
  nt: number,
): number {
  const idx = fr.indices!;
  const val = fr.values!;
  const ff = s.flatfield;
  for (let k = 0; k < idx.length; k++) {
    const p = idx[k];
    if (!bins.valid[p]) continue;
    // sparse_filter.cpp:133-141: no threshold; explicit zero entries are stored.
    const v = countOf(val[k], compat);
    acc[p] += ff ? v * ff[p] : v;
    if (!mark[p]) touched[nt++] = p;
    mark[p] = 1;
  }
  return nt;
}

/**
 * The plain sparse frame (no flat field, stride 1, avg 1, default mode): the stored values are the
 * raw counts, listed ascending. Writes them to touched/vals directly, skipping the accumulator:
 * the general path computes (0 + v) / 1 = v in the same pixel order, so the bits are the same.
 * Returns -1 when the indices are not strictly ascending (repeats are summed by the general path).
 */
function plainSparse(fr: CorrRawFrame, valid: Uint8Array, touched: Int32Array, vals: Float64Array): number {
  const idx = fr.indices!;
  const val = fr.values!;
  let nt = 0;
  let prev = -1;
  for (let k = 0; k < idx.length; k++) {
    const p = idx[k];
    if (p <= prev) return -1;
    prev = p;
    if (!valid[p]) continue;
    touched[nt] = p;
    vals[nt++] = val[k];
  }
  return nt;
}

/** The products of a plain sparse frame: the general path's loop below, without the accumulator. */
function plainProducts(
  out: CorrFilterProducts,
  bins: CorrBins,
  at: number,
  f: number,
  px: number,
  pix: Int32Array,
  vals: Float64Array,
  nt: number,
): void {
  const partial = part0(out.partialSum, at);
  const { pixelSum, partitionSum } = out;
  const { sbin } = bins;
  let fsum = 0;
  for (let k = 0; k < nt; k++) {
    const p = pix[k];
    const v = vals[k];
    pixelSum[p] += v;
    fsum += v;
    const b = sbin[p] - 1;
    partitionSum[b] += v;
    partial[b] += v;
  }
  out.frameMean[f] = fsum / px;
}

/** The window's row of the partial sums. */
function part0(partialSum: Float64Array, at: number): Float64Array {
  return partialSum.subarray(at);
}

export interface CorrFilterOptions {
  /** False: a later pass over frames whose products the caller already has (see runCorrFilter). */
  products?: boolean;
  /**
   * Plain sparse frames go through this router instead (its products and routing in WebAssembly,
   * bit-identical), then to `sink`; frames it cannot take still go to the ordinary sink. `norm(f)`
   * divides frame f's routed values (frame-sum normalisation).
   */
  routed?: { router: PlainFrameRouter; sink: (f: number, frame: RoutedFrame) => void; norm?: (f: number) => number };
}

/**
 * Runs the filter over N output frames, calling `sink` for each. `products: false` (a later pass
 * over the same frames, whose products the caller already has) skips the per-pixel and per-bin
 * sums of plain sparse frames, the calling thread's largest cost there; the returned products are
 * then incomplete and must not be used.
 */
export function runCorrFilter(
  where: string,
  s: XpcsCorrSettings,
  bins: CorrBins,
  src: CorrFrameSource,
  sink: CorrFrameSink,
  options: CorrFilterOptions = {},
): CorrFilterProducts {
  const compat = s.compat === 'xpcs-eigen';
  const { frames, realFrames, block } = corrFrameCounts(s);
  const px = s.shape[0] * s.shape[1];
  const S = bins.totalStatic;
  const win = s.staticMeanWindowSize;
  const dark = positionAndDark(where, src, s, compat);
  const out: CorrFilterProducts = {
    frames,
    pixelSum: new Float64Array(px),
    frameMean: new Float64Array(frames),
    partitionSum: new Float64Array(S),
    partialSum: new Float64Array(S * Math.ceil(frames / win)),
    clock: new Float64Array(2 * realFrames).fill(NaN),
    tick: new Float64Array(2 * realFrames).fill(NaN),
    darkAvg: dark?.avg ?? null,
    darkStd: dark?.std ?? null,
  };
  const acc = new Float64Array(px);
  const mark = new Uint8Array(px);
  // Sparse frames touch few pixels: keep their list instead of scanning the detector per frame.
  const touched = new Int32Array(px);
  const vals = new Float64Array(px);
  let g = 0;
  const plain = src.sparse && !compat && block === 1 && !s.flatfield;
  const products = options.products !== false;
  const routed = plain ? options.routed : undefined;
  for (let f = 0; f < frames; f++) {
    let nt = 0;
    let direct = false; // touched/vals already hold the output frame (plain sparse frames)
    let wasRouted = false; // the router took the frame
    for (let i = 0; i < block; i++) {
      const fr = src.next();
      out.clock[g] = out.tick[g] = g + 1;
      out.clock[g + realFrames] = fr.elapsed;
      out.tick[g + realFrames] = fr.tick;
      g++;
      // Frames 0, stride, 2*stride, ... of the block are summed (dense_filter.cpp:150).
      if (i % s.strideFrames !== 0) continue;
      if (routed) {
        const at = Math.floor(f / win) * S;
        const fsum = routed.router.frame(fr.indices!, fr.values!, at, products ? out : null, routed.norm?.(f));
        wasRouted = fsum >= 0;
        if (wasRouted) {
          if (products) out.frameMean[f] = fsum / px;
          continue;
        }
        if (products) routed.router.take(out);
      }
      if (plain) {
        nt = plainSparse(fr, bins.valid, touched, vals);
        direct = nt >= 0;
        if (direct) continue;
        nt = 0;
      }
      nt = src.sparse
        ? accumulateSparse(fr, s, bins, acc, mark, compat, touched, nt)
        : accumulateDense(fr, s, bins, dark, acc, mark, compat, touched, nt);
    }
    if (wasRouted) {
      routed!.sink(f, routed!.router);
      continue;
    }
    if (direct) {
      if (products) plainProducts(out, bins, Math.floor(f / win) * S, f, px, touched, vals, nt);
      sink(f, touched, vals, nt);
      continue;
    }
    // A dense frame (and a sorted sparse one) lists its pixels ascending already: sort only when not.
    let pix = touched.subarray(0, nt);
    for (let k = 1; k < nt; k++)
      if (pix[k] < pix[k - 1]) {
        pix = pix.sort();
        break;
      }
    const partial = part0(out.partialSum, Math.floor(f / win) * S);
    const { pixelSum, partitionSum } = out;
    const { sbin } = bins;
    const avg = s.avgFrames;
    let fsum = 0;
    for (let k = 0; k < nt; k++) {
      const p = pix[k];
      // Divided by avg_frames even when frames of the block were rejected (dense_filter.cpp:190).
      const v = acc[p] / avg;
      pixelSum[p] += v;
      fsum += v;
      const b = sbin[p] - 1;
      partitionSum[b] += v;
      partial[b] += v;
      vals[k] = v;
      acc[p] = 0;
      mark[p] = 0;
    }
    out.frameMean[f] = fsum / px;
    sink(f, pix, vals, nt);
  }
  if (routed && products) routed.router.take(out);
  return out;
}
