import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AvailabilityCatalogue, dayDirectories, parseDirectoryListing, parseSxiName } from '../archives';
import { filterFrames, pageOf, planSyntheticFrames } from '../local-archive';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, parseRetryAfterMs, resolveDownloadPolicy } from './policy';
import { unsafeDestReason, stableKey } from './downloader';
import { cacheHash, DownloadCache } from './cache';

describe('policy', () => {
  it('full-jitter backoff stays under the growing, capped ceiling', () => {
    const p = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, factor: 2, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, { ...p, jitter: 'none' }))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelayMs(3, p, () => 0.5)).toBe(200);
    expect(backoffDelayMs(3, p, () => 0)).toBe(0);
  });
  it('parses Retry-After seconds and HTTP dates', () => {
    const now = Date.parse('2025-06-10T00:00:00Z');
    expect(parseRetryAfterMs('7', now)).toBe(7000);
    expect(parseRetryAfterMs('Tue, 10 Jun 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Mon, 09 Jun 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
  });
  it('validates policies naming the field', () => {
    expect(resolveDownloadPolicy({}).maxConnections).toBe(10);
    expect(() => resolveDownloadPolicy({ retry: { maxAttempts: 0 } })).toThrow(/policy\.retry\.maxAttempts/);
  });
});

describe('names and cache layout', () => {
  it('refuses archive names that escape', () => {
    expect(unsafeDestReason('a/b.fits')).toBeUndefined();
    expect(unsafeDestReason('../x')).toMatch(/\.\./);
    expect(unsafeDestReason('a/../../x')).toMatch(/\.\./);
    expect(unsafeDestReason('/etc/passwd')).toMatch(/absolute/);
    expect(unsafeDestReason('C:\\x')).toMatch(/absolute/);
  });
  it('keys presigned URLs without their query and fans out by two hex characters', () => {
    expect(stableKey('https://h/p/f.fz?X-Sig=1')).toBe(stableKey('https://h/p/f.fz?X-Sig=2'));
    const c = new DownloadCache('/c');
    const h = cacheHash('k');
    expect(c.dataPath('k')).toBe(`/c/data/${h.slice(0, 2)}/${h}`);
    expect(c.donePath('k')).toBe(`/c/done/${h.slice(0, 2)}/${h}.json`);
  });
});

describe('frames API semantics', () => {
  const records = planSyntheticFrames({ nights: 2 }).map((p) => p.record);
  it('filters by lower-case names and aliases alike, newest first, with absolute next links', () => {
    const a = filterFrames(records, new URLSearchParams('proposal_id=KEY2025-004&configuration_type=EXPOSE'));
    const b = filterFrames(records, new URLSearchParams('PROPID=KEY2025-004&OBSTYPE=EXPOSE'));
    expect(a.map((r) => r.id)).toEqual(b.map((r) => r.id));
    expect(a.length).toBe(8);
    for (let i = 1; i < a.length; i++)
      expect(Date.parse(a[i - 1].observation_date)).toBeGreaterThanOrEqual(Date.parse(a[i].observation_date));
    const page = pageOf(
      a,
      new URL('http://127.0.0.1:1/frames/?PROPID=KEY2025-004&limit=3&offset=3'),
      'http://127.0.0.1:1',
    );
    expect(page.results.map((r) => r.id)).toEqual(a.slice(3, 6).map((r) => r.id));
    expect(page.next).toBe('http://127.0.0.1:1/frames/?PROPID=KEY2025-004&limit=3&offset=6');
    expect(page.previous).toContain('offset=0');
  });
  it('every record carries both field sets with equal values', () => {
    for (const r of records) {
      expect(r.OBJECT).toBe(r.target_name);
      expect(r.PROPID).toBe(r.proposal_id);
      expect(r.RLEVEL).toBe(r.reduction_level);
      expect(r.OBSTYPE).toBe(r.configuration_type);
      expect(r.DAY_OBS).toBe(r.observation_day);
    }
  });
});

describe('catalogues and listings', () => {
  it('queries a time window (ALEXIS +-20 min) and de-duplicates by URL', () => {
    const cat = new AvailabilityCatalogue(path.join(mkdtempSync(path.join(os.tmpdir(), 'sb-cat-')), 'a.sqlite'));
    const t = (m: number): string => new Date(Date.parse('2011-02-08T21:11:00Z') + m * 60_000).toISOString();
    cat.insert(
      [-30, -20, -5, 0, 19, 21].map((m) => ({
        url: `https://x/${m}.fits`,
        time: t(m),
        source: 'aia',
        instrument: 'SDO/AIA',
        wavelength: '171',
        filename: `${m}.fits`,
      })),
    );
    cat.insert([
      {
        url: 'https://x/0.fits',
        time: t(0),
        source: 'aia',
        instrument: 'SDO/AIA',
        wavelength: '171',
        filename: '0.fits',
      },
    ]);
    const rows = cat.queryWindow({ source: 'aia', center: '2011-02-08 21:11:00', halfWidthMinutes: 20 });
    expect(rows.map((r) => r.filename)).toEqual(['-20.fits', '-5.fits', '0.fits', '19.fits']);
    cat.close();
  });
  it('parses NCEI listings and SXI names', () => {
    const html =
      '<a href="../">Parent</a><a href="?C=N;O=D">Name</a><a href="SXI_20110208_211000123_BA_15.FTS">x</a><a href="other.txt">o</a><a href="sub/">s</a>';
    const urls = parseDirectoryListing(html, 'https://www.ncei.noaa.gov/d/goes15/2011/02/08/', /^SXI/);
    expect(urls).toEqual(['https://www.ncei.noaa.gov/d/goes15/2011/02/08/SXI_20110208_211000123_BA_15.FTS']);
    expect(parseSxiName(urls[0])).toMatchObject({
      time: '2011-02-08T21:10:00.123Z',
      dataLevel: 'BA',
      instrument: 'goes15',
    });
    expect(
      dayDirectories('https://h/fits/goes15', new Date('2011-02-07T23:00Z'), new Date('2011-02-09T01:00Z')),
    ).toEqual([
      'https://h/fits/goes15/2011/02/07/',
      'https://h/fits/goes15/2011/02/08/',
      'https://h/fits/goes15/2011/02/09/',
    ]);
  });
});
