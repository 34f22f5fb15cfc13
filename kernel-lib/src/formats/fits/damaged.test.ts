/**
 * Damaged files (issue 22 item 10): an extension header that no longer starts with XTENSION is an
 * error naming its byte offset, not the end of the file; bytes after the last HDU that are not zero
 * padding are reported too. Zero padding after the last HDU stays harmless.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StagebookError } from '../../errors/stagebook-error';
import { openFits, readFits } from './file';
import { writeFits } from './write';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'stagebook-fits-damaged-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function threeHdus(name: string): { path: string; offsets: number[] } {
  const path = join(dir, name);
  writeFits(
    path,
    [
      { data: Int16Array.from({ length: 600 }, (_, i) => i), shape: [20, 30] },
      { data: Float32Array.of(1, 2, 3), name: 'A' },
      { data: Int32Array.of(4, 5, 6), name: 'B' },
    ],
    { overwrite: true },
  );
  const offsets = openFits(path)
    .hdus()
    .map((h) => h.headerOffset);
  return { path, offsets };
}

function failure(fn: () => unknown): StagebookError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StagebookError) return e;
    throw e;
  }
  throw new Error('expected a StagebookError');
}

describe('damaged extension headers and trailing data', () => {
  it('an extension whose first card is no longer XTENSION is E_FITS_FORMAT at its offset', () => {
    const { path, offsets } = threeHdus('damaged.fits');
    const fd = fs.openSync(path, 'r+');
    fs.writeSync(fd, Buffer.from('XTENSIOM'), 0, 8, offsets[2]);
    fs.closeSync(fd);
    const e = failure(() => readFits(path));
    expect(e.code).toBe('E_FITS_FORMAT');
    expect(e.context).toMatchObject({ file: path, hdu: 2, offset: offsets[2] });
    expect(e.message).toContain(`byte ${offsets[2]}`);
    // HDUs before the damage are still reachable one by one.
    expect(openFits(path).hdu(1).name).toBe('A');
  });

  it('non-zero bytes after the last HDU are reported with their offset', () => {
    const { path } = threeHdus('trailing.fits');
    const end = fs.statSync(path).size;
    fs.appendFileSync(path, Buffer.from('garbage after the end'));
    const e = failure(() => openFits(path).length);
    expect(e.code).toBe('E_FITS_FORMAT');
    expect(e.context).toMatchObject({ offset: end });
    expect(e.message).toMatch(/21 bytes after the last HDU/);
  });

  it('zero padding after the last HDU ends the file quietly', () => {
    const { path } = threeHdus('padded.fits');
    fs.appendFileSync(path, Buffer.alloc(2880 + 100));
    expect(openFits(path).length).toBe(3);
  });
});

describe('blank checksums (issue 22 item 15)', () => {
  it("a blank CHECKSUM or DATASUM ('        ') is undefined, not a failure (cfitsio ffvcks)", () => {
    const { path } = threeHdus('blank-sums.fits');
    const bytes = fs.readFileSync(path);
    const text = bytes.toString('latin1');
    for (const key of ['CHECKSUM', 'DATASUM ']) {
      const at = text.indexOf(`${key}= '`);
      const close = text.indexOf("'", at + 11);
      bytes.write(`${key}= '${' '.repeat(close - at - 11)}'`, at, 'latin1');
    }
    fs.writeFileSync(path, bytes);
    const status = openFits(path).hdu(0).verifyChecksum();
    expect(status.checksum).toBeUndefined();
    expect(status.datasum).toBeUndefined();
    // The other HDUs keep their real checksums.
    expect(openFits(path).hdu(1).verifyChecksum()).toMatchObject({
      checksum: true,
      datasum: true,
    });
  });
});
