/**
 * Input normalisation for peakLocalMax: the image (flat row-major data + shape) and the options,
 * validated at the boundary with errors that name the function and the parameter.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { requireNumber } from '../validate';

/** A 2-D image: flat row-major pixel data and its shape [rows, cols]. */
export interface Image2d {
  data: Float32Array | Float64Array | ArrayLike<number>;
  shape: readonly [number, number] | number[];
}

/** Options of {@link peakLocalMax} (skimage.feature.peak_local_max 0.19.3 names in camelCase). */
export interface PeakLocalMaxOptions {
  /** Minimum Chebyshev distance between peaks, and half-width of the maximum filter. Default 1 (>= 1). */
  minDistance?: number;
  /** Absolute threshold; default (null/undefined) = image minimum. */
  thresholdAbs?: number | null;
  /** Relative threshold: peaks must exceed thresholdRel * image maximum. Default none. */
  thresholdRel?: number | null;
  /** true: border of width minDistance excluded; false: none; an integer >= 0: that width. Default true. */
  excludeBorder?: boolean | number;
  /** Maximum number of peaks (highest first). Default Infinity (null = Infinity). */
  numPeaks?: number | null;
}

/** The image as the kernels see it: f32 images stay f32 (comparisons in float32, as NumPy does). */
export interface NormalizedImage {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

export interface NormalizedPeakOptions {
  minDistance: number;
  thresholdAbs: number | null;
  thresholdRel: number | null;
  borderWidth: number;
  numPeaks: number;
}

function shapeError(where: string, message: string, extra: Record<string, unknown> = {}): never {
  throw new StagebookError('E_INVALID_SHAPE', `${where}: image.shape ${message}`, {
    where,
    field: 'image.shape',
    ...extra,
  });
}

/** Checks shape and data; other numeric arrays are converted to Float64Array (exact for integers < 2^53). */
export function normalizeImage(where: string, image: Image2d): NormalizedImage {
  if (!image || typeof image !== 'object') {
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: image must be {data, shape: [rows, cols]}`, {
      where,
      field: 'image',
    });
  }
  const shape = image.shape as unknown;
  if (!Array.isArray(shape) || shape.length !== 2)
    shapeError(where, `must be [rows, cols] (a 2-D image), got ${JSON.stringify(shape)}`);
  const [rows, cols] = shape as number[];
  if (![rows, cols].every((v) => Number.isInteger(v) && v >= 0))
    shapeError(where, `must hold non-negative integers, got ${JSON.stringify(shape)}`);
  if (rows * cols === 0) {
    throw new StagebookError('E_EMPTY_INPUT', `${where}: image is empty (shape [${rows}, ${cols}])`, {
      where,
      field: 'image',
    });
  }
  const raw = image.data as unknown;
  let data: Float32Array | Float64Array;
  if (raw instanceof Float32Array || raw instanceof Float64Array) data = raw;
  else if ((ArrayBuffer.isView(raw) && !(raw instanceof DataView)) || Array.isArray(raw))
    data = toF64(where, raw as ArrayLike<unknown>);
  else
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: image.data must be a typed array or an array of numbers`,
      { where, field: 'image.data' },
    );
  if (data.length !== rows * cols)
    shapeError(where, `[${rows}, ${cols}] needs ${rows * cols} values, image.data has ${data.length}`, {
      length: data.length,
    });
  return { data, rows, cols };
}

function toF64(where: string, raw: ArrayLike<unknown>): Float64Array {
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (typeof v !== 'number' && typeof v !== 'bigint') {
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `${where}: image.data[${i}] is ${v === null ? 'null' : typeof v}, expected a number`,
        { where, field: 'image.data', index: i },
      );
    }
    out[i] = Number(v);
  }
  return out;
}

function optionalNumber(where: string, field: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  return requireNumber(where, field, v);
}

/** Validates the options and resolves skimage's `_get_excluded_border_width`. */
export function normalizePeakOptions(where: string, opts: PeakLocalMaxOptions = {}): NormalizedPeakOptions {
  if (opts === null || typeof opts !== 'object') {
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: options must be an object`, { where, field: 'options' });
  }
  // skimage accepts min_distance < 1 (it degenerates to plain thresholding); stagebook refuses it.
  const minDistance = requireNumber(where, 'minDistance', opts.minDistance ?? 1, { integer: true, min: 0 });
  const thresholdAbs = optionalNumber(where, 'thresholdAbs', opts.thresholdAbs);
  const thresholdRel = optionalNumber(where, 'thresholdRel', opts.thresholdRel);
  const eb = opts.excludeBorder ?? true;
  let borderWidth: number;
  if (typeof eb === 'boolean') borderWidth = eb ? minDistance : 0;
  else if (typeof eb === 'number' && Number.isInteger(eb)) {
    if (eb < 0)
      throw new StagebookError('E_INVALID_ARGUMENT', `${where}: excludeBorder cannot be negative, got ${eb}`, {
        where,
        field: 'excludeBorder',
      });
    borderWidth = eb;
  } else {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: excludeBorder must be a boolean or a non-negative integer, got ${JSON.stringify(eb)}`,
      { where, field: 'excludeBorder' },
    );
  }
  let numPeaks = Infinity;
  if (opts.numPeaks !== undefined && opts.numPeaks !== null && opts.numPeaks !== Infinity) {
    numPeaks = requireNumber(where, 'numPeaks', opts.numPeaks, { integer: true, min: 0 });
  }
  return { minDistance, thresholdAbs, thresholdRel, borderWidth, numPeaks };
}

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * skimage `_get_threshold`: threshold_abs (or image.min()), raised to threshold_rel * image.max()
 * (computed in float64). Returns the value the comparison `image > threshold` really uses: for
 * float32 images NumPy 1.x value-based casting compares in float32, so the threshold is rounded
 * to float32 (values beyond the float32 range keep their side: +-Infinity).
 */
export function effectiveThreshold(img: NormalizedImage, o: NormalizedPeakOptions, min: number, max: number): number {
  let thr = o.thresholdAbs ?? min;
  if (o.thresholdRel !== null) thr = Math.max(thr, o.thresholdRel * max);
  if (!(img.data instanceof Float32Array)) return thr;
  if (Math.abs(thr) > FLOAT32_MAX) return thr > 0 ? Infinity : -Infinity;
  return Math.fround(thr);
}
