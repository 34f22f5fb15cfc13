/**
 * `xpcsCorrStream`: xpcsCorr's multi-tau (default mode) straight from the frame source, in memory
 * bounded by `memoryBudgetBytes` whatever the number of frames. Pixels are taken in normalisation
 * order and split in blocks that fit the budget; each block is one pass over the source (the
 * preprocessing runs again, the correlators see only the block's pixels), and its finished sums
 * are folded into the normaliser before the next block. Frame-sum normalisation needs every
 * frame sum first: it costs one more pass. Results are bit-identical to xpcsCorr (tested).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { buildCorrBins } from './corr-bins';
import { PlainFrameRouter, type RoutedFrame } from './corr-plain-router';
import { runCorrFilter, type CorrFilterProducts } from './corr-filter';
import { CorrNormalizer, normalisationOrder } from './corr-multitau';
import { corrFrameCounts, parseXpcsCorrSettings } from './corr-settings';
import type { CorrFrameSource } from './corr-source';
import {
  STREAM_BLOCK_MAX_BYTES,
  STREAM_MAX_RING,
  StreamingMultiTau,
  type StreamingMultiTauOptions,
} from './corr-stream';
import { SHARE_BITS, StreamShareWorkers, type ShareTuning } from './corr-stream-share';
import { defaultParallelPolicy } from '../parallel/pool';
import type { CorrBins } from './corr-bins';
import type { XpcsCorrSettings } from './corr-settings';
import type { CorrDataset } from './corr-twotime';
import { corrDelays, intensityDatasets, type XpcsCorrResult } from './corr';

export interface XpcsCorrStreamOptions {
  /**
   * Bytes for the correlators' per-pixel state (rings and sums); default 512 MiB. The batch buffers come on
   * top (about 48 MiB on one thread, 78 MiB per share on worker threads; docs/xpcs-corr.md).
   */
  memoryBudgetBytes?: number;
  /** Batch sizes of the kernel (frames and events sorted pixel-major at once). */
  kernel?: StreamingMultiTauOptions;
  /** Called after each pass with (pass, passes). */
  onPass?: (pass: number, passes: number) => void;
  /**
   * Worker threads correlating each pass (its pixel block split in contiguous shares, one per
   * thread; the calling thread reads, filters and routes). 1 = everything on the calling thread.
   * Default: the parallel policy's, min(2, cores). Results do not depend on it (bit-identical).
   */
  threads?: number;
  /** Hand-over batch sizes between the calling thread and the workers (tests; results do not depend on them). */
  shareTuning?: ShareTuning;
}

export interface XpcsCorrStreamResult extends XpcsCorrResult {
  /** Passes over the source and pixels per block. */
  passes: number;
  blockPixels: number;
}

function refuse(where: string, field: string, why: string): never {
  throw new StagebookError('E_INVALID_ARGUMENT', `${where}: ${field}: ${why}; use xpcsCorr (in memory)`, {
    where,
    field,
  });
}

/** Most worker threads a stream takes (a share index is one byte; more threads than this would not help). */
const MAX_STREAM_THREADS = 64;

