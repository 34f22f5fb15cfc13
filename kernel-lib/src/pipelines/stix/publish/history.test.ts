// The publish history: STIXCore's test_publish.py history cases (create, file not found, wrong name,
// ADDED -> SAME_EXISTS -> SAME_ESA_NAME -> SAME_EXISTS), the user_version migration, and adopting a
// history file STIXCore made (user_version 0, same table).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PublishHistory } from './history';
import { completeName, modifiedEsaName, parsePublishName, supplementName } from './names';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-pubhist-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const F1 = 'solo_L1_stix-sci-xray-spec_20220223T1-20220223T2_V01_2202230003-59362.fits';
const F2 = 'solo_L1_stix-sci-xray-spec_20220223T1-20220223T2_V01_2202230003-60000.fits';

describe('publish history (STIXCore test_publish.py)', () => {
  it('creates an empty history at user_version 1 with the STIXCore schema and indexes', () => {
    const h = PublishHistory.open(path.join(dir, 'test.sqlite'));
    expect(h.count()).toBe(0);
    h.close();
    const db = new Database(path.join(dir, 'test.sqlite'));
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const cols = (db.prepare('PRAGMA table_info(published)').all() as Array<{ name: string }>).map((c) => c.name);
    expect(cols).toEqual([
      'id',
      'name',
      'path',
      'version',
      'p_date',
      'm_date',
      'esaname',
      'modified_esaname',
      'result',
    ]);
    const idx = (db.prepare('PRAGMA index_list(published)').all() as Array<{ name: string }>).map((c) => c.name);
    expect(idx).toEqual(expect.arrayContaining(['esaname', 'p_date']));
    db.close();
  });

  it('refuses a file that does not exist and a name without the structure, adding nothing', () => {
    const h = PublishHistory.open(path.join(dir, 'test.sqlite'));
    expect(() =>
      h.add(path.join(dir, 'solo_L1_stix-sci-xray-spec_20220223T1-20220223T2_V01_2202230003-5.fits')),
    ).toThrow(/ENOENT/);
    writeFileSync(path.join(dir, 'test_best.fits'), '');
    expect(() => h.add(path.join(dir, 'test_best.fits'))).toThrow(
      expect.objectContaining({ code: 'E_STIX_PUBLISH_NAME' }),
    );
    expect(h.count()).toBe(0);
    h.close();
  });

  it('add gives ADDED, then SAME_EXISTS, then SAME_ESA_NAME, then SAME_EXISTS', () => {
    const h = PublishHistory.open(path.join(dir, 'test.sqlite'));
    writeFileSync(path.join(dir, F1), '');
    writeFileSync(path.join(dir, F2), '');
    const a1 = h.add(path.join(dir, F1));
    expect(h.count()).toBe(1);
    expect(a1.conflict).toBe('ADDED');
    expect(a1.rows[0]).toMatchObject({
      name: F1,
      path: dir,
      version: 1,
      esaname: 'solo_L1_stix-sci-xray-spec_20220223T1-20220223T2_V01',
      result: null,
    });
    const a2 = h.add(path.join(dir, F1));
    expect(h.count()).toBe(1);
    expect(a2.conflict).toBe('SAME_EXISTS');
    expect(a2.rows[0]).toEqual(a1.rows[0]);
    const a3 = h.add(path.join(dir, F2));
    expect(h.count()).toBe(2);
    expect(a3.conflict).toBe('SAME_ESA_NAME');
    expect(a3.rows[0]).toEqual(a1.rows[0]);
    expect(a3.rows[1]).toMatchObject({ name: F2, path: dir, version: 1, esaname: a1.rows[0].esaname });
    const a4 = h.add(path.join(dir, F2));
    expect(h.count()).toBe(2);
    expect(a4.conflict).toBe('SAME_EXISTS');
    expect(a4.rows[0]).toEqual(a3.rows[1]);
    h.close();
  });

  it('adopts a history file STIXCore made (user_version 0) and keeps its rows', () => {
    const file = path.join(dir, 'stixcore.sqlite');
    const db = new Database(file);
    db.exec(`CREATE TABLE published (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE NOT NULL, path TEXT NOT NULL,
      version INTEGER NOT NULL, p_date FLOAT NOT NULL, m_date FLOAT NOT NULL, esaname TEXT NOT NULL,
      modified_esaname TEXT, result INTEGER)`);
    db.prepare(
      'INSERT INTO published (name, path, version, p_date, m_date, esaname, result) VALUES (?,?,?,?,?,?,?)',
    ).run(F1, '/data', 1, 1.5e9, 1.4e9, 'solo_L1_stix-sci-xray-spec_20220223T1-20220223T2_V01', 10);
    db.close();
    const h = PublishHistory.open(file);
    expect(h.all()).toEqual([expect.objectContaining({ name: F1, result: 'PUBLISHED' })]);
    expect(h.conflictOf(path.join(dir, F2)).conflict).toBe('SAME_ESA_NAME');
    h.close();
  });
});

describe('publish names', () => {
  it('parses level, product, version, rid and the ESA name; svg names do not collide with FITS', () => {
    expect(parsePublishName(F1)).toMatchObject({
      level: 'L1',
      product: 'sci',
      version: 1,
      rid: 2202230003,
      incomplete: false,
    });
    const u = parsePublishName('solo_L1_stix-ql-lightcurve_20220223_V02U.fits');
    expect(u).toMatchObject({ version: 2, incomplete: true, esaName: 'solo_L1_stix-ql-lightcurve_20220223_V02U' });
    expect(completeName(u.name)).toBe('solo_L1_stix-ql-lightcurve_20220223_V02.fits');
    // STIXCore cut 5 characters, so ..._V01C.svg had the ESA name ..._V01 of the day's FITS
    const svg = parsePublishName('solo_LL03_stix-ql-lightcurve_20220223_V01C.svg');
    expect(svg.esaName).toBe('solo_LL03_stix-ql-lightcurve_20220223_V01C');
    expect(svg).toMatchObject({ version: 1, incomplete: false, level: 'LL03' });
    expect(supplementName(F1, 2)).toBe(
      'solo_L1_stix-sci-xray-spec-sup2_20220223T1-20220223T2_V01_2202230003-59362.fits',
    );
    expect(modifiedEsaName(supplementName(F1, 1))).toBe(
      'solo_L1_stix-sci-xray-spec-sup1_20220223T1-20220223T2_V01.fits',
    );
  });
});
