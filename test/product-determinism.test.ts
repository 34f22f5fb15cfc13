/**
 * Issue 21 item 4: every product a stagebook notebook writes is byte-deterministic for the same inputs and
 * parameters (so `notebook reproduce` can compare products by content hash), and parallel kernels give the
 * same bits whatever the thread count. The XPCS correlators' thread independence is tested with them
 * (kernel-lib/src/numeric/xpcs), warpAffineParallel in test/alexis-warp.test.ts. Needs the library built
 * (the worker pool runs kernel-lib/dist).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitsCreationDate, writeFits } from '../kernel-lib/src/formats/fits';
import { writeXpcsLegacyResults } from '../kernel-lib/src/formats/xpcs/legacy-results';
import { renderPng } from '../kernel-lib/src/display/vega';
import { closeWorkerPool } from '../kernel-lib/src/numeric/parallel/pool';
import { peakLocalMax } from '../kernel-lib/src/numeric/peaks2d/peak-local-max';
import { peakLocalMaxParallel } from '../kernel-lib/src/numeric/peaks2d/peak-local-max-parallel';
import { commonHeader } from '../kernel-lib/src/pipelines/stix/fits-product';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-determinism-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeWorkerPool();
});
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Runs `fn` with SOURCE_DATE_EPOCH set (restored afterwards). */
function withEpoch<T>(epoch: string | undefined, fn: () => T): T {
  const before = process.env.SOURCE_DATE_EPOCH;
  if (epoch === undefined) delete process.env.SOURCE_DATE_EPOCH;
  else process.env.SOURCE_DATE_EPOCH = epoch;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = before;
  }
}

describe('FITS DATE', () => {
  it('is the wall clock by default and fixed only when SOURCE_DATE_EPOCH asks for it', () => {
    const clock = () => new Date('2026-12-07T13:58:24.123Z');
    expect(fitsCreationDate({}, clock)).toBe('2026-12-07T13:58:24.123');
    expect(fitsCreationDate({ SOURCE_DATE_EPOCH: '1780000000' }, clock)).toBe('2026-05-28T20:26:40.000');
    expect(() => fitsCreationDate({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(
      /SOURCE_DATE_EPOCH: expected whole seconds/,
    );
  });

  it('a STIX product header written twice with SOURCE_DATE_EPOCH gives the same file bytes', async () => {
    const header = () =>
      commonHeader({
        filename: 'solo_L1_stix-hk-maxi_20260101_V01.fits',
        level: 'L1',
        version: 1,
        service: 3,
        subtype: 25,
        ssid: 2,
        rawFiles: ['a.xml'],
        parents: ['solo_L0_stix-hk-maxi_0660000000_V01.fits'],
        obtBeg: 660000000,
        obtEnd: 660000100,
      });
    const write = (file: string) =>
      writeFits(path.join(dir, file), [{ data: new Int16Array([1, 2, 3, 4]), shape: [2, 2], header: header() }]);
    withEpoch('1780000000', () => write('a.fits'));
    // a later second: the CHECKSUM/DATASUM comments carry a time stamp too (astropy's convention)
    await new Promise((r) => setTimeout(r, 1100));
    withEpoch('1780000000', () => write('b.fits'));
    expect(sha(path.join(dir, 'a.fits'))).toBe(sha(path.join(dir, 'b.fits')));
    expect(readFileSync(path.join(dir, 'a.fits'), 'latin1')).toContain("DATE    = '2026-05-28T20:26:40.000'");
  });
});

describe('products', () => {
  it('HDF5 results: the same results written twice are the same bytes (no object timestamps)', async () => {
    const results = {
      multiTau: { g2: [1.5, 1.4, 1.3, 1.2], stderr: [0.1, 0.1, 0.1, 0.1], tau: [1, 2], nTau: 2, nQ: 2 },
      partitionMeanTotal: [1, 2],
      frameSum: [3, 4, 5],
    };
    await writeXpcsLegacyResults(path.join(dir, 'a.h5'), results);
    // a later second: HDF5 object headers would carry it if times were tracked
    await new Promise((r) => setTimeout(r, 1100));
    await writeXpcsLegacyResults(path.join(dir, 'b.h5'), results);
    expect(sha(path.join(dir, 'a.h5'))).toBe(sha(path.join(dir, 'b.h5')));
  });

  it('PNG plots: the same spec renders to the same bytes', async () => {
    const spec = {
      data: {
        values: [
          { x: 1, y: 2 },
          { x: 2, y: 3 },
          { x: 3, y: 1 },
        ],
      },
      mark: 'line' as const,
      encoding: { x: { field: 'x', type: 'quantitative' as const }, y: { field: 'y', type: 'quantitative' as const } },
      title: 'determinism',
    };
    const a = await renderPng(spec);
    const b = await renderPng(spec);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  }, 60_000);
});

describe('parallel kernels: the same bits whatever the thread count', () => {
  it('peakLocalMaxParallel with 1, 2, 3 and 4 threads', async () => {
    let s = 12345;
    const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const rows = 160;
    const cols = 90;
    const image = {
      data: Float64Array.from({ length: rows * cols }, () => Math.floor(rand() * 50)),
      shape: [rows, cols] as [number, number],
    };
    const serial = peakLocalMax(image, { minDistance: 2, thresholdRel: 0.5 });
    for (const threads of [1, 2, 3, 4]) {
      const par = await peakLocalMaxParallel(image, { minDistance: 2, thresholdRel: 0.5 }, { threads });
      expect(Buffer.from(par.buffer).equals(Buffer.from(serial.buffer))).toBe(true);
    }
  }, 60_000);
});
