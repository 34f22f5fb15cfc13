/**
 * HDF5 superblock check done before handing a file to libhdf5, so that a truncated or non-HDF5
 * file yields an error with a byte offset (libhdf5 only says "unable to open file").
 * Layout: HDF5 File Format Specification 3.0, section II.A (superblock versions 0-3). The
 * signature may sit at 0, 512, 1024, 2048, ... (after a user block).
 */
import * as fs from 'node:fs';
import { StagebookError } from '../../errors/stagebook-error';
import { openForRead } from './file-io';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export interface SuperblockInfo {
  /** Byte offset of the signature. */
  offset: number;
  version: number;
  /** Absolute end-of-file address recorded by the writer (base address + EOF address). */
  endOfFile: number;
  size: number;
}

function readUint(b: Buffer, off: number, n: number): number {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[off + i]);
  return v === (1n << BigInt(8 * n)) - 1n ? NaN : Number(v); // all ones = undefined address
}

function findSignature(fd: number, size: number): { at: number; head: Buffer } | null {
  const head = Buffer.alloc(96);
  for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
    const n = fs.readSync(fd, head, 0, head.length, at);
    if (n >= 8 && SIGNATURE.every((c, i) => head[i] === c)) return { at, head: head.subarray(0, n) };
  }
  return null;
}

/** Reads the superblock of `file`; throws E_FORMAT (not HDF5) or E_TRUNCATED (file shorter than recorded). */
export function checkSuperblock(where: string, file: string): SuperblockInfo {
  const { fd, size } = openForRead(where, file);
  try {
    const found = findSignature(fd, size);
    if (!found) {
      throw new StagebookError(
        'E_FORMAT',
        `${where}: ${file} is not an HDF5 file (no signature at byte offset 0, 512, 1024, ...; ${size} bytes)`,
        { where, file, offset: 0, size },
      );
    }
    const { at, head } = found;
    const version = head[8];
    const o = version <= 1 ? head[13] : head[9];
    const baseAt = version === 0 ? 24 : version === 1 ? 28 : 12;
    const eofAt = version <= 1 ? baseAt + 2 * o : baseAt + 2 * o;
    if (![2, 4, 8].includes(o) || version > 3 || eofAt + o > head.length) {
      throw new StagebookError(
        'E_FORMAT',
        `${where}: ${file}: unsupported HDF5 superblock (version ${version}, offset size ${o}) at byte offset ${at}`,
        { where, file, offset: at },
      );
    }
    const base = readUint(head, baseAt, o);
    const endOfFile = (Number.isNaN(base) ? at : base) + readUint(head, eofAt, o);
    if (endOfFile > size) {
      throw new StagebookError(
        'E_TRUNCATED',
        `${where}: ${file} is truncated at byte offset ${size}: its superblock records ${endOfFile} bytes`,
        { where, file, offset: size, expected: endOfFile, size },
      );
    }
    return { offset: at, version, endOfFile, size };
  } finally {
    fs.closeSync(fd);
  }
}
