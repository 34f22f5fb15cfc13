/**
 * Availability catalogues in SQLite, as ALEXIS's onboarding builds them (aia_availability,
 * sxi_availability, goes_data): one row per file with URL, time, instrument, wavelength and data
 * level, queried by a time window around an event (ALEXIS: AIA +-20 min, SXI +-40 min with
 * data_level 'BA' only), de-duplicated by URL. One table for every source keeps the query one.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { StagebookError } from '../errors/stagebook-error';
import type { ArchiveRecord } from './types';

/** One catalogue row. */
export interface AvailabilityRow {
  url: string;
  /** ISO 8601 UTC time of the observation. */
  time: string;
  /** Source family: `aia`, `sxi`, `goes-xrs`, ... */
  source: string;
  /** Instrument / spacecraft (`SDO/AIA`, `goes15`, ...). */
  instrument: string;
  /** Wavelength or channel as text (`171`, `PTHK`, `B`). */
  wavelength: string;
  filename: string;
  dataLevel?: string;
  quality?: number;
  size?: number;
  md5?: string;
}

/** A time-window query. */
export interface WindowQuery {
  source: string;
  /** Event time (ISO or Date). */
  center: string | Date;
  /** Half-width in minutes (ALEXIS: 20 for AIA, 40 for SXI). */
  halfWidthMinutes: number;
  instrument?: string;
  wavelength?: string;
  dataLevel?: string;
}

/** ALEXIS's windows (ALEXIS_download_data.py): half-widths in minutes per source. */
export const ALEXIS_WINDOWS: Readonly<Record<string, number>> = { aia: 20, sxi: 40 };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS availability (
  url TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  time TEXT NOT NULL,
  source TEXT NOT NULL,
  instrument TEXT NOT NULL,
  wavelength TEXT NOT NULL,
  filename TEXT NOT NULL,
  data_level TEXT,
  quality INTEGER,
  size INTEGER,
  md5 TEXT,
  PRIMARY KEY (source, url)
);
CREATE INDEX IF NOT EXISTS availability_time ON availability (source, time_ms);
`;

function toMs(t: string | Date, where: string): number {
  const ms = t instanceof Date ? t.getTime() : Date.parse(/Z|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`);
  if (!Number.isFinite(ms))
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: time: cannot parse ${JSON.stringify(t)}`, {
      where,
      field: 'time',
    });
  return ms;
}

/** A catalogue database (created when absent). */
export class AvailabilityCatalogue {
  readonly db: Database.Database;

  constructor(
    readonly file: string,
    options: { readonly?: boolean } = {},
  ) {
    if (!options.readonly) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    try {
      this.db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
      if (!options.readonly) this.db.exec(SCHEMA);
    } catch (cause) {
      throw new StagebookError(
        'E_IO',
        `AvailabilityCatalogue: cannot open ${file}: ${(cause as Error).message}`,
        { where: 'AvailabilityCatalogue', file },
        { cause },
      );
    }
  }

  /** Inserts rows (a row with a known (source, url) replaces the old one); returns the count. */
  insert(rows: readonly AvailabilityRow[]): number {
    const st = this.db
      .prepare(`INSERT OR REPLACE INTO availability (url, time_ms, time, source, instrument, wavelength, filename, data_level, quality, size, md5)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const tx = this.db.transaction((list: readonly AvailabilityRow[]) => {
      for (const r of list) {
        const ms = toMs(r.time, 'AvailabilityCatalogue.insert');
        st.run(
          r.url,
          ms,
          new Date(ms).toISOString(),
          r.source,
          r.instrument,
          r.wavelength,
          r.filename,
          r.dataLevel ?? null,
          r.quality ?? null,
          r.size ?? null,
          r.md5 ?? null,
        );
      }
    });
    tx.immediate(rows);
    return rows.length;
  }

  /** Rows of `q.source` within +-halfWidth of the event, oldest first, one per URL. */
  queryWindow(q: WindowQuery): AvailabilityRow[] {
    const where = 'AvailabilityCatalogue.queryWindow';
    if (!(q.halfWidthMinutes >= 0))
      throw new StagebookError('E_INVALID_ARGUMENT', `${where}: halfWidthMinutes: expected a number >= 0`, {
        where,
        field: 'halfWidthMinutes',
      });
    const c = toMs(q.center, where);
    const half = q.halfWidthMinutes * 60_000;
    const clauses = ['source = @source', 'time_ms BETWEEN @from AND @to'];
    if (q.instrument !== undefined) clauses.push('instrument = @instrument');
    if (q.wavelength !== undefined) clauses.push('wavelength = @wavelength');
    if (q.dataLevel !== undefined) clauses.push('data_level = @dataLevel');
    const rows = this.db
      .prepare(
        `SELECT url, MIN(time) AS time, source, instrument, wavelength, filename, data_level, quality, size, md5
      FROM availability WHERE ${clauses.join(' AND ')} GROUP BY url ORDER BY MIN(time_ms), url`,
      )
      .all({
        source: q.source,
        from: c - half,
        to: c + half,
        instrument: q.instrument,
        wavelength: q.wavelength,
        dataLevel: q.dataLevel,
      }) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      url: r.url as string,
      time: r.time as string,
      source: r.source as string,
      instrument: r.instrument as string,
      wavelength: r.wavelength as string,
      filename: r.filename as string,
      dataLevel: (r.data_level as string | null) ?? undefined,
      quality: (r.quality as number | null) ?? undefined,
      size: (r.size as number | null) ?? undefined,
      md5: (r.md5 as string | null) ?? undefined,
    }));
  }

  /** Number of rows (of one source). */
  count(source?: string): number {
    const r = (
      source
        ? this.db.prepare('SELECT COUNT(*) AS n FROM availability WHERE source = ?').get(source)
        : this.db.prepare('SELECT COUNT(*) AS n FROM availability').get()
    ) as { n: number };
    return r.n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Catalogue rows as archive records (for the common search-then-fetch interface). */
export function availabilityToRecords(rows: readonly AvailabilityRow[]): ArchiveRecord[] {
  return rows.map((r) => ({
    id: r.url,
    filename: r.filename,
    url: r.url,
    time: r.time,
    instrument: r.instrument,
    size: r.size,
    md5: r.md5,
    meta: { ...r },
  }));
}
