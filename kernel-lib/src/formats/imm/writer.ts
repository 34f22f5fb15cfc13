/**
 * IMM writer for fixtures and synthetic data: dense (compression 0) or sparse (compression 6,
 * nonzero pixels only, ascending index) frames in XPCS-Eigen's layout. Written to a temporary
 * sibling and renamed, so a failure never leaves a partial file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { StagebookError, invalidArgument } from '../../errors/stagebook-error';
import { checkFrames, type Frames } from '../../numeric/frames';
import { writeAtomically } from '../hdf5/file-io';
import {
  IMM_COMPRESSION_SPARSE,
  IMM_HEADER_BYTES,
  defaultImmHeader,
  encodeImmHeader,
  type ImmFrameHeader,
} from './header';

export interface WriteImmOptions {
  /** 'dense' (default) or 'sparse' (compression 6). */
  compression?: 'dense' | 'sparse';
  /** Per-frame `elapsed` clock in seconds (default: frame index * `preset`). */
  elapsed?: ArrayLike<number>;
  /** Per-frame `corecotick` (default: frame index). */
  corecotick?: ArrayLike<number>;
  /** Exposure preset written to every header (default 1). */
  preset?: number;
  /** Any other header fields, per frame (applied last; rows/cols/dlen/compression are ignored). */
  header?: (frame: number) => Partial<ImmFrameHeader>;
}

function checkValues(where: string, frames: Frames): void {
  const d = frames.data;
  if (d instanceof Uint16Array) return;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!(Number.isInteger(v) && v >= 0 && v <= 65535)) {
      const pixels = frames.shape[1] * frames.shape[2];
      invalidArgument(
        where,
        'frames.data',
        `IMM stores uint16 counts; frame ${Math.floor(i / pixels)} pixel ${i % pixels} is ${v}`,
      );
    }
  }
}

function checkPerFrame(where: string, field: string, arr: ArrayLike<number> | undefined, t: number): void {
  if (arr === undefined) return;
  if (arr.length !== t) invalidArgument(where, field, `needs one value per frame (${t}), got ${arr.length}`);
  for (let i = 0; i < t; i++) if (!Number.isFinite(arr[i])) invalidArgument(where, field, `value ${i} is ${arr[i]}`);
}

function frameHeader(t: number, rows: number, cols: number, o: WriteImmOptions): ImmFrameHeader {
  const h = { ...defaultImmHeader(rows, cols, t), preset: o.preset ?? 1 };
  h.elapsed = o.elapsed ? o.elapsed[t] : t * h.preset;
  h.corecotick = o.corecotick ? o.corecotick[t] : t;
  return { ...h, ...(o.header ? o.header(t) : {}), rows, cols };
}

/** Encodes frame t (header + payload) into a fresh buffer. */
function encodeFrame(frames: Frames, t: number, sparse: boolean, h: ImmFrameHeader): Uint8Array {
  const pixels = frames.shape[1] * frames.shape[2];
  const src = frames.data.subarray(t * pixels, (t + 1) * pixels);
  let dlen = pixels;
  if (sparse) {
    dlen = 0;
    for (let i = 0; i < pixels; i++) if (src[i] !== 0) dlen++;
  }
  const out = new Uint8Array(IMM_HEADER_BYTES + dlen * (sparse ? 6 : 2));
  encodeImmHeader({ ...h, compression: sparse ? IMM_COMPRESSION_SPARSE : 0, dlen, bytes: 2 }, out, 0);
  // Little-endian host (checked by the reader side too): typed views write the on-disk layout.
  if (!sparse) {
    new Uint16Array(out.buffer, IMM_HEADER_BYTES, pixels).set(src);
    return out;
  }
  const idx = new Uint32Array(out.buffer, IMM_HEADER_BYTES, dlen);
  const val = new Uint16Array(out.buffer, IMM_HEADER_BYTES + 4 * dlen, dlen);
  for (let i = 0, k = 0; i < pixels; i++) {
    if (src[i] === 0) continue;
    idx[k] = i;
    val[k++] = src[i];
  }
  return out;
}

/**
 * Writes `frames` ([T,H,W], integer counts 0..65535) as an IMM file at `file`.
 * @returns the number of bytes written.
 */
export async function writeImm(file: string, frames: Frames, options: WriteImmOptions = {}): Promise<number> {
  const where = 'writeImm';
  checkFrames(where, frames);
  if (os.endianness() !== 'LE')
    throw new StagebookError('E_UNSUPPORTED', `${where}: IMM encoding needs a little-endian host`, { where, file });
  const comp = options.compression ?? 'dense';
  if (comp !== 'dense' && comp !== 'sparse')
    invalidArgument(where, 'options.compression', `must be 'dense' or 'sparse', got ${JSON.stringify(comp)}`);
  const [t, rows, cols] = frames.shape;
  if (rows === 0 || cols === 0)
    invalidArgument(where, 'frames.shape', `frames must have at least one pixel, got [${frames.shape}]`);
  if (options.preset !== undefined && !Number.isFinite(options.preset))
    invalidArgument(where, 'options.preset', `must be finite, got ${options.preset}`);
  checkPerFrame(where, 'options.elapsed', options.elapsed, t);
  checkPerFrame(where, 'options.corecotick', options.corecotick, t);
  checkValues(where, frames);
  return writeAtomically(where, file, (tmp) => {
    const fd = fs.openSync(tmp, 'w');
    let bytes = 0;
    try {
      for (let i = 0; i < t; i++) {
        const buf = encodeFrame(frames, i, comp === 'sparse', frameHeader(i, rows, cols, options));
        fs.writeSync(fd, buf);
        bytes += buf.length;
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return bytes;
  });
}
