import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSums, encodeChecksum, onesComplementSum } from './checksum';
import { openFits, readFits, readFitsHeader } from './file';
import { FitsHeader } from './header';
import { writeFits } from './write';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'stagebook-fits-io-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A 2-HDU file: primary 20x30 int16 image, then a float32 extension. */
function sample(name: string): string {
  const path = join(dir, name);
  writeFits(
    path,
    [
      { data: Int16Array.from({ length: 600 }, (_, i) => i - 300), shape: [20, 30], header: [['OBJECT', 'test']] },
      { data: Float32Array.from({ length: 12 }, (_, i) => i / 4), shape: [3, 4], name: 'FLT' },
    ],
    { overwrite: true },
  );
  return path;
}

function thrown(fn: () => unknown): { code: string; message: string; context: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string; context: Record<string, unknown> };
  }
  throw new Error('expected a throw');
}

describe('readFits / writeFits round trip', () => {
  it('reads back what it wrote, by index and by EXTNAME, and rows alone', () => {
    const path = sample('rt.fits');
    const [prim, ext] = readFits(path);
    expect(prim.image?.shape).toEqual([20, 30]);
    expect(Array.from(prim.image?.data as Int16Array).slice(0, 3)).toEqual([-300, -299, -298]);
    expect(prim.header.get('OBJECT')).toBe('test');
    expect(ext.name).toBe('FLT');
    const f = openFits(path);
    expect(f.hdu('flt').readImage().data).toEqual(Float32Array.from({ length: 12 }, (_, i) => i / 4));
    const rows = f.hdu(0).readRows(5, 2);
    expect(rows.shape).toEqual([2, 30]);
    expect(rows.data[0]).toBe(5 * 30 - 300);
    const status = f.hdu(1).verifyChecksum();
    expect(status).toMatchObject({ checksum: true, datasum: true });
  });

  it('reads a header and a few rows of a 4 GiB (sparse) file without reading the rest', () => {
    const path = join(dir, 'huge.fits');
    const h = new FitsHeader()
      .set('SIMPLE', true)
      .set('BITPIX', -64)
      .set('NAXIS', 2)
      .set('NAXIS1', 8192)
      .set('NAXIS2', 65536);
    fs.writeFileSync(path, h.toBytes());
    fs.truncateSync(path, 2880 + 8192 * 65536 * 8);
    const before = bytesReadByThisProcess();
    expect(readFitsHeader(path, 0).get('NAXIS2')).toBe(65536);
    const rows = openFits(path).hdu(0).readRows(60000, 2);
    expect(rows.shape).toEqual([2, 8192]);
    expect(rows.data.length).toBe(16384);
    // counted in bytes, not timed: two header blocks and two rows of 64 KiB, not 4 GiB
    if (before !== undefined) expect(bytesReadByThisProcess()! - before).toBeLessThan(1 << 20);
    fs.rmSync(path);
  });

  it('a header edited by the user keeps its order and values when rewritten', () => {
    const path = sample('hdr.fits');
    const h = readFitsHeader(path, 0);
    h.addHistory('edited');
    const out = join(dir, 'hdr2.fits');
    writeFits(out, [{ data: new Int16Array(600), shape: [20, 30], header: h }], { overwrite: true });
    const back = readFitsHeader(out, 0);
    expect(back.keys().filter((k) => k !== 'CHECKSUM' && k !== 'DATASUM')).toEqual(
      h.keys().filter((k) => k !== 'CHECKSUM' && k !== 'DATASUM'),
    );
  });
});

describe('checksums (FITS standard appendix J)', () => {
  it('a header with its CHECKSUM sums to -0', () => {
    const data = Buffer.alloc(2880);
    data.writeInt32BE(123456789, 0);
    const datasum = onesComplementSum(data);
    const h = new FitsHeader()
      .set('SIMPLE', true)
      .set('BITPIX', 8)
      .set('NAXIS', 0)
      .set('CHECKSUM', '0000000000000000')
      .set('DATASUM', String(datasum));
    h.set('CHECKSUM', encodeChecksum(addSums(onesComplementSum(h.toBytes()), datasum)));
    expect(addSums(onesComplementSum(h.toBytes()), datasum)).toBe(0xffffffff);
    expect(h.getString('CHECKSUM')).toMatch(/^[0-9A-Za-z]{16}$/);
  });

  it('detects a modified data byte', () => {
    const path = sample('ck.fits');
    const buf = fs.readFileSync(path);
    buf[2880 + 100] ^= 0xff;
    fs.writeFileSync(path, buf);
    expect(openFits(path).hdu(0).verifyChecksum()).toMatchObject({ checksum: false, datasum: false });
  });
});

