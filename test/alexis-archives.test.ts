/**
 * The simulated archives ALEXIS talks to, through the clients in archives/: a JSOC DRMS query and
 * its segments, NCEI SXI listings (429 retried, 404 = no data), NOAA XRS netCDF4 files, HEK flares
 * (some of the injected ones) and HARPs. A real loopback server; nothing mocked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JsocAiaClient,
  NceiSxiClient,
  NoaaXrsClient,
  queryHarps,
  queryHekFlares,
  readXrsFile,
  xrsRowsKept,
} from '../kernel-lib/src/archives';
import { downloadAll } from '../kernel-lib/src/acquisition';
import { openFits } from '../kernel-lib/src/formats/fits';
import { startLocalArchive, type LocalArchive } from '../kernel-lib/src/local-archive';

let archive: LocalArchive;
const dir = mkdtempSync(join(tmpdir(), 'sb-sun-arch-'));
const fast = { retry: { baseDelayMs: 5, maxDelayMs: 20 } };

beforeAll(async () => {
  archive = await startLocalArchive({ sun: { aiaScale: 64, throttleEvery: 2 } });
});
afterAll(async () => {
  await archive.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('simulated archives', () => {
  it('answers a DRMS AIA query with drms-shaped JSON and serves its segments as lev1 FITS', async () => {
    const client = new JsocAiaClient(`${archive.url}jsoc`, fast);
    const recs = await client.search({ start: '2011-02-08T21:00:00Z', end: '2011-02-08T21:10:00Z' });
    // 10 min x 5 frames/min x 6 channels (+-1 frame at the edges depending on channel offsets).
    expect(recs.length).toBeGreaterThanOrEqual(290);
    expect(recs.length).toBeLessThanOrEqual(306);
    expect(new Set(recs.map((r) => r.meta.WAVELNTH))).toEqual(new Set(['94', '131', '171', '193', '211', '335']));
    expect(recs[0].filename).toMatch(/^aia_lev1_\d+a_2011_02_08t21_\d\d_\d\d_\d\dz_image_lev1\.fits$/);
    const r = await downloadAll(client.toDownloadItems(recs.slice(0, 3)), {
      cacheDir: join(dir, 'cache'),
      dataRoot: join(dir, 'data'),
      policy: fast,
    });
    expect(r.failed).toEqual([]);
    const hdu = openFits(r.ok[0].path).hdu(1);
    expect(hdu.header.getString('T_OBS')).toBe(recs[0].meta.T_OBS);
    expect(hdu.shape).toEqual([64, 64]);
  });

  it('refuses unknown DRMS keys with a JSOC status', async () => {
    const client = new JsocAiaClient(`${archive.url}jsoc`, fast);
    await expect(
      client.drms.query('aia.lev1_euv_12s[2011-02-08T21:00:00Z-2011-02-08T21:01:00Z]{image}', ['NOPE'], 'image'),
    ).rejects.toThrow(/JSOC status 1: Invalid KeyLink: NOPE/);
  });

  it('lists SXI through 429s (retried after Retry-After) and treats a 404 day as no data', async () => {
    const client = new NceiSxiClient(`${archive.url}ncei-sxi`, [13, 15], fast);
    const before = archive.count(/^\/ncei-sxi\/goes\d+\/\d{4}\/\d\d\/\d\d\/$/);
    const recs = await client.search({ start: '2011-02-08T20:30:00Z', end: '2011-02-08T21:50:00Z' });
    const listings = archive.requests.filter((q) => /^\/ncei-sxi\/.*\/$/.test(q.path)).slice(before);
    expect(listings.some((q) => q.status === 429)).toBe(true);
    expect(listings.some((q) => q.status === 404)).toBe(true); // goes13 has no data
    expect(recs.filter((x) => x.meta.dataLevel === 'BA').length).toBe(80);
    expect(recs.every((x) => x.instrument === 'goes15')).toBe(true);
  });

  it('serves XRS netCDF4 files whose kept rows follow ALEXIS (flags == 0, flux > 0)', async () => {
    const client = new NoaaXrsClient(`${archive.url}noaa-xrs`, [15], fast);
    const recs = await client.search({ start: '2011-02-08T00:00:00Z', end: '2011-02-08T23:59:59Z' });
    expect(recs.map((r) => r.filename)).toEqual(['sci_gxrs-l2-irrad_g15_d20110208_v0-0-0.nc']);
    const r = await downloadAll(client.toDownloadItems(recs), {
      cacheDir: join(dir, 'cache'),
      dataRoot: join(dir, 'data'),
      policy: fast,
    });
    const data = await readXrsFile(r.ok[0].path);
    expect(data.time.length).toBe(43200);
    const kept = xrsRowsKept(data, 15);
    const flagged = data.bFlags.filter((f) => f !== 0).length;
    expect(kept.filter((k) => k.wavelength === 'B').length).toBeLessThan(43200 - flagged + 1);
    expect(kept.every((k) => k.value > 0)).toBe(true);
  });

  it('returns some, not all, injected flares from HEK, and HARPs from hmi.sharp_720s', async () => {
    const flares = await queryHekFlares(`${archive.url}hek`, '2011-02-08T00:00:00Z', '2011-02-09T00:00:00Z', fast);
    const sun = archive.sun!;
    expect(flares.length).toBe(sun.scene.flares.filter((f) => f.inHek).length);
    expect(flares.length).toBeLessThan(sun.scene.flares.length);
    expect(flares[0].fl_goescls).toBe(sun.scene.flares[0].goesClass);
    const harps = await queryHarps(`${archive.url}jsoc`, '2011-02-08T20:00:00Z', '2011-02-08T21:00:00Z', fast);
    expect(new Set(harps.map((h) => h.harpnum)).size).toBe(sun.scene.activeRegions.length);
    // T_REC every 720 s, both ends included: 20:00, 20:12, ..., 21:00.
    expect(harps.length).toBe(6 * sun.scene.activeRegions.length);
  });
});
void writeFileSync;
