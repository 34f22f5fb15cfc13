/**
 * peakLocalMaxParallel: the same result as peakLocalMax, with the maximum filter and candidate
 * extraction split into bands of rows. Each band carries `minDistance` halo rows above and below
 * (the filter's reach), so its own rows see exactly the whole-image filter. The calling thread
 * computes the first band straight from the caller's image while workers compute the others from
 * one streamed shared copy of their rows. A band only knows its own min/max, so it extracts with a
 * lower bound of skimage's threshold; the whole-image threshold is applied once all bands are back.
 * Bands are merged in row order, which keeps NumPy's row-major candidate order, and the sort and
 * spacing then run once on the calling thread.
 */
import { join } from 'node:path';
import { defaultParallelPolicy, runInWorkers, shareTypedArray, type ParallelPolicy } from '../parallel/pool';
import { requireNumber } from '../validate';
import { bandCandidates, candidatesAbove, nonFinite, type BandCandidates, type BandRequest } from './candidates';
import {
  effectiveThreshold,
  normalizeImage,
  normalizePeakOptions,
  type Image2d,
  type NormalizedImage,
  type NormalizedPeakOptions,
  type PeakLocalMaxOptions,
} from './image';
import { finishPeaks, peakLocalMax } from './peak-local-max';

const TASK = join(__dirname, 'peaks2d-task.ts');

/**
 * Row bands: the calling thread's (first) one is smaller, since it also copies the others' rows
 * into shared memory (~1/8 of its band's work per extra band, measured on 4096x4096 f32).
 */
function bandRows(rows: number, threads: number): number[] {
  const weights = Array.from({ length: threads }, (_, t) => (t === 0 ? 1 - (threads - 1) / 8 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cuts = [0];
  let acc = 0;
  for (const w of weights) {
    acc += w;
    cuts.push(Math.round((acc / total) * rows));
  }
  return cuts;
}

function request(
  img: NormalizedImage,
  o: NormalizedPeakOptions,
  row0: number,
  row1: number,
): Omit<BandRequest, 'data'> & { haloEnd: number } {
  return {
    cols: img.cols,
    haloStart: Math.max(0, row0 - o.minDistance),
    haloEnd: Math.min(img.rows, row1 + o.minDistance),
    row0,
    nRows: row1 - row0,
    totalRows: img.rows,
    radius: o.minDistance,
    borderWidth: o.borderWidth,
    thresholdAbs: o.thresholdAbs,
    thresholdRel: o.thresholdRel,
  };
}

/**
 * {@link peakLocalMax} with the filtering split over `policy.threads` threads (the calling thread
 * included; default min(2, cores)). Returns exactly what peakLocalMax returns (same peaks, same
 * order, ties included). Small images (fewer rows than 2 x threads) and `threads: 1` run serially.
 */
export async function peakLocalMaxParallel(
  image: Image2d,
  options: PeakLocalMaxOptions = {},
  policy: ParallelPolicy = defaultParallelPolicy,
): Promise<Int32Array> {
  const where = 'peakLocalMaxParallel';
  const threads = requireNumber(where, 'policy.threads', policy?.threads, { integer: true, min: 1 });
  const img = normalizeImage(where, image);
  const o = normalizePeakOptions(where, options);
  if (threads === 1 || img.rows < 2 * threads) return peakLocalMax(image, options);
  const cuts = bandRows(img.rows, threads);
  const reqs = cuts.slice(0, -1).map((r0, t) => request(img, o, r0, cuts[t + 1]));
  const remote = reqs.slice(1);
  const first = remote[0].haloStart;
  const shared = shareTypedArray(
    img.data.subarray(first * img.cols, remote[remote.length - 1].haloEnd * img.cols),
    true,
  );
  let bands: BandCandidates[];
  try {
    const payloads: BandRequest[] = remote.map((r) => ({
      ...r,
      data: shared.view.subarray((r.haloStart - first) * img.cols, (r.haloEnd - first) * img.cols),
      stream: shared.stream,
    }));
    const pending = runInWorkers<BandRequest, BandCandidates>(TASK, 'peakBandTask', payloads, { threads: threads - 1 });
    pending.catch(() => undefined); // observed below
    shared.fill();
    const own = reqs[0];
    const mine = bandCandidates({ ...own, data: img.data.subarray(own.haloStart * img.cols, own.haloEnd * img.cols) });
    bands = [mine, ...(await pending)];
  } finally {
    shared.release();
  }
  const bad = bands.filter((b) => b.bad >= 0).map((b) => b.bad);
  if (bad.length) throw nonFinite(where, img.data, Math.min(...bad), img.cols);
  const threshold = effectiveThreshold(
    img,
    o,
    Math.min(...bands.map((b) => b.min)),
    Math.max(...bands.map((b) => b.max)),
  );
  return finishPeaks(
    img,
    o,
    bands.map((b) => ({ indices: candidatesAbove(img.data, b.indices, threshold), allEqual: b.allEqual })),
  );
}
