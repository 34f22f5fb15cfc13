/**
 * peakLocalMaxParallel: the same result as peakLocalMax, with the maximum filter and candidate
 * extraction split into bands of rows over worker_threads. Each band carries `minDistance` halo
 * rows above and below (the filter's reach), so its own rows see exactly the whole-image filter;
 * bands are merged in row order, which keeps NumPy's row-major candidate order, and the sort and
 * spacing then run once on the calling thread.
 */
import { join } from 'node:path';
import { defaultParallelPolicy, runInWorkers, type ParallelPolicy } from '../parallel/pool';
import { requireNumber } from '../validate';
import { finiteMinMaxJs, type BandCandidates, type BandRequest } from './candidates';
import { effectiveThreshold, normalizeImage, normalizePeakOptions, type Image2d, type PeakLocalMaxOptions } from './image';
import { finishPeaks, peakLocalMax } from './peak-local-max';

const TASK = join(__dirname, 'peaks2d-task.ts');

/**
 * {@link peakLocalMax} with the filtering split over `policy.threads` worker threads (default
 * min(2, cores)). Returns exactly what peakLocalMax returns (same peaks, same order, ties included).
 * Small images (fewer rows than 2 x threads) and `threads: 1` run on the calling thread.
 */
export async function peakLocalMaxParallel(image: Image2d, options: PeakLocalMaxOptions = {}, policy: ParallelPolicy = defaultParallelPolicy): Promise<Int32Array> {
  const where = 'peakLocalMaxParallel';
  const threads = requireNumber(where, 'policy.threads', policy?.threads, { integer: true, min: 1 });
  const img = normalizeImage(where, image);
  const o = normalizePeakOptions(where, options);
  if (threads === 1 || img.rows < 2 * threads) return peakLocalMax(image, options);
  const [min, max] = finiteMinMaxJs(where, img.data, img.cols);
  const threshold = effectiveThreshold(img, o, min, max);
  const requests: BandRequest[] = [];
  for (let t = 0; t < threads; t++) {
    const row0 = Math.floor((t * img.rows) / threads);
    const row1 = Math.floor(((t + 1) * img.rows) / threads);
    const haloStart = Math.max(0, row0 - o.minDistance);
    const haloEnd = Math.min(img.rows, row1 + o.minDistance);
    requests.push({
      // slice() copies just this band, so only it is transferred to the worker.
      data: img.data.slice(haloStart * img.cols, haloEnd * img.cols),
      cols: img.cols, haloStart, row0, nRows: row1 - row0, totalRows: img.rows,
      radius: o.minDistance, borderWidth: o.borderWidth, threshold,
    });
  }
  const bands = await runInWorkers<BandRequest, BandCandidates>(TASK, 'peakBandTask', requests, { threads }, (r) => [r.data.buffer as ArrayBuffer]);
  return finishPeaks(img, o, bands);
}
