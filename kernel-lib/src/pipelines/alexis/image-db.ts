/**
 * `data_products/image_data_availability.db`, table `image_data_availability`, with the columns
 * of ALEXIS_02_create_initialize_files.py (one row per cluster of each image; an image without
 * peaks has one row with NaN peak columns and peaks_found = 0). Inserts are idempotent: an image's
 * rows replace any earlier rows of the same URL in one transaction (ALEXIS appended, so a rerun
 * duplicated rows; Ruffus's markers normally prevented the rerun).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { StagebookError } from '../../errors/stagebook-error';

/** The columns, in ALEXIS's order (file_size_MB is declared twice there; once here). */
export const IMAGE_DATA_COLUMNS = [
  'download_string',
  'time_stamp',
  'data_level',
  'file_name',
  'exp_time',
  'file_size_MB',
  'QUALITY',
  'wavelength',
  'url',
  'instrument',
  'file_path',
  'wget_log_file',
  'download_speed',
  'cached_dict_path',
  'telescope',
  'img_data_max',
  'img_data_min',
  'img_flux',
  'peakfinder_time_1',
  'dbscan_time_1',
  'cleaning_time_1',
  'peaks_found',
  'dbscan_1_x_hpc',
  'dbscan_1_y_hpc',
  'dbscan_1_x_pix',
  'dbscan_1_y_pix',
  'dbscan_1_num_members',
  'dbscan_1_label',
] as const;

/** SQL types of the typed columns (the others are TEXT). */
const TYPES: Record<string, string> = {
  time_stamp: 'REAL',
  exp_time: 'REAL',
  file_size_MB: 'REAL',
  QUALITY: 'REAL',
  img_data_max: 'REAL',
  img_data_min: 'REAL',
  img_flux: 'REAL',
  peakfinder_time_1: 'REAL',
  dbscan_time_1: 'REAL',
  cleaning_time_1: 'REAL',
  peaks_found: 'INTEGER',
  dbscan_1_x_hpc: 'REAL',
  dbscan_1_y_hpc: 'REAL',
  dbscan_1_x_pix: 'REAL',
  dbscan_1_y_pix: 'REAL',
  dbscan_1_num_members: 'REAL',
  dbscan_1_label: 'REAL',
};

/** The columns stored as numbers (REAL): what a reader of a row converts with Number(). */
export const IMAGE_DATA_NUMBER_COLUMNS: readonly string[] = Object.keys(TYPES).filter((c) => TYPES[c] === 'REAL');

/** One row. */
export type ImageDataRow = Record<(typeof IMAGE_DATA_COLUMNS)[number], string | number | boolean | null>;

/** The image_data_availability database. */
export class ImageDataAvailability {
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
        this.db
          .exec(`CREATE TABLE IF NOT EXISTS image_data_availability (${IMAGE_DATA_COLUMNS.map((c) => `${c} ${TYPES[c] ?? 'TEXT'}`).join(', ')});
          CREATE INDEX IF NOT EXISTS image_data_time ON image_data_availability (time_stamp);
          CREATE INDEX IF NOT EXISTS image_data_instrument ON image_data_availability (instrument);
          CREATE INDEX IF NOT EXISTS image_data_url ON image_data_availability (url);`);
      }
    } catch (cause) {
      throw new StagebookError(
        'E_IO',
        `ImageDataAvailability: cannot open ${file}: ${(cause as Error).message}`,
        { where: 'ImageDataAvailability', file },
        { cause },
      );
    }
  }

  /** URLs that already have rows. */
  urls(): Set<string> {
    return new Set(
      (this.db.prepare('SELECT DISTINCT url FROM image_data_availability').all() as Array<{ url: string }>).map(
        (r) => r.url,
      ),
    );
  }

  /** Replaces the rows of each image's URL (one transaction for the batch). */
  replaceImages(images: ImageDataRow[][]): void {
    const del = this.db.prepare('DELETE FROM image_data_availability WHERE url = ?');
    const ins = this.db.prepare(
      `INSERT INTO image_data_availability (${IMAGE_DATA_COLUMNS.join(', ')}) VALUES (${IMAGE_DATA_COLUMNS.map((c) => `@${c}`).join(', ')})`,
    );
    this.db
      .transaction(() => {
        for (const rows of images) {
          if (rows.length === 0) continue;
          del.run(rows[0].url);
          for (const r of rows) {
            const v: Record<string, unknown> = {};
            // SQLite has no NaN: NaN is stored as NULL (pandas reads NULL back as NaN).
            for (const c of IMAGE_DATA_COLUMNS)
              v[c] =
                typeof r[c] === 'number' && Number.isNaN(r[c])
                  ? null
                  : typeof r[c] === 'boolean'
                    ? r[c]
                      ? 1
                      : 0
                    : r[c];
            ins.run(v);
          }
        }
      })
      .immediate();
  }

  /** QUALITY counts per (instrument, wavelength), one per image. */
  qualityCounts(): Array<{ instrument: string; wavelength: string; QUALITY: number; images: number }> {
    return this.db
      .prepare(
        `SELECT instrument, CAST(wavelength AS TEXT) AS wavelength, QUALITY, COUNT(DISTINCT url) AS images FROM image_data_availability
      GROUP BY instrument, wavelength, QUALITY ORDER BY instrument, wavelength, QUALITY`,
      )
      .all() as Array<{ instrument: string; wavelength: string; QUALITY: number; images: number }>;
  }

  /** Rows within [fromS, toS] (Unix seconds). */
  between(fromS: number, toS: number): ImageDataRow[] {
    return this.db
      .prepare(
        'SELECT * FROM image_data_availability WHERE time_stamp BETWEEN ? AND ? ORDER BY time_stamp, url, dbscan_1_label',
      )
      .all(fromS, toS) as ImageDataRow[];
  }

  /**
   * One instrument's rows with fromS <= time_stamp < toS (half-open, as ALEXIS's
   * query_downloaded_image_availability), in time order (then URL, cluster label).
   */
  window(instrument: string, fromS: number, toS: number): ImageDataRow[] {
    return this.db
      .prepare(
        'SELECT * FROM image_data_availability WHERE time_stamp >= ? AND time_stamp < ? AND instrument = ? ORDER BY time_stamp, url, dbscan_1_label',
      )
      .all(fromS, toS, instrument) as ImageDataRow[];
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM image_data_availability').get() as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
