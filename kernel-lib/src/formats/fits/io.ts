/**
 * Positional file access (fs.openSync/readSync with explicit offsets) so a header or one HDU of a
 * large file is read without touching the rest, and header-block scanning up to the END card.
 */
import * as fs from 'node:fs';
import { CARD_LENGTH } from './card';
import { fitsError } from './errors';
import { BLOCK, FitsHeader } from './header';

/** Runs `fn` with a read-only descriptor of `path`, closing it afterwards. */
export function withFile<T>(path: string, fn: (fd: number, size: number) => T): T {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (cause) {
    return fitsError('E_FITS_IO', `cannot open: ${(cause as Error).message}`, { file: path }, cause);
  }
  try {
    return fn(fd, fs.fstatSync(fd).size);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads exactly `length` bytes at `offset` into a fresh, 8-byte aligned buffer. `what` names the
 * part for the truncation error.
 */
export function readAt(
  fd: number,
  offset: number,
  length: number,
  ctx: { file: string; hdu: number; what: string },
): Buffer {
  // Unpooled (own ArrayBuffer at offset 0, so 8-byte aligned) and not zero-filled: every byte is read below.
  const buf = Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const chunk = Math.min(length - done, 1 << 30);
    const n = fs.readSync(fd, buf, done, chunk, offset + done);
    if (n === 0) {
      fitsError(
        'E_FITS_TRUNCATED',
        `file ends inside the ${ctx.what}: ${length} bytes expected at byte ${offset}, ${done} available`,
        { file: ctx.file, hdu: ctx.hdu, offset: offset + done },
      );
    }
    done += n;
  }
  return buf;
}

export interface RawHeader {
  header: FitsHeader;
  headerOffset: number;
  dataOffset: number;
}

const END_CARD = 'END'.padEnd(CARD_LENGTH, ' ');

/** Reads header blocks from `offset` until the END card and parses the cards. */
export function readHeaderAt(fd: number, fileSize: number, offset: number, file: string, hdu: number): RawHeader {
  let text = '';
  let pos = offset;
  for (;;) {
    if (pos + BLOCK > fileSize) {
      return fitsError('E_FITS_TRUNCATED', `file ends inside the header (no END card before byte ${fileSize})`, {
        file,
        hdu,
        offset: Math.min(pos, fileSize),
      });
    }
    // Read up to 10 blocks at a time: most headers fit in one read.
    const blocks = Math.max(1, Math.min(10, Math.floor((fileSize - pos) / BLOCK)));
    const buf = readAt(fd, pos, blocks * BLOCK, { file, hdu, what: 'header' });
    const chunk = buf.toString('latin1');
    for (let b = 0; b < blocks; b++) {
      const block = chunk.slice(b * BLOCK, (b + 1) * BLOCK);
      for (let c = 0; c < BLOCK; c += CARD_LENGTH) {
        const card = block.slice(c, c + CARD_LENGTH);
        if (card.startsWith('END') && card.trimEnd() === 'END') {
          const header = FitsHeader.parse(text, { file, hdu, offset });
          return { header, headerOffset: offset, dataOffset: pos + (b + 1) * BLOCK };
        }
        text += card;
      }
    }
    pos += blocks * BLOCK;
  }
}

export { END_CARD };
