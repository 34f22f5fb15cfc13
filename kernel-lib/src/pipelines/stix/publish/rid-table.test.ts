// The RID table against the local archive's request-information API: created from scratch in 30-day
// slices, then updated incrementally from its newest start_utc, without duplicates, at 2 requests/s
// measured from the server's request log; malformed tables and failed slices are refused naming them.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalArchive, type LocalArchive } from '../../../local-archive/server';
import { syntheticBsdRequests } from '../../../local-archive/stix-bsd';
import { parseRidCsv, ridSlices, RidTable, updateRidTable } from './rid-table';

let archive: LocalArchive;
let dir: string;
const served = syntheticBsdRequests('2019-01-05', '2019-12-31', 9);
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-rid-'));
  archive = await startLocalArchive({ bsdRequests: served });
});
afterAll(async () => {
  await archive.close();
  rmSync(dir, { recursive: true, force: true });
});

const api = (): string => `${archive.url}api/bsd/info/`;
const bsdLog = (): number[] => archive.requests.filter((r) => r.path.startsWith('/api/bsd/info/')).map((r) => r.at);

describe('RID table (STIXCore RidLutManager)', () => {
  it('slices: 30 days from 2019-01-01, or from the newest start_utc, until today', () => {
    expect(ridSlices([], new Date('2019-04-01T12:00:00Z'))).toEqual([
      { from: '20190101', to: '20190131' },
      { from: '20190131', to: '20190302' },
      { from: '20190302', to: '20190401' },
    ]);
    const rows = parseRidCsv(
      '_id,unique_id,start_utc,duration,type,subject,purpose,scaling_factor,ior_id,comment\n1,5,2019-05-20T10:00:00,1,a,b,c,,e,f\n',
      't',
    );
    expect(ridSlices(rows, new Date('2019-06-01T00:00:00Z'))).toEqual([{ from: '20190520', to: '20190619' }]);
  });

  it('creates the table, then updates it incrementally without duplicates, at 2 requests per second', async () => {
    const file = path.join(dir, 'lut', 'rid_lut.csv');
    const first = await updateRidTable(file, { url: api(), today: new Date('2019-04-01T00:00:00Z') });
    expect(first.slices).toBe(3);
    const inQ1 = served.filter((r) => r.start_utc < '2019-04-01');
    expect(RidTable.read(file).rows).toEqual(inQ1);
    const before = bsdLog().length;
    const second = await updateRidTable(file, { url: api(), today: new Date('2019-07-01T00:00:00Z') });
    expect(second.slices).toBeGreaterThanOrEqual(4);
    const lastTo = Date.UTC(2019, 2, 29) + second.slices * 30 * 86_400_000;
    const expected = served.filter((r) => Date.parse(`${r.start_utc}Z`) < lastTo);
    const table = RidTable.read(file);
    expect(table.rows).toEqual(expected); // no row twice although the first slice re-reads the newest day
    // quotes and commas inside fields survive the round trip
    expect(table.reason(1000)).toBe('flare 0, imaging, requested by "ops", twice');
    expect(table.reason(999_999)).toBeUndefined();
    // the rate, from the server's log: starts spaced by the per-host limit (0.5 s at 2 requests/s)
    const at = bsdLog().slice(before);
    expect(at).toHaveLength(second.slices);
    const rate = (at.length - 1) / ((at[at.length - 1] - at[0]) / 1000);
    expect(rate).toBeLessThanOrEqual(2.1); // 2/s; the margin is loopback latency of the first request only
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(400);
  });

  it('refuses a malformed table naming the file and line, and keeps the file when a slice fails', async () => {
    const bad =
      '_id,unique_id,start_utc,duration,type,subject,purpose,scaling_factor,ior_id,comment\n1,x,2019-01-01,1,a,b,c,d,e,f\n';
    expect(() => parseRidCsv(bad, 'rid_lut.csv')).toThrow(/rid_lut\.csv: line 2: unique_id x is not an integer/);
    expect(() => parseRidCsv('_id,unique_id\n1,2\n', 'f.csv')).toThrow(/line 1: missing column\(s\) start_utc/);
    const file = path.join(dir, 'keep.csv');
    writeFileSync(file, '_id,unique_id,start_utc,duration,type,subject,purpose,scaling_factor,ior_id,comment\n');
    await expect(
      updateRidTable(file, { url: `${archive.url}api/bsd/nothing/`, today: new Date('2019-02-01T00:00:00Z') }),
    ).rejects.toMatchObject({ code: 'E_STIX_RID_TABLE' });
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });
});