describe('corrupt input gives StagebookErrors naming file, HDU and offset or card', () => {
  it('a file truncated inside a header', () => {
    const path = sample('t1.fits');
    fs.truncateSync(path, 1000);
    const e = thrown(() => openFits(path));
    expect(e.code).toBe('E_FITS_TRUNCATED');
    expect(e.context).toMatchObject({ file: path, hdu: 0 });
    expect(e.message).toContain(path);
  });

  it('a file truncated inside image data', () => {
    const path = sample('t2.fits');
    fs.truncateSync(path, 2880 + 500);
    const f = openFits(path);
    expect(f.hdu(0).header.get('OBJECT')).toBe('test');
    const e = thrown(() => f.hdu(0).readImage());
    expect(e.code).toBe('E_FITS_TRUNCATED');
    expect(e.context).toMatchObject({ file: path, hdu: 0, offset: 2880 + 500 });
    expect(thrown(() => f.hdu(1)).code).toBe('E_FITS_TRUNCATED');
  });

  it('a bad card names its card number', () => {
    const path = sample('bad.fits');
    const buf = fs.readFileSync(path);
    buf.write('BADVAL  = 1.2.3'.padEnd(80), 80 * 5, 'latin1');
    fs.writeFileSync(path, buf);
    const e = thrown(() => openFits(path));
    expect(e.code).toBe('E_FITS_CARD');
    expect(e.context).toMatchObject({ file: path, hdu: 0, card: 6, offset: 400 });
  });

  it('a wrong BITPIX', () => {
    const path = sample('bitpix.fits');
    const buf = fs.readFileSync(path);
    const at = buf.indexOf('BITPIX', 2880 * 2, 'latin1');
    buf.write('BITPIX  =                   12'.padEnd(80), at, 'latin1');
    fs.writeFileSync(path, buf);
    const e = thrown(() => openFits(path).hdu(1));
    expect(e.code).toBe('E_FITS_BITPIX');
    expect(e.context).toMatchObject({ file: path, hdu: 1, card: 2 });
  });

  it('not a FITS file', () => {
    const path = join(dir, 'junk.fits');
    fs.writeFileSync(path, Buffer.alloc(5760, 0x41));
    expect(thrown(() => openFits(path)).code).toBe('E_FITS_FORMAT');
  });
});

describe('writeFits is atomic', () => {
  it('leaves nothing behind when an HDU fails halfway', () => {
    const path = join(dir, 'atomic.fits');
    const bad = () =>
      writeFits(path, [
        { data: new Int16Array(4), shape: [2, 2] },
        {
          type: 'bintable',
          columns: [
            { name: 'A', data: new Int32Array(3) },
            { name: 'B', data: new Int32Array(2) },
          ],
        },
      ]);
    expect(bad).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(fs.existsSync(path)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.includes('atomic'))).toEqual([]);
  });

  it('keeps the previous file when an overwrite fails, and refuses to overwrite unless asked', () => {
    const path = sample('keep.fits');
    const before = fs.readFileSync(path);
    expect(() => writeFits(path, [{ data: new Int16Array(4), shape: [2, 2] }])).toThrow(/exists/);
    expect(() => writeFits(path, [{ data: new Int16Array(4), shape: [3, 2] }], { overwrite: true })).toThrow(/shape/);
    expect(fs.readFileSync(path).equals(before)).toBe(true);
  });
});

/** Bytes this process has read through read(2) so far (Linux /proc/self/io `rchar`); undefined elsewhere. */
function bytesReadByThisProcess(): number | undefined {
  try {
    const m = /^rchar: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
