import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isStagebookError } from '../errors/stagebook-error';
import { openDatabase } from './db';
import { LEDGER_SCHEMA_VERSION, MIGRATIONS } from './migrations';

function tempLedger(): string {
  return join(mkdtempSync(join(tmpdir(), 'sb-migrate-')), 'ledger.db');
}

describe('ledger migrations', () => {
  it('upgrades a version-1 ledger in place and keeps its rows', () => {
    const file = tempLedger();
    const old = new Database(file);
    old.exec(MIGRATIONS[0]);
    old.pragma('user_version = 1');
    old
      .prepare(
        `INSERT INTO runs (id, pipeline, scope, status, options_json, created_at, updated_at) VALUES ('r1', 'p', 's', 'succeeded', '{}', 1, 1)`,
      )
      .run();
    old.close();
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(LEDGER_SCHEMA_VERSION);
    expect(LEDGER_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
    expect(db.prepare(`SELECT id FROM runs`).all()).toEqual([{ id: 'r1' }]);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'acquisition_downloads'`).get()).toEqual({
      name: 'acquisition_downloads',
    });
    db.close();
  });

  it('accepts a version-1 ledger that already holds the downloads table (created before migration 2)', () => {
    const file = tempLedger();
    const old = new Database(file);
    old.exec(MIGRATIONS[0]);
    old.exec(MIGRATIONS[1]);
    old.pragma('user_version = 1');
    old.close();
    expect(openDatabase(file).pragma('user_version', { simple: true })).toBe(LEDGER_SCHEMA_VERSION);
  });

  it('migration 3 adds workspace identity and the lease generation to a version-2 ledger, keeping its rows', () => {
    const file = tempLedger();
    const old = new Database(file);
    old.exec(MIGRATIONS[0]);
    old.exec(MIGRATIONS[1]);
    old.pragma('user_version = 2');
    old
      .prepare(
        `INSERT INTO runs (id, pipeline, scope, status, options_json, created_at, updated_at) VALUES ('r1', 'p', 's', 'running', '{}', 1, 1)`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO stage_runs (run_id, pipeline, stage, unit, status, started_at, stage_version, params_json, cache_key, inputs_json) VALUES ('r1', 'p', 's', 'u', 'succeeded', 1, 1, '{}', 'k', '[]')`,
      )
      .run();
    old.close();
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(LEDGER_SCHEMA_VERSION);
    expect(db.prepare(`SELECT id, lease_generation FROM runs`).all()).toEqual([{ id: 'r1', lease_generation: 0 }]);
    expect(db.prepare(`SELECT unit, workspace FROM stage_runs`).all()).toEqual([{ unit: 'u', workspace: null }]);
    expect(db.prepare(`SELECT name FROM pragma_table_info('files') WHERE name = 'workspace'`).get()).toEqual({
      name: 'workspace',
    });
    db.close();
  });

  it('refuses a ledger written by a newer stagebook', () => {
    const file = tempLedger();
    const newer = new Database(file);
    newer.pragma(`user_version = ${LEDGER_SCHEMA_VERSION + 1}`);
    newer.close();
    let err: unknown;
    try {
      openDatabase(file);
    } catch (e) {
      err = e;
    }
    expect(isStagebookError(err, 'E_LEDGER')).toBe(true);
    expect((err as Error).message).toMatch(/newer than this stagebook/);
  });
});
