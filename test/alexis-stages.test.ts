/**
 * ALEXIS stages 1 and 2 end to end on the simulated day (3 injected flares) through the local
 * archive: onboarding -> download (per-flare working dirs, windows, BA only, de-dup) -> initialize
 * (2 worker threads) into image_data_availability. Recovery: for each flare, the clusters of its
 * channels at the injected peak time include one within 50" of the injected position. A rerun
 * downloads and processes nothing new. Requires the built library (worker threads run dist/).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalArchive, type LocalArchive } from '../kernel-lib/src/local-archive';
import { closeWorkerPool } from '../kernel-lib/src/numeric/parallel/pool';
import {
  downloadFlareData,
  IMAGE_DATA_COLUMNS,
  ImageDataAvailability,
  initializeFiles,
  onboardAlexis,
  type DownloadOptions,
  type InitializeOptions,
} from '../kernel-lib/src/pipelines/alexis';
import { neutralCalibrationCsv } from '../kernel-lib/src/testing/solar';

let archive: LocalArchive;
const dir = mkdtempSync(join(tmpdir(), 'sb-alexis-stages-'));
const fast = { retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 } };
let dl: DownloadOptions;
let init: InitializeOptions;

beforeAll(async () => {
  archive = await startLocalArchive({ sun: { aiaScale: 128, aiaCadenceSeconds: 60, throttleEvery: 3 } });
  const catalogue = join(dir, 'data_products', 'availability.db');
  await onboardAlexis({
    start: '2011-02-08T00:00:00Z',
    end: '2011-02-09T00:00:00Z',
    catalogue,
    cacheDir: join(dir, 'xrs'),
    sources: ['aia', 'sxi'],
    jsocUrl: `${archive.url}jsoc`,
    sxiUrl: `${archive.url}ncei-sxi`,
    xrsUrl: `${archive.url}noaa-xrs`,
    hekUrl: `${archive.url}hek`,
    sxiSatellites: [15],
    policy: fast,
  });
  const flares = archive.sun!.scene.flares.map((f) => ({
    class: f.goesClass.replace(/\.0$/, ''),
    time: f.peak.replace('T', ' ').replace('Z', ''),
  }));
  dl = { flares, mainDataDir: join(dir, 'main'), catalogue, aiaMinutes: 3, sxiMinutes: 4, policy: fast };
  const csv = neutralCalibrationCsv();
  writeFileSync(join(dir, 'deg.csv'), csv.degradation);
  writeFileSync(join(dir, 'area.csv'), csv.effectiveArea);
  init = {
    mainDataDir: dl.mainDataDir,
    database: join(dir, 'data_products', 'image_data_availability.db'),
    degradationTable: join(dir, 'deg.csv'),
    effectiveAreaTable: join(dir, 'area.csv'),
    concurrency: 2,
  };
}, 120_000);
afterAll(async () => {
  await closeWorkerPool();
  await archive.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ALEXIS stages 1-2 on the simulated day', () => {
  it('stage 1: working dirs with ALEXIS names, AIA +-window and SXI BA only, downloads via the cache', async () => {
    const r = await downloadFlareData(dl);
    expect(r.failed).toEqual([]);
    const dirs = readdirSync(join(dl.mainDataDir, 'flare_candidates')).sort();
    expect(dirs).toEqual([
      'flarecandidate_C1.8_at_2011-02-08T13_05_00_00.working',
      'flarecandidate_C4.0_at_2011-02-08T21_11_00_08.working',
      'flarecandidate_M1.2_at_2011-02-08T04_30_00_00.working',
    ]);
    for (const f of r.flares) {
      expect(f.aia).toBeGreaterThanOrEqual(6 * 6 - 1);
      expect(f.sxi).toBe(8); // BA every minute over +-4 min (AB rows excluded)
      expect(f.ok + f.missing).toBe(f.aia + f.sxi);
    }
    expect(r.downloaded + r.missing.length).toBe(r.urls);
    expect(existsSync(join(dl.mainDataDir, 'image_data', 'data'))).toBe(true);
  }, 120_000);

  it('stage 2: rows with ALEXIS columns; every injected flare recovered within 50" at its peak time', async () => {
    const r = await initializeFiles(init);
    expect(r.processed).toBeGreaterThan(100);
    const db = new ImageDataAvailability(init.database as string, { readonly: true });
    try {
      const cols = (db.db.prepare('PRAGMA table_info(image_data_availability)').all() as Array<{ name: string }>).map(
        (c) => c.name,
      );
      expect(cols).toEqual([...IMAGE_DATA_COLUMNS]);
      expect(new Set(db.qualityCounts().map((q) => q.instrument))).toEqual(new Set(['AIA', 'SXI']));
      for (const f of archive.sun!.scene.flares) {
        const rows = db
          .between(f.peakMs / 1000 - 200, f.peakMs / 1000 + 200)
          .filter((x) => x.QUALITY === 0 && x.peaks_found === 1);
        const groups = new Map<string, typeof rows>();
        for (const x of rows)
          groups.set(`${x.instrument}-${x.wavelength}`, [...(groups.get(`${x.instrument}-${x.wavelength}`) ?? []), x]);
        expect(groups.size).toBeGreaterThanOrEqual(6);
        for (const [key, g] of groups) {
          // The image nearest the peak time in this channel, and its clusters.
          const t = g.reduce(
            (best, x) =>
              Math.abs((x.time_stamp as number) * 1000 - f.peakMs) < Math.abs(best * 1000 - f.peakMs)
                ? (x.time_stamp as number)
                : best,
            g[0].time_stamp as number,
          );
          const d = Math.min(
            ...g
              .filter((x) => x.time_stamp === t)
              .map((x) => Math.hypot((x.dbscan_1_x_hpc as number) - f.x, (x.dbscan_1_y_hpc as number) - f.y)),
          );
          expect(d, `${f.id} ${key}`).toBeLessThan(50);
        }
      }
    } finally {
      db.close();
    }
  }, 300_000);

  it('a rerun downloads and processes nothing new', async () => {
    const again = await downloadFlareData(dl);
    expect(again.downloaded).toBe(0);
    expect(again.fromCache + again.missing.length).toBe(again.urls);
    const r = await initializeFiles(init);
    expect(r.processed).toBe(0);
  }, 120_000);
});
