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
import type { CorrDataset } from './corr-twotime';
import { corrDelays, intensityDatasets, type XpcsCorrResult } from './corr';

export interface XpcsCorrStreamOptions {
  /** Bytes for the correlators' per-pixel state (rings and sums); default 512 MiB. The batch buffers come on top (48 MiB). */
  memoryBudgetBytes?: number;
  /** Batch sizes of the kernel (frames and events sorted pixel-major at once). */
  kernel?: StreamingMultiTauOptions;
  /** Called after each pass with (pass, passes). */
  onPass?: (pass: number, passes: number) => void;
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
  // The budget holds the per-pixel state; the batch buffers (streamBatchBytes: 48 MiB at the default
  // batch) come on top. One block lives in one WebAssembly memory: blocks of at most 3 GiB.
  const B = Math.max(1, Math.min(order.pixels.length, Math.floor(Math.min(budget, STREAM_BLOCK_MAX_BYTES) / per)));
  const blocks = Math.ceil(order.pixels.length / B);
  const passes = blocks + (s.normalizeByFramesum ? 1 : 0);
  const px = s.shape[0] * s.shape[1];
  const slotOf = new Int32Array(px).fill(-1);
  let products: CorrFilterProducts | undefined;
  let pass = 0;
  if (s.normalizeByFramesum) {
    products = runCorrFilter(where, s, bins, source, () => undefined);
    options.onPass?.(++pass, passes);
  }
  let mean = 0;
  if (products) {
    let sum = 0;
    for (let f = 0; f < N; f++) sum += products.frameMean[f];
    mean = sum / N;
  }
  const normalizer = new CorrNormalizer(bins, nd, false);
  for (let b = 0; b < blocks; b++) {
    const s0 = b * B;
    const nb = Math.min(B, order.pixels.length - s0);
    // Slots in raster order (a frame's pixels ascend, so do its slots: the counting sort in the
    // kernel then writes each batch nearly in order); `visit` lists the slots in normalisation order.
    const raster = order.pixels.slice(s0, s0 + nb).sort();
    slotOf.fill(-1);
    raster.forEach((p, i) => (slotOf[p] = i));
    const visit = Int32Array.from(order.pixels.subarray(s0, s0 + nb), (p) => slotOf[p]);
    const mt = new StreamingMultiTau(nb, N, delays, options.kernel);
    const fm = s.normalizeByFramesum ? products!.frameMean : undefined;
    const got = runCorrFilter(where, s, bins, source, (f, pixels, values, n) => {
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
    });
    products ??= got;
    mt.finish(visit, (i, sums) => normalizer.add(order.q[s0 + i], order.s[s0 + i], sums, 0));
    options.onPass?.(++pass, passes);
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
