/**
 * ALEXIS's onboarding catalogues in one SQLite file (`data_products/availability.db`), with the
 * tables and columns of its onboarding scripts (`onboarding/create_aia_12s_availability.py`,
 * `create_sxi_availability.py`, `xray_ftp_query.py`, the HEK and HARP queries):
 *   aia_availability(time_stamp, EXPTIME, QUALITY, WAVELNTH, url, filename)
 *   sxi_availability(download_string, time_stamp, url, data_level, file_name, instrument)
 *   goes_data(time_stamp, instrument, wavelength, value)
 *   known_flares(...HEK columns), harps(...HARP keys)
 * `time_stamp` is Unix seconds (float), as ALEXIS stores pandas timestamps. Stagebook adds
 * `onboarding_windows`: a window's rows and its completion mark are written in one transaction, so
 * an interrupted onboarding resumes at the first incomplete window and never duplicates rows
 * (every table has a natural key; inserts are idempotent).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { StagebookError } from '../../errors/stagebook-error';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS aia_availability (time_stamp REAL NOT NULL, EXPTIME REAL, QUALITY INTEGER, WAVELNTH INTEGER NOT NULL, url TEXT PRIMARY KEY, filename TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS aia_availability_time ON aia_availability (time_stamp);
CREATE TABLE IF NOT EXISTS sxi_availability (download_string TEXT, time_stamp REAL NOT NULL, url TEXT PRIMARY KEY, data_level TEXT, file_name TEXT NOT NULL, instrument TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sxi_availability_time ON sxi_availability (time_stamp);
CREATE TABLE IF NOT EXISTS goes_data (time_stamp REAL NOT NULL, instrument TEXT NOT NULL, wavelength TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (time_stamp, instrument, wavelength));
CREATE TABLE IF NOT EXISTS known_flares (kb_archivid TEXT PRIMARY KEY, event_starttime TEXT, event_peaktime TEXT, event_endtime TEXT, fl_goescls TEXT, hpc_x REAL, hpc_y REAL, ar_noaanum INTEGER, frm_name TEXT);
CREATE TABLE IF NOT EXISTS harps (HARPNUM INTEGER NOT NULL, T_REC TEXT NOT NULL, NOAA_AR INTEGER, NOAA_ARS TEXT, LAT_MIN REAL, LAT_MAX REAL, LON_MIN REAL, LON_MAX REAL, PRIMARY KEY (HARPNUM, T_REC));
CREATE TABLE IF NOT EXISTS onboarding_windows (source TEXT NOT NULL, window_start TEXT NOT NULL, window_end TEXT NOT NULL, rows INTEGER NOT NULL, completed_at TEXT NOT NULL, PRIMARY KEY (source, window_start, window_end));
`;

/** Sources of the onboarding, in the order they run. */
export const ONBOARDING_SOURCES = ['aia', 'sxi', 'goes', 'hek', 'harps'] as const;
export type OnboardingSource = (typeof ONBOARDING_SOURCES)[number];

export interface AiaAvailabilityRow {
  time_stamp: number;
  EXPTIME: number;
  QUALITY: number;
  WAVELNTH: number;
  url: string;
  filename: string;
}
export interface SxiAvailabilityRow {
  download_string: string;
  time_stamp: number;
  url: string;
  data_level: string;
  file_name: string;
  instrument: string;
}
export interface GoesDataRow {
  time_stamp: number;
  instrument: string;
  wavelength: 'A' | 'B';
  value: number;
}
export interface KnownFlareRow {
  kb_archivid: string;
  event_starttime: string;
  event_peaktime: string | null;
  event_endtime: string;
  fl_goescls: string | null;
  hpc_x: number;
  hpc_y: number;
  ar_noaanum: number | null;
  frm_name: string;
}
export interface HarpRow {
  HARPNUM: number;
  T_REC: string;
  NOAA_AR: number;
  NOAA_ARS: string;
  LAT_MIN: number;
  LAT_MAX: number;
  LON_MIN: number;
  LON_MAX: number;
}

/** Rows of one window, per table. */
export type WindowRows =
  | { source: 'aia'; rows: AiaAvailabilityRow[] }
  | { source: 'sxi'; rows: SxiAvailabilityRow[] }
  | { source: 'goes'; rows: GoesDataRow[] }
  | { source: 'hek'; rows: KnownFlareRow[] }
  | { source: 'harps'; rows: HarpRow[] };

