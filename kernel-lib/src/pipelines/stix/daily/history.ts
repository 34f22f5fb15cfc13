/**
 * What the daily pipeline made (STIXCore `io/ProcessingHistoryStorage.py`): SQLite table
 * `processed_fits_products(id, name, level, type, version, fits_in_path, fits_out_path, p_date)` with
 * `PRAGMA user_version` migrations (STIXCore's DB_VERSION 1 = this table). A product counts as made
 * when a row for the same input, name, level, type and version was written after the input's last
 * modification, so a changed input or a new version is processed again.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StagebookError } from '../../../errors/stagebook-error';

const MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS processed_fits_products (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL,
     level TEXT NOT NULL,
     type TEXT NOT NULL,
     version INTEGER NOT NULL,
     fits_in_path TEXT NOT NULL,
     fits_out_path TEXT NOT NULL,
     p_date TEXT NOT NULL
   );
   CREATE INDEX IF NOT EXISTS processed_fits_products_idx ON processed_fits_products
     (name, level, type, version, fits_in_path);`,
];
export const PROCESSING_HISTORY_VERSION = MIGRATIONS.length;

/** One made product. */
export interface ProcessedProduct {
  name: string;
  level: string;
  type: string;
  version: number;
  fitsInPath: string;
  fitsOutPath: string;
  /** When it was made. */
  pDate: Date;
}

export class ProcessingHistory {
  private constructor(private readonly db: Database.Database) {}

  static open(file: string): ProcessingHistory {
    let db: Database.Database;
    try {
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      db = new Database(file, { timeout: 10_000 });
      db.pragma('journal_mode = WAL');
    } catch (cause) {
      throw new StagebookError(
        'E_STIX_DAILY',
        `processing history ${file}: cannot open: ${(cause as Error).message}`,
        { where: 'ProcessingHistory.open', file },
        { cause },
      );
    }
    const at = db.pragma('user_version', { simple: true }) as number;
    if (at > PROCESSING_HISTORY_VERSION) {
      db.close();
      throw new StagebookError(
        'E_STIX_DAILY',
        `processing history ${file}: user_version ${at} is newer than this stagebook (${PROCESSING_HISTORY_VERSION})`,
        { where: 'ProcessingHistory.open', file },
      );
    }
    db.transaction(() => {
      for (let v = at; v < PROCESSING_HISTORY_VERSION; v++) db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${PROCESSING_HISTORY_VERSION}`);
    }).immediate();
    return new ProcessingHistory(db);
  }

  close(): void {
    this.db.close();
  }

  count(): number {
    return (this.db.prepare('SELECT count(1) AS n FROM processed_fits_products').get() as { n: number }).n;
  }

  /** STIXCore `has_processed_fits_products`: made after `inputModified`? (ISO strings compare as times) */
  has(p: Omit<ProcessedProduct, 'fitsOutPath' | 'pDate'>, inputModified: Date): boolean {
    const r = this.db
      .prepare(
        `SELECT count(1) AS n FROM processed_fits_products
         WHERE fits_in_path = ? AND name = ? AND level = ? AND type = ? AND version = ? AND p_date > ?`,
      )
      .get(p.fitsInPath, p.name, p.level, p.type, p.version, inputModified.toISOString()) as { n: number };
    return r.n > 0;
  }

  add(p: ProcessedProduct): void {
    this.db
      .prepare(
        `INSERT INTO processed_fits_products (name, level, type, version, fits_in_path, fits_out_path, p_date)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.name, p.level, p.type, p.version, p.fitsInPath, p.fitsOutPath, p.pDate.toISOString());
  }

  all(): ProcessedProduct[] {
    return (
      this.db.prepare('SELECT * FROM processed_fits_products ORDER BY id').all() as Array<
        Record<string, string | number>
      >
    ).map((r) => ({
      name: String(r.name),
      level: String(r.level),
      type: String(r.type),
      version: Number(r.version),
      fitsInPath: String(r.fits_in_path),
      fitsOutPath: String(r.fits_out_path),
      pDate: new Date(String(r.p_date)),
    }));
  }
}
