/**
 * Opening a PUNCH control database: the stagebook ledger (SQLite, WAL, busy timeout, migrations;
 * ledger/db.ts) whose migrations include the punch_* tables (ledger/punch-tables.ts). One file holds
 * the engine's ledger and the control segment's tables; punch.yaml's `database` names it.
 */
import type Database from 'better-sqlite3';
import { openDatabase, type OpenDatabaseOptions } from '../../ledger/db';

export function openControlDb(file: string, options: OpenDatabaseOptions = {}): Database.Database {
  return openDatabase(file, options);
}

/** Flow counts by (level, type, state): the dashboard's and `punch status`'s table. */
export function flowCounts(
  db: Database.Database,
): Array<{ flow_level: string; flow_type: string; state: string; n: number }> {
  return db
    .prepare(
      `SELECT flow_level, flow_type, state, count(*) AS n FROM punch_flows GROUP BY flow_level, flow_type, state
       ORDER BY flow_level, flow_type, state`,
    )
    .all() as Array<{ flow_level: string; flow_type: string; state: string; n: number }>;
}

/** File counts by (level, state). */
export function fileCounts(db: Database.Database): Array<{ level: string; state: string; n: number }> {
  return db
    .prepare(`SELECT level, state, count(*) AS n FROM punch_files GROUP BY level, state ORDER BY level, state`)
    .all() as Array<{ level: string; state: string; n: number }>;
}