function streamThreads(where: string, v: unknown): number {
  const t = v === undefined ? defaultParallelPolicy.threads : v;
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > MAX_STREAM_THREADS)
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: options.threads must be an integer in [1, ${MAX_STREAM_THREADS}], got ${JSON.stringify(v)}`,
      { where, field: 'options.threads' },
    );
  return t;
}

/** One pass's pixel block: normalisation order [s0, s0 + nb), and what its frames are scaled by. */
interface PassBlock {
  s0: number;
  nb: number;
  order: ReturnType<typeof normalisationOrder>;
  fm: Float64Array | undefined;
  mean: number;
  normalizer: CorrNormalizer;
  /** False when an earlier pass already gave the filter's products (they are not recomputed). */
  products: boolean;
}

/** Raster-ordered slots of order.pixels[a, b) in `slotOf`; returns them in normalisation order. */
function rasterSlots(blk: PassBlock, a: number, b: number, slotOf: Int32Array): Int32Array {
  const pixels = blk.order.pixels.subarray(blk.s0 + a, blk.s0 + b);
  // Slots in raster order (a frame's pixels ascend, so do its slots: the kernel's counting sort then
  // writes each batch nearly in order); the result lists the slots in normalisation order.
  pixels
    .slice()
    .sort()
    .forEach((p, i) => (slotOf[p] = i));
  return Int32Array.from(pixels, (p) => slotOf[p]);
}

/** A pass on the calling thread: one StreamingMultiTau for the whole block. */
function serialBlock(
  where: string,
  s: XpcsCorrSettings,
  bins: CorrBins,
  source: CorrFrameSource,
  blk: PassBlock,
  mt: StreamingMultiTau,
  slotOf: Int32Array,
  router: PlainFrameRouter | undefined,
): CorrFilterProducts {
  const { s0, nb, order, fm, mean, normalizer } = blk;
  slotOf.fill(-1);
  const visit = rasterSlots(blk, 0, nb, slotOf);
  router?.setRoute(slotOf);
  const routed = router && {
    router,
    norm: fm ? (f: number) => fm[f] / mean : undefined,
    sink: (_f: number, r: RoutedFrame) => {
      const n = r.count(0);
      const { slots, values, offset } = mt.beginFrame();
      slots.set(r.slots(0), offset);
      values.set(r.values(0), offset);
      mt.endFrame(n);
    },
  };
  const got = runCorrFilter(
    where,
    s,
    bins,
    source,
    (f, pixels, values, n) => {
      const { slots, values: vals, offset } = mt.beginFrame();
      let m = offset;
      for (let k = 0; k < n; k++) {
        const slot = slotOf[pixels[k]];
        if (slot < 0) continue;
        slots[m] = slot;
        // main.cpp:313-337, the same expression as the in-memory path.
        vals[m++] = fm ? values[k] / (fm[f] / mean) : values[k];
      }
      mt.endFrame(m - offset);
    },
    { products: blk.products, routed },
  );
  mt.finish(visit, (i, sums) => normalizer.add(order.q[s0 + i], order.s[s0 + i], sums, 0));
  return got;
}

/**
 * A pass on worker threads: the block's normalisation-order range is split in contiguous shares
 * (share i = [floor(i*nb/S), floor((i+1)*nb/S))), each raster-ordered within itself; the sums are
 * folded share after share, i.e. in the serial order.
 */
function sharedBlock(
  where: string,
  s: XpcsCorrSettings,
  bins: CorrBins,
  source: CorrFrameSource,
  blk: PassBlock,
  workers: StreamShareWorkers,
  slotOf: Int32Array,
  router: PlainFrameRouter | undefined,
): CorrFilterProducts {
  const { s0, nb, order, fm, mean, normalizer } = blk;
  const S = Math.min(workers.threads, nb);
  const starts = Array.from({ length: S + 1 }, (_, i) => Math.floor((i * nb) / S));
  const route = new Int32Array(slotOf.length).fill(-1);
  const visits = Array.from({ length: S }, (_, i) => {
    const visit = rasterSlots(blk, starts[i], starts[i + 1], slotOf);
    for (let k = starts[i]; k < starts[i + 1]; k++) {
      const p = order.pixels[s0 + k];
      route[p] = (slotOf[p] << SHARE_BITS) | i;
    }
    return visit;
  });
  workers.beginPass(visits, route);
  router?.setRoute(route);
  // main.cpp:313-337: frame f's values are divided by fm[f] / mean (the serial path's expression).
  const norm = fm ? (f: number) => fm[f] / mean : undefined;
  const routed = router && { router, norm, sink: (_f: number, r: RoutedFrame) => workers.frameRouted(r) };
  const got = runCorrFilter(
    where,
    s,
    bins,
    source,
    (f, pixels, values, n) => workers.frame(pixels, values, n, norm?.(f)),
    { products: blk.products, routed },
  );
  workers.finish((i, j, sums, at) => {
    const k = s0 + starts[i] + j;
    normalizer.add(order.q[k], order.s[k], sums, at);
  });
  return got;
}

export function xpcsCorrStream(
  source: CorrFrameSource,
  settingsInput: unknown,
  options: XpcsCorrStreamOptions = {},
): XpcsCorrStreamResult {
  const where = 'xpcsCorrStream';
  const s = parseXpcsCorrSettings(where, settingsInput);
  if (s.compat !== 'none')
    refuse(
      where,
      'settings.compat',
      "corr's missed partners depend on whole per-pixel rows, so compat mode is not streamed",
    );
  if (s.analysisType !== 'Multitau') refuse(where, 'settings.analysisType', 'streams multi-tau only');
  if (s.g2out || s.frameout > 0)
    refuse(where, s.g2out ? 'settings.g2out' : 'settings.frameout', 'per-pixel outputs are not streamed');
  const bins = buildCorrBins(where, s);
  const { frames: N } = corrFrameCounts(s);
  if (N < 1)
    throw new StagebookError(
      'E_EMPTY_INPUT',
      `${where}: fewer than stride_frames*avg_frames frames in the data range`,
      { where, field: '/xpcs/data_end_todo' },
    );
  const delays = corrDelays(N, s.delaysPerLevel);
  const reach = Math.max(0, ...delays.map(([level, tau]) => tau / 2 ** level));
  if (reach >= STREAM_MAX_RING)
    refuse(
      where,
      'settings.delaysPerLevel',
      `${s.delaysPerLevel} delays per level reach ${reach} level-frames back; the streaming kernel reaches ${STREAM_MAX_RING - 1} (at most 31 delays per level)`,
    );
  const nd = delays.length;
  const order = normalisationOrder(bins);
  const budget = options.memoryBudgetBytes ?? 512 * 2 ** 20;
  const per = StreamingMultiTau.bytesPerSlot(N, delays);
  const threads = streamThreads(where, options.threads);
  // The budget bounds the sum over the threads' shares; one share lives in one WebAssembly memory,
  // so a larger budget still gives shares of at most 3 GiB.
  const B = Math.max(
    1,
    Math.min(order.pixels.length, Math.floor(budget / per), threads * Math.floor(STREAM_BLOCK_MAX_BYTES / per)),
  );
  const blocks = Math.ceil(order.pixels.length / B);
  const passes = blocks + (s.normalizeByFramesum ? 1 : 0);
  const px = s.shape[0] * s.shape[1];
  const slotOf = new Int32Array(px).fill(-1);
  let products: CorrFilterProducts | undefined;
  let pass = 0;
  // Workers live for the whole stream (every pass); a block smaller than `threads` uses fewer.
  const lanes = Math.min(threads, B);
  // Plain sparse frames (IMM) are filtered and routed in WebAssembly (corr-plain-router.ts).
  const router = source.sparse ? new PlainFrameRouter(bins.sbin, lanes, threads > 1 ? SHARE_BITS : 0) : undefined;
  if (s.normalizeByFramesum) {
    // The frame sums only: nothing is routed (every route -1).
    router?.setRoute(new Int32Array(px).fill(-1));
    const routed = router && { router, sink: () => undefined };
    products = runCorrFilter(where, s, bins, source, () => undefined, { routed });
    options.onPass?.(++pass, passes);
  }
  let mean = 0;
  if (products) {
    let sum = 0;
    for (let f = 0; f < N; f++) sum += products.frameMean[f];
    mean = sum / N;
  }
  const normalizer = new CorrNormalizer(bins, nd, false);
  const fm = s.normalizeByFramesum ? products!.frameMean : undefined;
  const workers =
    threads > 1
      ? new StreamShareWorkers(where, lanes, N, delays, Math.ceil(B / lanes), options.kernel, options.shareTuning)
      : undefined;
  try {
    for (let b = 0; b < blocks; b++) {
      const s0 = b * B;
      const nb = Math.min(B, order.pixels.length - s0);
      const block = { s0, nb, order, fm, mean, normalizer, products: products === undefined };
      const got = workers
        ? sharedBlock(where, s, bins, source, block, workers, slotOf, router)
        : serialBlock(
            where,
            s,
            bins,
            source,
            block,
            new StreamingMultiTau(nb, N, delays, options.kernel),
            slotOf,
            router,
          );
      products ??= got;
      options.onPass?.(++pass, passes);
    }
  } finally {
    workers?.close();
  }
  const out = new Map<string, CorrDataset>();
  intensityDatasets(s, bins, products!, out);
  if (s.darkout && products!.darkAvg) {
    out.set('DarkAvg', { data: products!.darkAvg, shape: [...s.shape] });
    out.set('DarkStd', { data: products!.darkStd!, shape: [...s.shape] });
  }
  const { g2, stderr, nq } = normalizer.finish();
  out.set('tau', { data: Float64Array.from(delays, ([, t]) => t), shape: [1, nd] });
  out.set('norm-0-g2', { data: g2, shape: [nd, nq] });
  out.set('norm-0-stderr', { data: stderr, shape: [nd, nq] });
  return { datasets: out, settings: s, frames: N, delays, dynamicBins: [...bins.qbins.keys()], passes, blockPixels: B };
}
