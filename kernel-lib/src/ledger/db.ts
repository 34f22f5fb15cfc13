/**
 * Opening the SQLite ledger for multi-process use: WAL (readers never block the writer),
 * synchronous=NORMAL (durable at checkpoints; a crashed process loses nothing committed, only
 * power loss can drop the last transactions), a busy timeout so concurrent writers wait instead of
 * failing, and BEGIN IMMEDIATE for every write (takes the write lock up front, so a
 * read-modify-write cannot interleave with another process's: no lost updates).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StagebookError } from '../errors/stagebook-error';
import { ensureDirSync } from '../workdirs/atomic';
import { LEDGER_SCHEMA_VERSION, MIGRATION_CODE, MIGRATIONS } from './migrations';
import { resourceError } from './resource-errors';

/** Options of `openDatabase`. */
export interface OpenDatabaseOptions {
  /** Wait this long (ms) for another writer's lock. Default 10000. */
  busyTimeoutMs?: number;
  /** Open read-only (no migration; the file must exist). */
  readonly?: boolean;
}

/** Opens (creating and migrating when needed) the ledger database at `file`. */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Database.Database {
  const busy = options.busyTimeoutMs ?? 10_000;
  let db: Database.Database;
  try {
    if (!options.readonly) ensureDirSync(path.dirname(file));
    refuseEmptyFile(file, busy);
    db = new Database(file, {
      readonly: options.readonly ?? false,
      timeout: busy,
      fileMustExist: options.readonly ?? false,
    });
    db.pragma(`busy_timeout = ${Math.floor(busy)}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    }
  } catch (cause) {
    if (cause instanceof StagebookError) throw cause;
    throw (
      resourceError(cause, `openDatabase: ledger`, file) ??
      new StagebookError(
        'E_LEDGER',
        `openDatabase: cannot open ledger ${file}: ${(cause as Error).message}`,
        { where: 'openDatabase', file },
        { cause },
      )
    );
  }
  return db;
}

/**
 * SQLite takes an empty file for an empty database, so a ledger truncated to 0 bytes (a failed
 * copy, a full disk) would silently become a new ledger and every output would re-run. Only a file
 * another process is creating right now may be empty: it gets a header within its first write, so
 * we wait (up to the busy timeout) for that before refusing.
 */
function refuseEmptyFile(file: string, waitMs: number): void {
  if (!existsSync(file) || statSync(file).size > 0) return;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < waitMs; waited += 50) {
    Atomics.wait(pause, 0, 0, 50);
    if (!existsSync(file) || statSync(file).size > 0) return;
  }
  throw new StagebookError(
    'E_LEDGER_CORRUPT',
    `openDatabase: ledger ${file} is an empty (0-byte) file, not a stagebook ledger: restore it from a backup, or delete it to start a new ledger`,
    { where: 'openDatabase', file },
  );
}

/**
 * Applies pending migrations. The version is re-read inside an immediate transaction, so two
 * processes opening a fresh ledger at once migrate it exactly once.
 */
export function migrate(db: Database.Database): number {
  const step = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > LEDGER_SCHEMA_VERSION) {
      throw new StagebookError(
        'E_LEDGER',
        `migrate: ledger schema version ${version} is newer than this stagebook (${LEDGER_SCHEMA_VERSION})`,
        { where: 'migrate' },
      );
    }
    for (let v = version; v < LEDGER_SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v]);
      MIGRATION_CODE.get(MIGRATIONS[v])?.(db);
      db.pragma(`user_version = ${v + 1}`);
    }
    return LEDGER_SCHEMA_VERSION;
  });
  return step.immediate();
}
