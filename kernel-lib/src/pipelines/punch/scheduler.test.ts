import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isStagebookError } from '../../errors/stagebook-error';
import { LEVEL1, LEVEL2, LEVELQ } from './mission/segments';
import { ingestL0, type L0Row } from './mission/simulate';
import { productPath } from './naming';
import { schedulePass } from './scheduler';
import { punchSandbox } from './testing-fixtures';

const T0 = Date.UTC(2026, 0, 10, 0, 0, 0);
const NOW = Date.UTC(2026, 0, 20, 0, 0, 0);

function l0Rows(slots: number, start = T0, level = '0'): L0Row[] {
  const rows: L0Row[] = [];
  for (let s = 0; s < slots; s++)
    for (const obs of ['1', '2', '3', '4'])
      for (const type of ['PM', 'PZ', 'PP', 'CR'])
        rows.push({
          level,
          file_type: type,
          observatory: obs,
          date_obs: start + s * 240_000,
          file_version: '0',
          polarization: null,
          crota: 0,
        });
  return rows;
}

/** Counts executed statements (run/get/all/iterate) of every statement prepared on `db`. */
function countStatements(db: Database.Database): () => number {
  let n = 0;
  const prepare = db.prepare.bind(db);
  (db as { prepare: unknown }).prepare = (sql: string) =>
    new Proxy(prepare(sql), {
      get(target, key) {
        const v = Reflect.get(target, key) as unknown;
        if (typeof v !== 'function') return v;
        if (['run', 'get', 'all', 'iterate'].includes(String(key)))
          return (...args: unknown[]) => {
            n++;
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        return (v as (...a: unknown[]) => unknown).bind(target);
      },
    });
  return () => n;
}

describe('scheduler', () => {
  it('plans one flow and one child per ready L0, moves inputs to progressed, links parents, in one pass', () => {
    const { db, config } = punchSandbox();
    ingestL0(db, l0Rows(2));
    const r = schedulePass(db, LEVEL1, config, { now: NOW, softwareVersion: '9.9' });
    expect(r).toMatchObject({ planned: 32, files: 32, alreadyPlanned: 0 });
    expect(
      db.prepare(`SELECT state, count(*) AS n FROM punch_files GROUP BY level, state ORDER BY level`).all(),
    ).toEqual([
      { state: 'progressed', n: 32 },
      { state: 'planned', n: 32 },
    ]);
    const flow = db.prepare(`SELECT * FROM punch_flows ORDER BY flow_id LIMIT 1`).get() as Record<string, unknown>;
    expect(flow).toMatchObject({
      state: 'planned',
      flow_type: 'level1',
      flow_level: '1',
      priority: 5,
      creation_time: NOW,
    });
    const child = db.prepare(`SELECT * FROM punch_files WHERE processing_flow = ?`).get(flow.flow_id) as Record<
      string,
      unknown
    >;
    const parent = db
      .prepare(`SELECT p.* FROM punch_relationships r JOIN punch_files p ON p.file_id = r.parent WHERE r.child = ?`)
      .get(child.file_id) as Record<string, unknown>;
    expect(child).toMatchObject({
      level: '1',
      file_type: parent.file_type,
      observatory: parent.observatory,
      software_version: '9.9',
    });
    expect(JSON.parse(flow.call_data as string)).toEqual({
      input_data: [productPath(config.root, parent as never)],
      output_filename: [productPath(config.root, child as never)],
    });
    // a second pass finds nothing ready
    expect(schedulePass(db, LEVEL1, config, { now: NOW }).planned).toBe(0);
    db.close();
  });

  it('makes a constant number of database round-trips per pass (16 files or 1,600)', () => {
    const counts: number[] = [];
    for (const slots of [1, 100]) {
      const { db, config } = punchSandbox({ scheduler: { max_start: 100_000 } });
      ingestL0(db, l0Rows(slots));
      const count = countStatements(db);
      const r = schedulePass(db, LEVEL1, config, { now: NOW });
      expect(r.planned).toBe(slots * 16);
      counts.push(count());
      db.close();
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[0]).toBeLessThanOrEqual(8);
  });

  it('respects max_start (planned flows of the type, counting earlier passes) and plans the most recent first', () => {
    const { db, config } = punchSandbox({ scheduler: { max_start: 10 } });
    ingestL0(db, l0Rows(3));
    expect(schedulePass(db, LEVEL1, config, { now: NOW }).planned).toBe(10);
    const newest = T0 + 2 * 240_000;
    expect(db.prepare(`SELECT DISTINCT date_obs FROM punch_files WHERE level = '1'`).all()).toEqual([
      { date_obs: newest },
    ]);
    expect(schedulePass(db, LEVEL1, config, { now: NOW })).toMatchObject({ planned: 0, alreadyPlanned: 10 });
    db.close();
  });

  it('marks flows whose outputs are all older than prioritize_most_recent_n_days as back-processing', () => {
    const { db, config } = punchSandbox({ scheduler: { prioritize_most_recent_n_days: 3 } });
    ingestL0(db, [...l0Rows(1, NOW - 5 * 86_400_000), ...l0Rows(1, NOW - 86_400_000)]);
    expect(schedulePass(db, LEVEL1, config, { now: NOW })).toMatchObject({ planned: 32, backprocessing: 16 });
    const rows = db.prepare(`SELECT is_backprocessing AS b, count(*) AS n FROM punch_flows GROUP BY b`).all();
    expect(rows).toEqual([
      { b: 0, n: 16 },
      { b: 1, n: 16 },
    ]);
    db.close();
  });

  it('plans nothing for a type that is not configured or not enabled', () => {
    const { db, config } = punchSandbox({ flows: { level1: { enabled: false } } });
    ingestL0(db, l0Rows(1));
    expect(schedulePass(db, LEVEL1, config, { now: NOW }).planned).toBe(0);
    expect(schedulePass(db, LEVELQ, config, { now: NOW }).planned).toBe(0);
    db.close();
  });

  it('groups one observation of four observatories: Q takes created CR (→ quickpunched), L2 waits for them', () => {
    const { db, config } = punchSandbox();
    ingestL0(db, l0Rows(2, T0, '1'));
    // slot 0 lacks observatory 4's PZ: its polarized group is incomplete
    db.prepare(`DELETE FROM punch_files WHERE date_obs = ? AND observatory = '4' AND file_type = 'PZ'`).run(T0);
    expect(schedulePass(db, LEVEL2, config, { now: NOW }).planned).toBe(1); // slot 1 polarized only
    expect(schedulePass(db, LEVELQ, config, { now: NOW }).planned).toBe(2);
    expect(db.prepare(`SELECT count(*) AS n FROM punch_files WHERE state = 'quickpunched'`).get()).toEqual({ n: 8 });
    expect(schedulePass(db, LEVEL2, config, { now: NOW }).planned).toBe(2); // both clear mosaics
    const outs = db
      .prepare(
        `SELECT file_type || observatory AS t, count(*) AS n FROM punch_files WHERE level IN ('2','Q') GROUP BY t`,
      )
      .all();
    expect(outs).toEqual([
      { t: 'CNM', n: 2 },
      { t: 'CTM', n: 2 },
      { t: 'PTM', n: 1 },
    ]);
    const links = db
      .prepare(
        `SELECT count(*) AS n FROM punch_relationships r JOIN punch_files c ON c.file_id = r.child WHERE c.file_type = 'PT'`,
      )
      .get();
    expect(links).toEqual({ n: 12 });
    db.close();
  });
});

describe('uniqueness of L0', () => {
  it('a second ingest of the same observations adds no row (counted as duplicates); a raw insert is refused', () => {
    const { db } = punchSandbox();
    expect(ingestL0(db, l0Rows(1))).toEqual({ inserted: 16, duplicates: 0 });
    expect(ingestL0(db, [...l0Rows(1), ...l0Rows(1, T0 + 240_000)])).toEqual({ inserted: 16, duplicates: 16 });
    expect(db.prepare(`SELECT count(*) AS n FROM punch_files`).get()).toEqual({ n: 32 });
    expect(() =>
      db
        .prepare(
          `INSERT INTO punch_files (level, file_type, observatory, file_version, software_version, date_obs, state) VALUES ('0','PM','1','0','0',?, 'created')`,
        )
        .run(T0),
    ).toThrow(/UNIQUE constraint failed/);
    // another version of the same observation is a different product
    expect(
      ingestL0(
        db,
        l0Rows(1).map((r) => ({ ...r, file_version: '1' })),
      ),
    ).toEqual({ inserted: 16, duplicates: 0 });
    db.close();
  });

  it('a scheduler pass that would duplicate a product fails as E_PUNCH_DUPLICATE and changes nothing', () => {
    const { db, config } = punchSandbox();
    ingestL0(db, l0Rows(1));
    ingestL0(
      db,
      l0Rows(1, T0, '1').filter((r) => r.file_type === 'PM' && r.observatory === '1'),
    );
    let err: unknown;
    try {
      schedulePass(db, LEVEL1, config, { now: NOW });
    } catch (e) {
      err = e;
    }
    expect(isStagebookError(err) && err.code).toBe('E_PUNCH_DUPLICATE');
    expect(db.prepare(`SELECT count(*) AS n FROM punch_flows`).get()).toEqual({ n: 0 });
    expect(db.prepare(`SELECT count(*) AS n FROM punch_files WHERE state = 'created'`).get()).toEqual({ n: 17 });
    db.close();
  });
});
