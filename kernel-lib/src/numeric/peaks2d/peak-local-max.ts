/**
 * peakLocalMax: skimage.feature.peak_local_max (0.19.3) for 2-D images with labels=None,
 * footprint=None, p_norm=inf, returning the same coordinates in the same order.
 *
 *   threshold  = max(thresholdAbs ?? image.min(), thresholdRel * image.max())
 *   candidates = image == maximum_filter(image, 2*minDistance+1, mode='constant', cval=0)
 *                (cleared if true everywhere: 'trivial image'), & image > threshold (strict,
 *                in float32 for float32 images), minus the excluded border
 *   order      = np.argsort(-intensity) over row-major candidates (NumPy introsort tie order)
 *   peaks      = greedy Chebyshev spacing >= minDistance, at most numPeaks
 */
import { StagebookError } from '../../errors/stagebook-error';
import { imageCandidates, type BandCandidates } from './candidates';
import {
  effectiveThreshold,
  normalizeImage,
  normalizePeakOptions,
  type Image2d,
  type NormalizedImage,
  type NormalizedPeakOptions,
  type PeakLocalMaxOptions,
} from './image';
import { ensureSpacing, sortByIntensity } from './ordering';

export type { Image2d, PeakLocalMaxOptions } from './image';

/**
 * Local maxima of a 2-D image, as skimage.feature.peak_local_max(image, min_distance,
 * threshold_abs, threshold_rel, exclude_border, num_peaks) returns them.
 *
 * @param image `{data, shape: [rows, cols]}`, row-major. Float32Array images are compared in
 *   float32 (as NumPy does), Float64Array in float64; other numeric arrays are converted to float64.
 * @param options see {@link PeakLocalMaxOptions}; defaults are skimage's.
 * @returns Flat Int32Array `[row0, col0, row1, col1, ...]` (length 2 * number of peaks), i.e.
 *   skimage's (n, 2) array in C order: brightest first, ties in NumPy's argsort order.
 * @throws StagebookError E_INVALID_SHAPE / E_EMPTY_INPUT / E_NON_FINITE / E_INVALID_ARGUMENT.
 */
export function peakLocalMax(image: Image2d, options: PeakLocalMaxOptions = {}): Int32Array {
  const where = 'peakLocalMax';
  const img = normalizeImage(where, image);
  const o = normalizePeakOptions(where, options);
  if (img.data.length === 1) return singlePixel(where, img, o);
  const band = imageCandidates(
    where,
    img.data,
    img.rows,
    img.cols,
    { radius: o.minDistance, borderWidth: o.borderWidth },
    (min, max) => effectiveThreshold(img, o, min, max),
  );
  return finishPeaks(img, o, [band]);
}

/**
 * skimage `_get_peak_mask` for image.size == 1: plain `image > threshold` (no filter, no trivial
 * rule), then the border exclusion.
 */
function singlePixel(where: string, img: NormalizedImage, o: NormalizedPeakOptions): Int32Array {
  const v = img.data[0];
  if (!Number.isFinite(v)) {
    throw new StagebookError(
      'E_NON_FINITE',
      `${where}: image pixel [0, 0] is ${v}; NaN and infinite values are not allowed`,
      { where, field: 'image.data', index: 0 },
    );
  }
  const keep = o.borderWidth === 0 && v > effectiveThreshold(img, o, v, v) && o.numPeaks > 0;
  return keep ? Int32Array.of(0, 0) : new Int32Array(0);
}

/**
 * Shared tail of the serial and parallel paths: merge bands (in row order, so row-major order is
 * kept), apply the trivial-image rule over the whole image, sort and space.
 */
export function finishPeaks(
  img: NormalizedImage,
  o: NormalizedPeakOptions,
  bands: Array<Pick<BandCandidates, 'indices' | 'allEqual'>>,
): Int32Array {
  // skimage `_get_peak_mask`: a footprint of size 1 (minDistance 0) is plain `image > threshold`,
  // without the trivial-image rule.
  if (o.minDistance > 0 && bands.every((b) => b.allEqual)) return new Int32Array(0);
  const total = bands.reduce((n, b) => n + b.indices.length, 0);
  const all = new Int32Array(total);
  let at = 0;
  for (const b of bands) {
    all.set(b.indices, at);
    at += b.indices.length;
  }
  const ordered = sortByIntensity(img.data, all);
  return ensureSpacing(ordered, img.rows, img.cols, o.minDistance, o.numPeaks);
}
