/**
 * WASM side of peakLocalMax (wasm-core/assembly/peaks2d.ts): finite check + min/max, and the
 * maximum filter + candidate extraction of a band of rows. The serial path is one band covering
 * the image; the parallel path runs one band per worker (with halo rows), so both share this code
 * and give identical candidates.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { awaitShared, type SharedStream } from '../parallel/pool';
import { loadCore, type Arena } from '../wasm/core';

interface Peaks2dExports {
  minMaxF32(img: number, n: number, stats: number): number;
  minMaxF64(img: number, n: number, stats: number): number;
  maxFilterF32(img: number, out: number, rows: number, cols: number, r: number, rowBuf: number): void;
  maxFilterF64(img: number, out: number, rows: number, cols: number, r: number, rowBuf: number): void;
  candidatesF32(
    img: number,
    maxf: number,
    nRows: number,
    cols: number,
    row0: number,
    totalRows: number,
    bw: number,
    thr: number,
    out: number,
    flags: number,
  ): number;
  candidatesF64(
    img: number,
    maxf: number,
    nRows: number,
    cols: number,
    row0: number,
    totalRows: number,
    bw: number,
    thr: number,
    out: number,
    flags: number,
  ): number;
}

const kernels = () => {
  const core = loadCore('peaks2d');
  return { core, k: core.exports as unknown as Peaks2dExports };
};

export function nonFinite(where: string, data: ArrayLike<number>, i: number, cols: number): StagebookError {
  const row = Math.floor(i / cols);
  return new StagebookError(
    'E_NON_FINITE',
    `${where}: image pixel [${row}, ${i - row * cols}] is ${data[i]}; NaN and infinite values are not allowed`,
    { where, field: 'image.data', index: i },
  );
}

/** One band of rows: `data` holds rows [haloStart, haloStart + data.length/cols) of the image. */
export interface BandRequest {
  data: Float32Array | Float64Array;
  cols: number;
  /** First image row held in `data` (own rows minus the top halo). */
  haloStart: number;
  /** Own rows [row0, row0 + nRows): candidates are reported for these only. */
  row0: number;
  nRows: number;
  totalRows: number;
  radius: number;
  borderWidth: number;
  /** skimage threshold_abs / threshold_rel (the band only knows its own min/max, see below). */
  thresholdAbs: number | null;
  thresholdRel: number | null;
  /** Streamed shared `data` (parallel path): wait for it before reading. */
  stream?: SharedStream;
}

export interface BandCandidates {
  /** Global linear indices (row * cols + col) of candidates, row-major. */
  indices: Int32Array;
  /** True when image == maximum_filter(image) on every own pixel ('trivial image' test). */
  allEqual: boolean;
  /** Min / max of the own rows; `bad` = global index of the first non-finite own pixel or -1. */
  min: number;
  max: number;
  bad: number;
}

/**
 * A threshold the whole-image one (skimage: max(threshold_abs ?? min, threshold_rel * max), see
 * effectiveThreshold) can only exceed, from the band's own maximum: the image maximum is at least
 * the band's, and the image minimum is unknown (-Infinity). Rounded like the real one (monotone),
 * so every pixel above the real threshold is above this one too.
 */
function thresholdLowerBound(f32: boolean, abs: number | null, rel: number | null, bandMax: number): number {
  let thr = abs ?? -Infinity;
  if (rel !== null && rel >= 0) thr = Math.max(thr, rel * bandMax);
  if (!f32 || !Number.isFinite(thr)) return thr;
  if (Math.abs(thr) > 3.4028234663852886e38) return thr > 0 ? Infinity : -Infinity;
  return Math.fround(thr);
}

/**
 * maximum_filter over the band held at `imgPtr` (zero padding at its edges, which are the image
 * edges or at least `radius` halo rows away from the own rows, so own rows see exactly scipy's
 * filter), then `(img == maxf) & (img > threshold)` outside the excluded border.
 */
