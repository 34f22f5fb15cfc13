// rewritePrimaryHeader (astropy fits.setval) and hduDataIdentical (HDUDiff with ignore_keywords=['*']).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hduDataIdentical, readFits, readFitsHeader, rewritePrimaryHeader, writeFits } from './index';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-hdrupd-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function table(file: string, values: number[], key = 'A', name = 'counts'): string {
  const f = path.join(dir, file);
  writeFits(f, [
    { header: [['KEY', key, 'differs between files']] },
    { type: 'bintable', name: 'DATA', columns: [{ name, data: Int32Array.from(values) }] },
  ]);
  return f;
}

describe('FITS header update and data comparison', () => {
  it('rewrites the primary header only: extension bytes unchanged, checksums valid, long COMMENT continued', () => {
    const src = table('a.fits', [1, 2, 3]);
    const dest = path.join(dir, 'b.fits');
    const text = 'x'.repeat(150);
    rewritePrimaryHeader(src, dest, (h) => {
      h.addComment(text);
      h.set('FILENAME', 'b.fits');
    });
    const h = readFitsHeader(dest);
    expect(h.comments().join('')).toBe(text);
    expect(h.get('FILENAME')).toBe('b.fits');
    const a = readFileSync(src);
    const b = readFileSync(dest);
    expect(b.subarray(b.length - 2 * 2880).equals(a.subarray(a.length - 2 * 2880))).toBe(true);
    expect(() => readFits(dest, { checksum: true })).not.toThrow();
    expect(readFileSync(src).equals(a)).toBe(true);
  });

  it('compares the DATA of two files ignoring keywords; values or column definitions that differ are not identical', () => {
    const a = table('a.fits', [1, 2, 3], 'A');
    expect(hduDataIdentical(a, table('b.fits', [1, 2, 3], 'B'), 'DATA')).toBe(true);
    expect(hduDataIdentical(a, table('c.fits', [1, 2, 4]), 'DATA')).toBe(false);
    expect(hduDataIdentical(a, table('d.fits', [1, 2, 3], 'A', 'other'), 'DATA')).toBe(false);
    expect(hduDataIdentical(a, table('e.fits', [1, 2]), 'DATA')).toBe(false);
  });
});
