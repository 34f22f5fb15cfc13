/**
 * The publish history (STIXCore `PublishHistoryStorage`, `publish.py`): SQLite table
 * `published(id, name UNIQUE, path, version, p_date, m_date, esaname, modified_esaname, result)` with
 * indexes on `esaname` and `p_date`; the same schema and result codes, so a STIXCore history file is
 * adopted as it is (its `user_version` 0 is migrated to 1 without changing the table).
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StagebookError } from '../../../errors/stagebook-error';
import { parsePublishName } from './names';

/** STIXCore `PublishConflicts`. */
export type PublishConflict = 'ADDED' | 'SAME_ESA_NAME' | 'SAME_EXISTS';

/** STIXCore `PublishResult`, with its stored integer values. */
export const PUBLISH_RESULT_CODES = { PUBLISHED: 10, IGNORED: 11, MODIFIED: 12, BLACKLISTED: 13, ERROR: 14 } as const;
export type PublishResultName = keyof typeof PUBLISH_RESULT_CODES;

/** A history row (`result` decoded to its name; null = no result stored). */
export interface PublishedRow {
  id: number;
  name: string;
  path: string;
  version: number;
  /** Publication time, epoch seconds (STIXCore stores `datetime.timestamp()`). */
  p_date: number;
  /** Modification time of the file when it was published, epoch seconds. */
  m_date: number;
  esaname: string;
  modified_esaname: string | null;
  result: PublishResultName | null;
}

const SCHEMA_VERSION = 1;

/** Ordered migrations: index i brings the file from user_version i to i+1. */
const MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS published (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT UNIQUE NOT NULL,
     path TEXT NOT NULL,
     version INTEGER NOT NULL,
     p_date FLOAT NOT NULL,
     m_date FLOAT NOT NULL,
     esaname TEXT NOT NULL,
     modified_esaname TEXT,
     result INTEGER
   );
   CREATE INDEX IF NOT EXISTS esaname ON published (esaname);
   CREATE INDEX IF NOT EXISTS p_date ON published (p_date);`,
];

const NAME_OF_CODE = new Map<number, PublishResultName>(
  Object.entries(PUBLISH_RESULT_CODES).map(([k, v]) => [v, k as PublishResultName]),
);

interface RawRow extends Omit<PublishedRow, 'result'> {
  result: number | null;
}

function decode(r: RawRow): PublishedRow {
  return { ...r, result: r.result === null ? null : (NAME_OF_CODE.get(r.result) ?? null) };
}

/** The history database of published files. */
export class PublishHistory {
  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
  ) {}

  /** Opens (creating and migrating) the history file. */
  static open(file: string): PublishHistory {
    let db: Database.Database;
    try {
      if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      db = new Database(file, { timeout: 10_000 });
      if (file !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    } catch (cause) {
      throw new StagebookError(
        'E_STIX_PUBLISH_HISTORY',
        `publish history ${file}: cannot open: ${(cause as Error).message}`,
        { where: 'PublishHistory.open', file },
        { cause },
      );
    }
    const at = db.pragma('user_version', { simple: true }) as number;
    if (at > SCHEMA_VERSION) {
      db.close();
      throw new StagebookError(
        'E_STIX_PUBLISH_HISTORY',
        `publish history ${file}: user_version ${at} is newer than this stagebook (${SCHEMA_VERSION})`,
        { where: 'PublishHistory.open', file },
      );
    }
    db.transaction(() => {
      for (let v = at; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
    return new PublishHistory(file, db);
  }

  close(): void {
    this.db.close();
  }

  count(): number {
    return (this.db.prepare('SELECT count(1) AS n FROM published').get() as { n: number }).n;
  }

  findByName(name: string): PublishedRow[] {
    return (this.db.prepare('SELECT * FROM published WHERE name = ?').all(name) as RawRow[]).map(decode);
  }

  /** Rows sharing an ESA name, oldest publication first (STIXCore `order by p_date asc`; id breaks ties). */
  findByEsaName(esaName: string): PublishedRow[] {
    return (
      this.db.prepare('SELECT * FROM published WHERE esaname = ? ORDER BY p_date ASC, id ASC').all(esaName) as RawRow[]
    ).map(decode);
  }

  all(): PublishedRow[] {
    return (this.db.prepare('SELECT * FROM published ORDER BY id').all() as RawRow[]).map(decode);
  }

  /** What `add` would answer, without writing (the publisher decides first and records after the copy). */
  conflictOf(file: string): { conflict: PublishConflict; rows: PublishedRow[] } {
    const n = parsePublishName(file);
    const same = this.findByName(n.name);
    if (same.length > 0) return { conflict: 'SAME_EXISTS', rows: same };
    const others = this.findByEsaName(n.esaName);
    return { conflict: others.length > 0 ? 'SAME_ESA_NAME' : 'ADDED', rows: others };
  }

  /**
   * STIXCore `hist.add(path)`: inserts the file (result NULL) and answers ADDED, SAME_ESA_NAME (with
   * every row of that ESA name, the new one last) or SAME_EXISTS (with the existing row). The file
   * must exist (its mtime is stored) and follow the naming convention.
   */
  add(file: string, now: Date = new Date()): { conflict: PublishConflict; rows: PublishedRow[] } {
    const n = parsePublishName(file);
    const mDate = statSync(file).mtimeMs / 1000;
    return this.db
      .transaction(() => {
        const same = this.findByName(n.name);
        if (same.length > 0) return { conflict: 'SAME_EXISTS' as const, rows: same };
        this.insert({ name: n.name, dir: path.dirname(path.resolve(file)), version: n.version, pDate: now, mDate });
        const rows = this.findByEsaName(n.esaName);
        return { conflict: rows.length > 1 ? ('SAME_ESA_NAME' as const) : ('ADDED' as const), rows };
      })
      .immediate();
  }

  /**
   * Records a decided file in one transaction: the row with its result and modified ESA name.
   * Called only after the published copy is in place (see publish.ts: the commit point).
   */
  record(o: {
    file: string;
    pDate: Date;
    mDate: number;
    result: PublishResultName | null;
    modifiedEsaName?: string;
  }): PublishedRow {
    const n = parsePublishName(o.file);
    return this.db
      .transaction(() => {
        const id = this.insert({
          name: n.name,
          dir: path.dirname(path.resolve(o.file)),
          version: n.version,
          pDate: o.pDate,
          mDate: o.mDate,
          result: o.result,
          modified: o.modifiedEsaName,
        });
        return decode(this.db.prepare('SELECT * FROM published WHERE id = ?').get(id) as RawRow);
      })
      .immediate();
  }

  setResult(result: PublishResultName, id: number): void {
    this.db.prepare('UPDATE published SET result = ? WHERE id = ?').run(PUBLISH_RESULT_CODES[result], id);
  }

  setModifiedEsaName(name: string, id: number): void {
    this.db.prepare('UPDATE published SET modified_esaname = ? WHERE id = ?').run(name, id);
  }

  private insert(o: {
    name: string;
    dir: string;
    version: number;
    pDate: Date;
    mDate: number;
    result?: PublishResultName | null;
    modified?: string;
  }): number {
    const esa = parsePublishName(o.name).esaName;
    const r = this.db
      .prepare(
        `INSERT INTO published (name, path, version, p_date, m_date, esaname, modified_esaname, result)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        o.name,
        o.dir,
        o.version,
        o.pDate.getTime() / 1000,
        o.mDate,
        esa,
        o.modified ?? null,
        o.result ? PUBLISH_RESULT_CODES[o.result] : null,
      );
    return Number(r.lastInsertRowid);
  }
}
