/**
 * ALEXIS stage 1 details: overlapping flare windows share their files (de-duplicated by URL),
 * a failed download leaves no record and is fetched on the next run (never lost), and the
 * flare list is validated with errors naming the field.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalArchive, type LocalArchive } from '../kernel-lib/src/local-archive';
import {
  downloadedRecordPath,
  downloadFlareData,
  listDownloadedRecords,
  onboardAlexis,
} from '../kernel-lib/src/pipelines/alexis';

let archive: LocalArchive;
const dir = mkdtempSync(join(tmpdir(), 'sb-alexis-dl-'));
const policy = { retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 1 } };
const catalogue = join(dir, 'availability.db');

beforeAll(async () => {
  archive = await startLocalArchive({
    sun: {
      aiaScale: 32,
      aiaCadenceSeconds: 120,
      channels: ['171', '335'],
      throttleEvery: 0,
      scene: { missingEvery: 0 },
    },
  });
  await onboardAlexis({
    start: '2011-02-08T20:00:00Z',
    end: '2011-02-08T22:00:00Z',
    catalogue,
    cacheDir: join(dir, 'xrs'),
    sources: ['aia', 'sxi'],
    jsocUrl: `${archive.url}jsoc`,
    sxiUrl: `${archive.url}ncei-sxi`,
    xrsUrl: `${archive.url}noaa-xrs`,
    hekUrl: `${archive.url}hek`,
    sxiSatellites: [15],
    policy,
  });
});
afterAll(async () => {
  await archive.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ALEXIS stage 1', () => {
  it('de-duplicates overlapping flare windows by URL and retries failures on the next run', async () => {
    const flares = [
      { class: 'C4', time: '2011-02-08 21:11:00.08' },
      { class: 'c4.5', time: '2011-02-08 21:13:00.00' },
    ];
    const main = join(dir, 'main');
    archive.setFaults([{ kind: '500', path: '^/SUM', times: 1 }]);
    const first = await downloadFlareData({
      flares,
      mainDataDir: main,
      catalogue,
      aiaMinutes: 4,
      sxiMinutes: 2,
      policy,
    });
    const perFlare = first.flares.map((f) => f.aia + f.sxi);
    expect(first.urls).toBeLessThan(perFlare[0] + perFlare[1]); // the windows overlap
    expect(first.flares.map((f) => f.flareClass)).toEqual(['C4.0', 'C4.5']);
    expect(first.failed.length).toBeGreaterThan(0); // every AIA segment failed once (maxAttempts 1)
    for (const f of first.failed) expect(existsSync(downloadedRecordPath(main, f.item.url))).toBe(false);
    archive.setFaults([]);
    const second = await downloadFlareData({
      flares,
      mainDataDir: main,
      catalogue,
      aiaMinutes: 4,
      sxiMinutes: 2,
      policy,
    });
    expect(second.failed).toEqual([]);
    expect(second.downloaded).toBe(first.failed.length);
    expect(listDownloadedRecords(main).length).toBe(first.urls);
  });

  it('refuses a bad flare list naming the field', async () => {
    await expect(
      downloadFlareData({ flares: [{ class: 'Q1', time: '2011-02-08 21:11:00' }], mainDataDir: dir, catalogue }),
    ).rejects.toThrow(/flares\.0\.class: expected a GOES class/);
    await expect(
      downloadFlareData({ flares: [{ class: 'C1', time: 'yesterday' }], mainDataDir: dir, catalogue }),
    ).rejects.toThrow(/flares\.0\.time/);
  });
});
