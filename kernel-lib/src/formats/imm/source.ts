/**
 * Low-level positional access to an IMM file: a chunked reader (few syscalls for many small
 * sparse frames), header walking with truncation checks, and payload decoding into a frame.
 * Sync reads on purpose: like numpy's np.fromfile in xpcs-eigen's `imm_file.py`, a frame read is
 * a short blocking copy; async fs calls cost a thread-pool round trip per frame.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { StagebookError } from '../../errors/stagebook-error';
import { fsError, openForRead } from '../hdf5/file-io';
import { IMM_HEADER_BYTES, checkImmHeader, decodeImmHeader, immPayloadBytes, type ImmFrameHeader } from './header';

const CHUNK_BYTES = 4 << 20;

/** A frame's header and where it sits in the file. */
export interface ImmFrameLocation {
  header: ImmFrameHeader;
  /** Byte offset of the frame's header; the payload starts 1024 bytes later. */
  offset: number;
}

export class ImmSource {
  readonly fd: number;
  readonly size: number;
  private chunk = new Uint8Array(CHUNK_BYTES);
  private chunkPos = 0;
  private chunkLen = 0;

  constructor(
    readonly where: string,
    readonly file: string,
  ) {
    if (os.endianness() !== 'LE') {
      throw new StagebookError('E_UNSUPPORTED', `${where}: IMM decoding needs a little-endian host`, { where, file });
    }
    const { fd, size } = openForRead(where, file);
    if (size === 0) {
      // An IMM file holds at least one 1024-byte frame header; an empty file is not an empty stack.
      fs.closeSync(fd);
      throw new StagebookError(
        'E_FORMAT',
        `${where}: ${file} is empty (0 bytes): an IMM file starts with a ${IMM_HEADER_BYTES}-byte frame header`,
        {
          where,
          file,
          frame: 0,
          offset: 0,
          size: 0,
        },
      );
    }
    this.fd = fd;
    this.size = size;
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  /** Bytes [pos, pos+n) of the file (a view into the chunk buffer, valid until the next call). */
  bytes(pos: number, n: number): Uint8Array {
    if (pos < this.chunkPos || pos + n > this.chunkPos + this.chunkLen) {
      if (n > this.chunk.length) this.chunk = new Uint8Array(Math.max(n, this.chunk.length * 2));
      this.chunkLen = this.readInto(this.chunk, 0, Math.min(this.chunk.length, this.size - pos), pos);
      this.chunkPos = pos;
    }
    return this.chunk.subarray(pos - this.chunkPos, pos - this.chunkPos + n);
  }

  /** Reads exactly `n` bytes at `pos` into `dest[destOff..)` (one syscall for large reads). */
  readInto(dest: Uint8Array, destOff: number, n: number, pos: number): number {
    let done = 0;
    try {
      while (done < n) {
        const got = fs.readSync(this.fd, dest, destOff + done, n - done, pos + done);
        if (got === 0) break;
        done += got;
      }
    } catch (e) {
      throw fsError(this.where, this.file, e, `read ${n} bytes at byte offset ${pos} of`);
    }
    return done;
  }

  /** Header of the frame starting at `offset`, checked for truncation and sanity. */
  headerAt(frame: number, offset: number): ImmFrameLocation {
    const remain = this.size - offset;
    if (remain < IMM_HEADER_BYTES) {
      throw this.truncated(frame, offset, `header needs ${IMM_HEADER_BYTES} bytes but only ${remain} remain`);
    }
    const header = decodeImmHeader(this.bytes(offset, IMM_HEADER_BYTES));
    checkImmHeader(this.where, this.file, frame, offset, header);
    const need = immPayloadBytes(header);
    const have = this.size - offset - IMM_HEADER_BYTES;
    if (have < need) {
      throw this.truncated(
        frame,
        offset + IMM_HEADER_BYTES,
        `payload needs ${need} bytes (dlen=${header.dlen}) but only ${have} remain`,
      );
    }
    return { header, offset };
  }

  /** Walks every frame header from the start of the file. */
  scan(): ImmFrameLocation[] {
    const out: ImmFrameLocation[] = [];
    let pos = 0;
    while (pos < this.size) {
      const loc = this.headerAt(out.length, pos);
      out.push(loc);
      pos += IMM_HEADER_BYTES + immPayloadBytes(loc.header);
    }
    return out;
  }

  truncated(frame: number, offset: number, why: string): StagebookError {
    return new StagebookError(
      'E_TRUNCATED',
      `${this.where}: ${this.file}: truncated at frame ${frame}, byte offset ${offset}: ${why} (file is ${this.size} bytes)`,
      {
        where: this.where,
        file: this.file,
        frame,
        offset,
        size: this.size,
      },
    );
  }

  /**
   * Sparse payload as aligned typed arrays. Returned arrays may alias the chunk buffer
   * (valid until the next read) unless `copy` is set.
   */
  sparsePayload(loc: ImmFrameLocation, copy: boolean): { indices: Uint32Array; values: Uint16Array } {
    const n = loc.header.dlen;
    const raw = this.bytes(loc.offset + IMM_HEADER_BYTES, n * 6);
    const indices = alignedView(raw.subarray(0, 4 * n), Uint32Array, 4, n, copy);
    const values = alignedView(raw.subarray(4 * n, 6 * n), Uint16Array, 2, n, copy);
    return { indices, values };
  }

  /** Fills `dest[base .. base+rows*cols)` (zeroed by the caller for sparse frames) with the frame. */
  decodeInto(loc: ImmFrameLocation, frame: number, dest: Uint16Array, base: number): void {
    const h = loc.header;
    if (h.compression === 0) {
      const u8 = new Uint8Array(dest.buffer, dest.byteOffset + base * 2, h.dlen * 2);
      this.readInto(u8, 0, h.dlen * 2, loc.offset + IMM_HEADER_BYTES);
      return;
    }
    const { indices, values } = this.sparsePayload(loc, false);
    const pixels = h.rows * h.cols;
    for (let k = 0; k < indices.length; k++) {
      const p = indices[k];
      if (p >= pixels) throw this.badIndex(loc, frame, k, p, pixels);
      dest[base + p] = values[k];
    }
  }

  badIndex(loc: ImmFrameLocation, frame: number, k: number, p: number, pixels: number): StagebookError {
    const offset = loc.offset + IMM_HEADER_BYTES + 4 * k;
    return new StagebookError(
      'E_FORMAT',
      `${this.where}: ${this.file}: frame ${frame}: sparse pixel index ${p} at byte offset ${offset} is outside the ${pixels}-pixel frame`,
      {
        where: this.where,
        file: this.file,
        frame,
        offset,
        field: 'indices',
      },
    );
  }
}

type Ctor<T> = { new (buf: ArrayBuffer, off: number, n: number): T; new (n: number): T };

function alignedView<T extends Uint32Array | Uint16Array>(
  raw: Uint8Array,
  C: Ctor<T>,
  align: number,
  n: number,
  copy: boolean,
): T {
  if (!copy && raw.byteOffset % align === 0) return new C(raw.buffer as ArrayBuffer, raw.byteOffset, n);
  const out = new C(n);
  new Uint8Array(out.buffer, out.byteOffset, n * align).set(raw);
  return out;
}

/** Runs `fn` with an open source, closing it afterwards. */
export function withImmSource<T>(where: string, file: string, fn: (src: ImmSource) => T): T {
  const src = new ImmSource(where, file);
  try {
    return fn(src);
  } finally {
    src.close();
  }
}
