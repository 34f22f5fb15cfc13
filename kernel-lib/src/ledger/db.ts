/**
 * Opening the SQLite ledger for multi-process use: WAL (readers never block the writer),
 * synchronous=NORMAL (durable at checkpoints; a crashed process loses nothing committed, only
 * power loss can drop the last transactions), a busy timeout so concurrent writers wait instead of
 * failing, and BEGIN IMMEDIATE for every write (takes the write lock up front, so a
 * read-modify-write cannot interleave with another process's: no lost updates).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StagebookError } from '../errors/stagebook-error';
import { LEDGER_SCHEMA_VERSION, MIGRATION_CODE, MIGRATIONS } from './migrations';

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
    if (!options.readonly) mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file, { readonly: options.readonly ?? false, timeout: busy, fileMustExist: options.readonly ?? false });
    db.pragma(`busy_timeout = ${Math.floor(busy)}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    }
  } catch (cause) {
    if (cause instanceof StagebookError) throw cause;
    throw new StagebookError('E_LEDGER', `openDatabase: cannot open ledger ${file}: ${(cause as Error).message}`, { where: 'openDatabase', file }, { cause });
  }
  return db;
}

/**
 * Applies pending migrations. The version is re-read inside an immediate transaction, so two
 * processes opening a fresh ledger at once migrate it exactly once.
 */
export function migrate(db: Database.Database): number {
  const step = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > LEDGER_SCHEMA_VERSION) {
      throw new StagebookError('E_LEDGER', `migrate: ledger schema version ${version} is newer than this stagebook (${LEDGER_SCHEMA_VERSION})`, { where: 'migrate' });
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
