/**
 * verifyFits and the opt-in checksum on reads (issue 22 item 17). Each broken file is also given to
 * astropy's HDUList.verify('exception') / checksum=True, which must reject it too, and the intact
 * file must pass both.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StagebookError } from '../../errors/stagebook-error';
import { openFits, readFits } from './file';
import { verifyFits } from './verify';
import { writeFits } from './write';

const dir = fs.mkdtempSync(join(tmpdir(), 'stagebook-verify-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ASTROPY = [
  'import sys, warnings',
  'from astropy.io import fits',
  'warnings.simplefilter("error")',
  'try:',
  '    with fits.open(sys.argv[1], checksum=True) as h:',
  '        h.verify("exception"); [x.data for x in h]',
  '    print("ok")',
  'except Exception as e:',
  '    print("fail", type(e).__name__)',
].join('\n');
const astropyVerdict = (file: string): string =>
  spawnSync('/usr/bin/python3', ['-c', ASTROPY, file], { encoding: 'utf8' }).stdout.trim().split(' ')[0];

function sample(name: string): string {
  const file = join(dir, name);
  writeFits(
    file,
    [
      { data: Int16Array.from({ length: 12 }, (_, i) => i), shape: [3, 4] },
      {
        type: 'bintable',
        name: 'T',
        columns: [{ name: 'X', data: Float64Array.of(1, 2, 3) }],
      },
    ],
    { overwrite: true },
  );
  return file;
}

/** Rewrites one 80-character card image of HDU `hdu` (found by its keyword) in place. */
function patchCard(file: string, hdu: number, key: string, image: string): void {
  const at = openFits(file).hdu(hdu).headerOffset;
  const bytes = fs.readFileSync(file);
  const text = bytes.toString('latin1', at, at + 2880);
  const pos = text.indexOf(key.padEnd(8));
  bytes.write(image.padEnd(80), at + pos, 'latin1');
  fs.writeFileSync(file, bytes);
}

describe('verifyFits', () => {
  it('an intact file has no issues, for us and for astropy', () => {
    const file = sample('ok.fits');
    expect(verifyFits(file)).toMatchObject({ ok: true, hdus: 2, issues: [] });
    expect(astropyVerdict(file)).toBe('ok');
  });

  it('mandatory keywords out of order or of the wrong type', () => {
    const file = sample('order.fits');
    const bytes = fs.readFileSync(file);
    // Swap cards 2 (BITPIX) and 3 (NAXIS) of the primary header.
    const bitpix = Buffer.from(bytes.subarray(80, 160));
    bytes.copy(bytes, 80, 160, 240);
    bitpix.copy(bytes, 160);
    fs.writeFileSync(file, bytes);
    patchCard(file, 1, 'TFIELDS', "TFIELDS = '1'");
    const r = verifyFits(file);
    expect(r.ok).toBe(false);
    expect(r.issues.filter((i) => i.check === 'keyword-order').map((i) => [i.hdu, i.keyword])).toEqual([
      [0, 'BITPIX'],
      [0, 'NAXIS'],
    ]);
    expect(r.issues.find((i) => i.check === 'keyword-type')).toMatchObject({
      hdu: 1,
      keyword: 'TFIELDS',
    });
    expect(astropyVerdict(file)).toBe('fail');
  });

  it('non-blank header fill and non-zero data fill, with their offsets', () => {
    const file = sample('fill.fits');
    const hdu = openFits(file).hdu(0);
    const bytes = fs.readFileSync(file);
    bytes.write('JUNK', hdu.dataOffset - 10, 'latin1');
    bytes[hdu.dataOffset + hdu.dataSize + 5] = 7;
    fs.writeFileSync(file, bytes);
    const r = verifyFits(file);
    expect(r.issues.find((i) => i.check === 'header-fill')).toMatchObject({
      hdu: 0,
      offset: hdu.dataOffset - 10,
    });
    expect(r.issues.find((i) => i.check === 'data-fill')).toMatchObject({
      hdu: 0,
      offset: hdu.dataOffset + hdu.dataSize + 5,
    });
  });

  it('a changed data byte fails DATASUM and CHECKSUM; checksum: true on reads throws E_FITS_CHECKSUM', () => {
    const file = sample('sum.fits');
    const hdu = openFits(file).hdu(0);
    const bytes = fs.readFileSync(file);
    bytes[hdu.dataOffset + 3] ^= 0x10;
    fs.writeFileSync(file, bytes);
    const r = verifyFits(file);
    expect(r.issues.filter((i) => i.check === 'checksum').map((i) => i.keyword)).toEqual(['DATASUM', 'CHECKSUM']);
    expect(astropyVerdict(file)).toBe('fail');
    // Off by default, like astropy: the damaged pixel reads.
    expect(openFits(file).hdu(0).readImage().data.length).toBe(12);
    let caught: unknown;
    try {
      openFits(file, { checksum: true }).hdu(0).readImage();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StagebookError);
    expect(caught).toMatchObject({
      code: 'E_FITS_CHECKSUM',
      context: { file, hdu: 0 },
    });
    expect(() => readFits(file, { checksum: true })).toThrow(/DATASUM/);
    // The intact table HDU still reads with verification on.
    expect(openFits(file, { checksum: true }).hdu(1).readTable().nrows).toBe(3);
  });

  it('a damaged extension header ends the walk with an issue instead of throwing', () => {
    const file = sample('damaged.fits');
    const at = openFits(file).hdu(1).headerOffset;
    const bytes = fs.readFileSync(file);
    bytes.write('XTENSIOX', at, 'latin1');
    fs.writeFileSync(file, bytes);
    const r = verifyFits(file);
    expect(r.hdus).toBe(1);
    expect(r.issues).toEqual([expect.objectContaining({ hdu: 1, check: 'E_FITS_FORMAT', offset: at })]);
  });

  it('refuses unknown read options', () => {
    expect(() => openFits(sample('opt.fits'), { checksum: 'yes' } as never)).toThrow(/options.checksum/);
    expect(() => openFits(sample('opt.fits'), { verify: true } as never)).toThrow(/options.verify/);
  });
});