function filterAndExtract(
  k: Peaks2dExports,
  arena: Arena,
  imgPtr: number,
  f32: boolean,
  b: Omit<BandRequest, 'data' | 'thresholdAbs' | 'thresholdRel'>,
  bandRows: number,
  threshold: number,
): Pick<BandCandidates, 'indices' | 'allEqual'> {
  const maxf = f32 ? arena.f32((bandRows + 2 * b.radius) * b.cols) : arena.f64((bandRows + 2 * b.radius) * b.cols);
  const rowBuf = f32 ? arena.f32(b.cols + 2 * b.radius) : arena.f64(b.cols + 2 * b.radius);
  const out = arena.i32(b.nRows * b.cols);
  const flags = arena.i32(1);
  (f32 ? k.maxFilterF32 : k.maxFilterF64)(imgPtr, maxf.ptr, bandRows, b.cols, b.radius, rowBuf.ptr);
  const skip = (b.row0 - b.haloStart) * b.cols * (f32 ? 4 : 8);
  const count = (f32 ? k.candidatesF32 : k.candidatesF64)(
    imgPtr + skip,
    maxf.ptr + skip,
    b.nRows,
    b.cols,
    b.row0,
    b.totalRows,
    b.borderWidth,
    threshold,
    out.ptr,
    flags.ptr,
  );
  return { indices: out.copyOut(count), allEqual: flags.view()[0] === 1 };
}

/**
 * Candidates of one band (parallel path, on a worker or the calling thread): own-row statistics
 * and finite check, then candidates above the band's lower-bound threshold; the caller keeps
 * those above the whole-image threshold (candidateAbove).
 */
export function bandCandidates(b: BandRequest): BandCandidates {
  const { core, k } = kernels();
  const f32 = b.data instanceof Float32Array;
  // The stream counts elements of the whole shared buffer; this band is a view into it.
  awaitShared(b.stream, b.data.byteOffset / b.data.BYTES_PER_ELEMENT + b.data.length);
  return core.withArena((arena) => {
    const img = arena.copyIn(b.data);
    const stats = arena.f64(2);
    const own = (b.row0 - b.haloStart) * b.cols;
    const bytes = f32 ? 4 : 8;
    const bad = (f32 ? k.minMaxF32 : k.minMaxF64)(img.ptr + own * bytes, b.nRows * b.cols, stats.ptr);
    if (bad >= 0)
      return { indices: new Int32Array(0), allEqual: false, min: NaN, max: NaN, bad: b.row0 * b.cols + bad };
    const [min, max] = stats.view();
    const found = filterAndExtract(
      k,
      arena,
      img.ptr,
      f32,
      b,
      b.data.length / b.cols,
      thresholdLowerBound(f32, b.thresholdAbs, b.thresholdRel, max),
    );
    return { ...found, min, max, bad: -1 };
  });
}

/** Keeps the candidates strictly above the whole-image threshold (compared in the image's type). */
export function candidatesAbove(data: Float32Array | Float64Array, indices: Int32Array, threshold: number): Int32Array {
  let n = 0;
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) if (data[indices[i]] > threshold) out[n++] = indices[i];
  return out.subarray(0, n);
}

/**
 * Serial path, one copy into WASM: finite check and min/max, then `thresholdOf(min, max)`, then
 * the whole image as one band.
 */
export function imageCandidates(
  where: string,
  data: Float32Array | Float64Array,
  rows: number,
  cols: number,
  band: { radius: number; borderWidth: number },
  thresholdOf: (min: number, max: number) => number,
): Pick<BandCandidates, 'indices' | 'allEqual'> {
  const { core, k } = kernels();
  const f32 = data instanceof Float32Array;
  return core.withArena((arena) => {
    const img = arena.copyIn(data);
    const stats = arena.f64(2);
    const bad = f32 ? k.minMaxF32(img.ptr, data.length, stats.ptr) : k.minMaxF64(img.ptr, data.length, stats.ptr);
    if (bad >= 0) throw nonFinite(where, data, bad, cols);
    const [min, max] = stats.view();
    const threshold = thresholdOf(min, max);
    return filterAndExtract(
      k,
      arena,
      img.ptr,
      f32,
      { cols, haloStart: 0, row0: 0, nRows: rows, totalRows: rows, ...band },
      rows,
      threshold,
    );
  });
}
