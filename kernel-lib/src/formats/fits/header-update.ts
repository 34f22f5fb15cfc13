/**
 * Editing a primary header without touching the data (astropy `fits.setval(file, key, value=...)`),
 * and comparing the data of one HDU of two files with keywords ignored (astropy
 * `HDUDiff(a, b, ignore_keywords=['*']).identical`). Both stream the data units as bytes: the file is
 * never decoded, so a table of any column type is handled.
 */
import * as fs from 'node:fs';
import nodePath from 'node:path';
import { fitsError } from './errors';
import { BLOCK, type FitsHeader } from './header';
import { openFits } from './file';
import { addChecksum } from './write';

/**
 * Writes `dest` (may equal `src`) as `src` with its primary header changed by `edit`; every other
 * byte (primary data, extensions) is copied unchanged. The primary CHECKSUM/DATASUM are recomputed
 * when the source had them. The write is atomic (temp file in the destination folder, fsync,
 * rename), so a crash leaves either the old `dest` or the new one, never a mix. `times` sets the
 * access/modification times of the new file.
 */
export function rewritePrimaryHeader(
  src: string,
  dest: string,
  edit: (h: FitsHeader) => void,
  options: { times?: { atime: Date; mtime: Date } } = {},
): void {
  const f = openFits(src);
  const primary = f.hdu(0);
  const header = primary.rawHeader;
  edit(header);
  const size = fs.statSync(src).size;
  const dataEnd = primary.nextOffset;
  const tmp = nodePath.join(nodePath.dirname(dest), `.${nodePath.basename(dest)}.${process.pid}.hdr.tmp`);
  const inFd = fs.openSync(src, 'r');
  let outFd: number | undefined;
  try {
    const primaryData = Buffer.alloc(dataEnd - primary.dataOffset);
    fs.readSync(inFd, primaryData, 0, primaryData.length, primary.dataOffset);
    if (header.has('CHECKSUM') || header.has('DATASUM')) addChecksum(header, primaryData);
    outFd = fs.openSync(tmp, 'w');
    writeAll(outFd, header.toBytes());
    writeAll(outFd, primaryData);
    const chunk = Buffer.alloc(1 << 20);
    for (let at = dataEnd; at < size;) {
      const n = fs.readSync(inFd, chunk, 0, Math.min(chunk.length, size - at), at);
      if (n === 0) break;
      writeAll(outFd, chunk.subarray(0, n));
      at += n;
    }
    fs.fsyncSync(outFd);
    fs.closeSync(outFd);
    outFd = undefined;
    // times set before the rename: the final name never carries other times
    if (options.times) fs.utimesSync(tmp, options.times.atime, options.times.mtime);
    fs.renameSync(tmp, dest);
  } catch (cause) {
    if (outFd !== undefined) fs.closeSync(outFd);
    fs.rmSync(tmp, { force: true });
    if (cause instanceof Error && cause.name === 'StagebookError') throw cause;
    fitsError('E_FITS_IO', `rewritePrimaryHeader failed: ${(cause as Error).message}`, { file: dest }, cause);
  } finally {
    fs.closeSync(inFd);
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

/** Cards that define a table's columns and size: part of the data for a comparison that ignores keywords. */
const STRUCTURE = /^(XTENSION|BITPIX|NAXIS\d*|PCOUNT|GCOUNT|TFIELDS|T(TYPE|FORM|DIM|SCAL|ZERO|NULL|UNIT)\d+)$/;

function structureOf(h: FitsHeader): string {
  return h.cards
    .filter((c) => STRUCTURE.test(c.key))
    .map((c) => `${c.key}=${String(c.value).trim()}`)
    .join('\n');
}

/**
 * True when HDU `extname` of `a` and of `b` hold the same data: the same column definitions and
 * shape (astropy's TableDataDiff compares those too) and byte-identical data units, heap included.
 * Byte identity is what `HDUDiff` with its default rtol = atol = 0 decides for tables of integers;
 * for floats it also treats NaNs of one bit pattern alike, as astropy does.
 */
export function hduDataIdentical(a: string, b: string, extname: string): boolean {
  const ha = openFits(a).hdu(extname);
  const hb = openFits(b).hdu(extname);
  if (structureOf(ha.rawHeader) !== structureOf(hb.rawHeader)) return false;
  if (ha.dataSize !== hb.dataSize) return false;
  const fa = fs.openSync(a, 'r');
  const fb = fs.openSync(b, 'r');
  try {
    const bufA = Buffer.alloc(Math.min(BLOCK * 256, Math.max(ha.dataSize, 1)));
    const bufB = Buffer.alloc(bufA.length);
    for (let done = 0; done < ha.dataSize;) {
      const n = Math.min(bufA.length, ha.dataSize - done);
      const ra = fs.readSync(fa, bufA, 0, n, ha.dataOffset + done);
      const rb = fs.readSync(fb, bufB, 0, n, hb.dataOffset + done);
      if (ra !== n || rb !== n || bufA.compare(bufB, 0, n, 0, n) !== 0) return false;
      done += n;
    }
    return true;
  } finally {
    fs.closeSync(fa);
    fs.closeSync(fb);
  }
}
