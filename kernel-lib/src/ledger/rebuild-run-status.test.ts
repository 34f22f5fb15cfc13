import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './db';
import { ALLOW_PARTIAL_RUN_STATUS, LEDGER_SCHEMA_VERSION, MIGRATIONS } from './migrations';

function oldLedger(extraColumn: boolean): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-partial-')), 'ledger.db');
  const db = new Database(file);
  const upTo = MIGRATIONS.indexOf(ALLOW_PARTIAL_RUN_STATUS);
  for (let v = 0; v < upTo; v++) db.exec(MIGRATIONS[v]);
  // a column another migration may have added to both tables before this one runs
  // (migration 3, workspace identity, adds them when it comes first; add them here otherwise)
  const has = (table: string, column: string): boolean =>
    (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).some((c) => c.name === column);
  if (extraColumn && !has('runs', 'lease_generation'))
    db.exec('ALTER TABLE runs ADD COLUMN lease_generation INTEGER NOT NULL DEFAULT 0;');
  if (extraColumn && !has('stage_runs', 'workspace')) db.exec('ALTER TABLE stage_runs ADD COLUMN workspace TEXT;');
  db.pragma(`user_version = ${upTo}`);
  db.prepare(
    `INSERT INTO runs (id, pipeline, scope, status, options_json, created_at, updated_at) VALUES ('r1', 'p', 's', 'failed', '{}', 1, 1)`,
  ).run();
  db.prepare(
    `INSERT INTO stage_runs (run_id, pipeline, stage, unit, status, started_at, stage_version, params_json, cache_key, inputs_json) VALUES ('r1', 'p', 'a', 'u', 'failed', 1, 1, '{}', 'k', '[]')`,
  ).run();
  expect(() => db.prepare(`UPDATE runs SET status = 'partial' WHERE id = 'r1'`).run()).toThrow(/CHECK constraint/);
  db.close();
  return file;
}

describe("ledger migration: run status 'partial'", () => {
  for (const extraColumn of [false, true]) {
    it(`keeps every row${extraColumn ? ' and the columns other migrations added' : ''}; partial allowed, bogus refused, foreign keys kept`, () => {
      const db = openDatabase(oldLedger(extraColumn));
      expect(db.pragma('user_version', { simple: true })).toBe(LEDGER_SCHEMA_VERSION);
      db.prepare(`UPDATE runs SET status = 'partial' WHERE id = 'r1'`).run();
      expect(db.prepare('SELECT id, status FROM runs').all()).toEqual([{ id: 'r1', status: 'partial' }]);
      expect(db.prepare('SELECT run_id, stage FROM stage_runs').all()).toEqual([{ run_id: 'r1', stage: 'a' }]);
      expect(() => db.prepare(`UPDATE runs SET status = 'bogus'`).run()).toThrow(/CHECK constraint/);
      expect(() =>
        db
          .prepare(
            `INSERT INTO stage_runs (run_id, pipeline, stage, unit, status, started_at, stage_version, params_json, cache_key, inputs_json) VALUES ('nope', 'p', 'a', 'u', 'failed', 1, 1, '{}', 'k', '[]')`,
          )
          .run(),
      ).toThrow(/FOREIGN KEY/);
      const indexes = (
        db
          .prepare(
            `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('runs', 'stage_runs') AND sql IS NOT NULL ORDER BY name`,
          )
          .all() as Array<{ name: string }>
      ).map((r) => r.name);
      // stage_runs_workspace comes from migration 3 (workspace identity), rebuilt with its table
      expect(indexes).toEqual(['runs_scope', 'stage_runs_cache', 'stage_runs_run', 'stage_runs_workspace']);
      if (extraColumn) {
        expect(
          (db.prepare('SELECT lease_generation FROM runs').get() as { lease_generation: number }).lease_generation,
        ).toBe(0);
        expect(db.prepare('SELECT workspace FROM stage_runs').get()).toEqual({ workspace: null });
      }
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    });
  }
});
