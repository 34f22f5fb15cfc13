/**
 * Ledger migration step in code: `runs.status` also accepts `partial` (a run whose units partly
 * failed: issue 22). SQLite cannot alter a CHECK constraint, and defensive mode (better-sqlite3's
 * default) forbids editing sqlite_schema, so the table is rebuilt (sqlite.org/lang_altertable.html,
 * "other kinds of table schema changes"). `stage_runs` references `runs`, and dropping a parent row
 * set with foreign keys on fails, so it is rebuilt with it. Both new tables are created from the
 * tables' CURRENT SQL (only the CHECK list and the REFERENCES target change), so columns added by
 * other migrations (before or after this one is merged) are carried over unchanged.
 */
import type Database from 'better-sqlite3';
import { StagebookError } from '../errors/stagebook-error';

const OLD_CHECK = /CHECK \(status IN \('running','succeeded','failed','interrupted'\)\)/;
const NEW_CHECK = "CHECK (status IN ('running','succeeded','partial','failed','interrupted'))";

function tableSql(db: Database.Database, name: string): string {
  const row = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) as
    { sql: string } | undefined;
  if (!row)
    throw new StagebookError('E_LEDGER', `migrate: table ${name} is missing; cannot add run status 'partial'`, {
      where: 'allowPartialRunStatus',
    });
  return row.sql;
}

/** Rebuilds `runs` (and `stage_runs`, which references it) so that `runs.status` may be `partial`. */
export function allowPartialRunStatus(db: Database.Database): void {
  const runsSql = tableSql(db, 'runs');
  if (!OLD_CHECK.test(runsSql)) {
    if (runsSql.includes("'partial'")) return; // already allowed
    throw new StagebookError(
      'E_LEDGER',
      "migrate: runs.status has an unexpected CHECK constraint; cannot add 'partial'",
      { where: 'allowPartialRunStatus' },
    );
  }
  const stageSql = tableSql(db, 'stage_runs');
  const indexes = db
    .prepare(
      `SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('runs', 'stage_runs') AND sql IS NOT NULL`,
    )
    .all() as Array<{ sql: string }>;
  db.exec(runsSql.replace(/^CREATE TABLE "?runs"?/, 'CREATE TABLE runs_rebuilt').replace(OLD_CHECK, NEW_CHECK));
  db.exec('INSERT INTO runs_rebuilt SELECT * FROM runs');
  db.exec(
    stageSql
      .replace(/^CREATE TABLE "?stage_runs"?/, 'CREATE TABLE stage_runs_rebuilt')
      .replace(/REFERENCES "?runs"?\s*\(/g, 'REFERENCES runs_rebuilt ('),
  );
  db.exec('INSERT INTO stage_runs_rebuilt SELECT * FROM stage_runs');
  db.exec('DROP TABLE stage_runs');
  db.exec('DROP TABLE runs');
  // Renaming runs_rebuilt rewrites the REFERENCES of stage_runs_rebuilt to `runs` (SQLite >= 3.26).
  db.exec('ALTER TABLE runs_rebuilt RENAME TO runs');
  db.exec('ALTER TABLE stage_runs_rebuilt RENAME TO stage_runs');
  for (const i of indexes) db.exec(i.sql);
}