const INSERT: Record<OnboardingSource, string> = {
  aia: 'INSERT OR REPLACE INTO aia_availability (time_stamp, EXPTIME, QUALITY, WAVELNTH, url, filename) VALUES (@time_stamp, @EXPTIME, @QUALITY, @WAVELNTH, @url, @filename)',
  sxi: 'INSERT OR REPLACE INTO sxi_availability (download_string, time_stamp, url, data_level, file_name, instrument) VALUES (@download_string, @time_stamp, @url, @data_level, @file_name, @instrument)',
  goes: 'INSERT OR REPLACE INTO goes_data (time_stamp, instrument, wavelength, value) VALUES (@time_stamp, @instrument, @wavelength, @value)',
  hek: 'INSERT OR REPLACE INTO known_flares (kb_archivid, event_starttime, event_peaktime, event_endtime, fl_goescls, hpc_x, hpc_y, ar_noaanum, frm_name) VALUES (@kb_archivid, @event_starttime, @event_peaktime, @event_endtime, @fl_goescls, @hpc_x, @hpc_y, @ar_noaanum, @frm_name)',
  harps:
    'INSERT OR REPLACE INTO harps (HARPNUM, T_REC, NOAA_AR, NOAA_ARS, LAT_MIN, LAT_MAX, LON_MIN, LON_MAX) VALUES (@HARPNUM, @T_REC, @NOAA_AR, @NOAA_ARS, @LAT_MIN, @LAT_MAX, @LON_MIN, @LON_MAX)',
};

/** The catalogue database. */
export class AlexisCatalogues {
  readonly db: Database.Database;

  constructor(
    readonly file: string,
    options: { readonly?: boolean } = {},
  ) {
    try {
      if (!options.readonly) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      this.db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
      if (!options.readonly) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('busy_timeout = 10000');
        this.db.exec(SCHEMA);
      }
    } catch (cause) {
      throw new StagebookError(
        'E_IO',
        `AlexisCatalogues: cannot open ${file}: ${(cause as Error).message}`,
        { where: 'AlexisCatalogues', file },
        { cause },
      );
    }
  }

  /** Whether a window of a source is already complete. */
  windowDone(source: OnboardingSource, start: string, end: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM onboarding_windows WHERE source = ? AND window_start = ? AND window_end = ?')
        .get(source, start, end) !== undefined
    );
  }

  /** Writes a window's rows and marks it complete, atomically. */
  completeWindow(w: WindowRows, start: string, end: string, now: Date = new Date()): void {
    const st = this.db.prepare(INSERT[w.source]);
    this.db
      .transaction(() => {
        for (const r of w.rows) st.run(r);
        this.db
          .prepare(
            'INSERT OR REPLACE INTO onboarding_windows (source, window_start, window_end, rows, completed_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run(w.source, start, end, w.rows.length, now.toISOString());
      })
      .immediate();
  }

  /** Row counts per table. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of [
      'aia_availability',
      'sxi_availability',
      'goes_data',
      'known_flares',
      'harps',
      'onboarding_windows',
    ]) {
      out[t] = (this.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    }
    return out;
  }

  /** ALEXIS's AIA query: rows within +-minutes of a time (query_the_data.aia_availability). */
  aiaAround(timeMs: number, minutes: number): AiaAvailabilityRow[] {
    return this.db
      .prepare('SELECT * FROM aia_availability WHERE time_stamp BETWEEN ? AND ? ORDER BY time_stamp, url')
      .all((timeMs - minutes * 60_000) / 1000, (timeMs + minutes * 60_000) / 1000) as AiaAvailabilityRow[];
  }

  /** ALEXIS's SXI query: rows within +-minutes (all data levels; stage 1 keeps `BA`). */
  sxiAround(timeMs: number, minutes: number): SxiAvailabilityRow[] {
    return this.db
      .prepare('SELECT * FROM sxi_availability WHERE time_stamp BETWEEN ? AND ? ORDER BY time_stamp, url')
      .all((timeMs - minutes * 60_000) / 1000, (timeMs + minutes * 60_000) / 1000) as SxiAvailabilityRow[];
  }

  /** XRS rows of a channel in [fromMs, toMs]. */
  goesBetween(fromMs: number, toMs: number, wavelength?: 'A' | 'B'): GoesDataRow[] {
    const w = wavelength ? ' AND wavelength = @w' : '';
    return this.db
      .prepare(`SELECT * FROM goes_data WHERE time_stamp BETWEEN @a AND @b${w} ORDER BY time_stamp`)
      .all({ a: fromMs / 1000, b: toMs / 1000, w: wavelength }) as GoesDataRow[];
  }

  knownFlares(): KnownFlareRow[] {
    return this.db.prepare('SELECT * FROM known_flares ORDER BY event_peaktime').all() as KnownFlareRow[];
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
