/**
 * Oracle adapter for `peak_local_max` (skimage.feature.peak_local_max 0.19.3): builds the image
 * (inline `data` with nulls as NaN, or a raw little-endian float32/float64 `file` checked against
 * `bytes` and `sha256`), runs the public peakLocalMax and compares the coordinates exactly, in order.
 */
import { createHash } from 'node:crypto';
import { StagebookError } from '../../errors/stagebook-error';
import { peakLocalMax } from '../../numeric/peaks2d';
import type { OracleCase, OracleContext, OracleFamily } from '../types';

interface PlmImage {
  shape: [number, number];
  dtype?: string;
  data?: (number | null)[] | (number | null)[][];
  file?: string;
  bytes?: number;
  sha256?: string;
}

interface PlmParams {
  min_distance?: number;
  threshold_abs?: number | null;
  threshold_rel?: number | null;
  exclude_border?: boolean | number;
  num_peaks?: number | null;
}

function imageFromFile(im: PlmImage, ctx: OracleContext, f32: boolean): Float32Array | Float64Array {
  const buf = ctx.readBinary(im.file!);
  if (im.bytes !== undefined && buf.length !== im.bytes) {
    throw new StagebookError('E_ORACLE_FORMAT', `image file ${im.file}: ${buf.length} bytes, expected ${im.bytes}`, {
      file: im.file,
    });
  }
  if (im.sha256 && createHash('sha256').update(buf).digest('hex') !== im.sha256.toLowerCase()) {
    throw new StagebookError('E_ORACLE_FORMAT', `image file ${im.file}: sha256 mismatch`, { file: im.file });
  }
  const width = f32 ? 4 : 8;
  const out = f32 ? new Float32Array(buf.length / width) : new Float64Array(buf.length / width);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = f32 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
  return out;
}

function buildImage(im: PlmImage, ctx: OracleContext): { data: Float32Array | Float64Array; shape: [number, number] } {
  const f32 = im.dtype === 'float32';
  if (im.file) return { data: imageFromFile(im, ctx, f32), shape: im.shape };
  // `data` is flat row-major; tolerate a nested [rows][cols] list too (Part 1 convention).
  const values = ((im.data ?? []) as unknown[]).flat(Infinity).map((v) => (v === null ? NaN : (v as number)));
  return { data: f32 ? Float32Array.from(values) : Float64Array.from(values), shape: im.shape };
}

export const peakLocalMaxFamily: OracleFamily = {
  family: 'peak_local_max',
  runCase(c: OracleCase, check, ctx) {
    const image = buildImage(c.image as PlmImage, ctx);
    const p = (c.params ?? {}) as PlmParams;
    const coords = peakLocalMax(image, {
      minDistance: p.min_distance ?? 1,
      thresholdAbs: p.threshold_abs ?? null,
      thresholdRel: p.threshold_rel ?? null,
      excludeBorder: p.exclude_border ?? true,
      numPeaks: p.num_peaks ?? Infinity,
    });
    if (!c.expected) return;
    const e = c.expected as { coordinates: number[][]; count?: number };
    if (e.count !== undefined) check.equal('count', coords.length / 2, e.count);
    check.exact('coordinates', coords, e.coordinates);
  },
};
