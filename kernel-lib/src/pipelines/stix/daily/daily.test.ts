// The daily pipeline: ANC aspect and LL03 quick-look products from the day's L1 files, recorded in
// processed_fits_products (user_version migrations); a rerun skips them, a changed input or a version
// bump makes them again; one bad input is reported and the others go on.
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readProduct } from '../fits-product';
import { writeL1DailyFixture } from '../../../testing/stix/publish-fixtures';
import { dailyOptionsSchema, runDaily } from './daily';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-daily-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const opts = (extra: Record<string, unknown> = {}) =>
  dailyOptionsSchema.parse({
    fitsInDir: path.join(dir, 'L1'),
    fitsOutDir: path.join(dir, 'out'),
    dbFile: path.join(dir, 'processed.sqlite'),
    ...extra,
  });

describe('stix daily pipeline', () => {
  it('makes ANC and LL03 products once, skips them on a rerun, remakes them after a version bump or a changed input', () => {
    const hk = writeL1DailyFixture(path.join(dir, 'L1', 'HK'), 'hk');
    const ql = writeL1DailyFixture(path.join(dir, 'L1', 'QL'), 'ql');
    writeL1DailyFixture(path.join(dir, 'L1', 'QL'), 'ql', '20220224');
    const first = runDaily(opts({ day: '2022-02-23' }));
    expect(first.map((i) => `${i.status} ${i.product}`)).toEqual([
      'made solo_ANC_stix-asp-ephemeris_20220223_V02.fits',
      'made solo_LL03_stix-ql-lightcurve_20220223_V01.fits',
    ]);
    const ll = first[1].outputs;
    expect(ll.map((f) => path.basename(f))).toEqual([
      'solo_LL03_stix-ql-lightcurve_20220223_V01.fits',
      'solo_LL03_stix-ql-lightcurve_20220223_V01C.svg',
    ]);
    expect(ll[0]).toBe(
      path.join(dir, 'out', 'LL', '2022', '02', '23', 'solo_LL03_stix-ql-lightcurve_20220223_V01.fits'),
    );
    // total counts over the 5 bands: sample 10 has 500 more in each band
    const counts = readProduct(ll[0]).tables.data.find((c) => c.name === 'counts')?.values as number[];
    expect(counts[0]).toBe(10 + 20 + 30 + 40 + 50);
    expect(counts[10]).toBe(150 + 5 * 500);
    expect(readFileSync(ll[1], 'utf8')).toMatch(/^<svg .*<polyline/);
    expect(readProduct(first[0].outputs[0]).header.get('PARENT')).toBe(path.basename(hk));

    expect(runDaily(opts({ day: '2022-02-23' })).map((i) => i.status)).toEqual(['skipped', 'skipped']);
    const bumped = runDaily(opts({ day: '2022-02-23', versions: { ql: 2 } }));
    expect(bumped.map((i) => `${i.status} ${i.product}`)).toEqual([
      'skipped solo_ANC_stix-asp-ephemeris_20220223_V02.fits',
      'made solo_LL03_stix-ql-lightcurve_20220223_V02.fits',
    ]);
    // an input changed after the product was made is processed again
    const later = new Date(Date.now() + 60_000);
    utimesSync(hk, later, later);
    // (the clock is injected: the product is made after the input's new modification time)
    const afterChange = (): Date => new Date(later.getTime() + 1000);
    expect(runDaily(opts({ day: '2022-02-23', versions: { ql: 2 } }), afterChange).map((i) => i.status)).toEqual([
      'made',
      'skipped',
    ]);
    // without --day every day found
    expect(
      runDaily(opts({ versions: { ql: 2 } }))
        .filter((i) => i.status === 'made')
        .map((i) => i.product),
    ).toEqual(['solo_LL03_stix-ql-lightcurve_20220224_V02.fits']);
    const db = new Database(path.join(dir, 'processed.sqlite'));
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect((db.prepare('SELECT count(1) AS n FROM processed_fits_products').get() as { n: number }).n).toBe(5);
    db.close();
    expect(existsSync(ql)).toBe(true);
  });

  it('reports a broken input and goes on; stopOnError stops', () => {
    writeL1DailyFixture(path.join(dir, 'L1'), 'hk');
    writeFileSync(path.join(dir, 'L1', 'solo_L1_stix-ql-lightcurve_20220223_V02.fits'), 'not FITS');
    const items = runDaily(opts());
    expect(items.map((i) => i.status)).toEqual(['made', 'failed']);
    expect(items[1].reason).toMatch(/solo_L1_stix-ql-lightcurve_20220223_V02\.fits -> solo_LL03/);
    expect(() => runDaily(opts({ stopOnError: true, versions: { asp: 3 } }))).toThrow(
      expect.objectContaining({ code: 'E_STIX_DAILY' }),
    );
  });
});
