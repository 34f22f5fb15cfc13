/**
 * ALEXIS onboarding against the simulated archives: the catalogues hold ALEXIS's tables and
 * columns with the row counts the simulated day implies, and an interrupted onboarding resumes
 * at the first incomplete window without asking the archive again for completed ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalArchive, type LocalArchive } from '../kernel-lib/src/local-archive';
import { AlexisCatalogues, onboardAlexis, type OnboardingOptions } from '../kernel-lib/src/pipelines/alexis';

let archive: LocalArchive;
const dir = mkdtempSync(join(tmpdir(), 'sb-onboard-'));
const fast = { retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 } };
let options: OnboardingOptions;

beforeAll(async () => {
  archive = await startLocalArchive({ sun: { aiaScale: 64, aiaCadenceSeconds: 60, throttleEvery: 0 } });
  options = {
    start: '2011-02-08T00:00:00Z',
    end: '2011-02-09T00:00:00Z',
    catalogue: join(dir, 'data_products', 'availability.db'),
    cacheDir: join(dir, 'xrs'),
    jsocUrl: `${archive.url}jsoc`,
    sxiUrl: `${archive.url}ncei-sxi`,
    xrsUrl: `${archive.url}noaa-xrs`,
    hekUrl: `${archive.url}hek`,
    sxiSatellites: [15],
    policy: fast,
  };
});
afterAll(async () => {
  await archive.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ALEXIS onboarding', () => {
  it('stops on a failing source, then resumes without re-asking completed windows', async () => {
    archive.setFaults([{ kind: '500', path: '^/hek/', times: 10 }]);
    const progress: string[] = [];
    await expect(onboardAlexis(options, (p) => progress.push(`${p.source} ${p.done}/${p.total}`))).rejects.toThrow(
      /HTTP 500/,
    );
    expect(progress.at(-1)).toBe('goes 8/10'); // 6 AIA windows of 4 h, 1 SXI day, 1 XRS day done
    archive.setFaults([]);
    const jsocBefore = archive.count(/^\/jsoc\//);
    const r = await onboardAlexis(options);
    expect(r).toMatchObject({ windows: 10, skipped: 8, fetched: 2 });
    expect(archive.count(/^\/jsoc\//) - jsocBefore).toBe(1); // only the HARP window
    const again = await onboardAlexis(options);
    expect(again).toMatchObject({ fetched: 0, skipped: 10 });
  });

  it('holds ALEXIS tables, columns and row counts', () => {
    const cat = new AlexisCatalogues(options.catalogue, { readonly: true });
    try {
      const cols = (t: string): string[] =>
        (cat.db.prepare(`PRAGMA table_info(${t})`).all() as Array<{ name: string }>).map((c) => c.name);
      expect(cols('aia_availability')).toEqual(['time_stamp', 'EXPTIME', 'QUALITY', 'WAVELNTH', 'url', 'filename']);
      expect(cols('sxi_availability')).toEqual([
        'download_string',
        'time_stamp',
        'url',
        'data_level',
        'file_name',
        'instrument',
      ]);
      expect(cols('goes_data')).toEqual(['time_stamp', 'instrument', 'wavelength', 'value']);
      const c = cat.counts();
      // 1440 minutes x 6 channels, minus the 10-minute 211 gap.
      expect(c.aia_availability).toBe(1440 * 6 - 10);
      // BA every minute + AB every third minute, minus the 30-minute SXI gap.
      expect(c.sxi_availability).toBe(1440 - 30 + 480 - 10);
      const kept = cat.db.prepare("SELECT COUNT(*) AS n FROM goes_data WHERE wavelength = 'B'").get() as { n: number };
      expect(kept.n).toBeLessThan(43200);
      expect(kept.n).toBeGreaterThan(43000);
      expect((cat.db.prepare('SELECT MIN(value) AS v FROM goes_data').get() as { v: number }).v).toBeGreaterThan(0);
      expect(c.known_flares).toBe(archive.sun!.scene.flares.filter((f) => f.inHek).length);
      expect(c.harps).toBe(120 * archive.sun!.scene.activeRegions.length);
      const q = cat.db.prepare('SELECT DISTINCT QUALITY FROM aia_availability ORDER BY 1').all() as Array<{
        QUALITY: number;
      }>;
      expect(q.map((x) => x.QUALITY)).toEqual([0, 131072]);
    } finally {
      cat.close();
    }
  });
});
