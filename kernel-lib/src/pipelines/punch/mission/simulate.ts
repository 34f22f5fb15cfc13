/**
 * Simulated L0 data: four observatories (rolls 0/120/240/60 deg) each taking PM, PZ, PP and CR
 * images of the model corona every `cadenceMinutes`, written as PUNCH L0 products and ingested as
 * `created` rows (punchpipe's level0 flow ingests telemetry into such rows). Ingest is idempotent:
 * the uniqueness rule refuses a second row for an observation, and the duplicates are counted.
 */
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { productPath, type ProductKey } from '../naming';
import { duplicateError } from '../scheduler';
import { OBSERVATORY_ROLL, simulateRaw } from './images';
import { writeProduct } from './products';

export interface SimulateL0Options {
  root: string;
  /** First observation, epoch ms. */
  start: number;
  /** Number of observation times. */
  slots: number;
  cadenceMinutes?: number;
  /** Image side in pixels (default 64). */
  size?: number;
  observatories?: string[];
  types?: string[];
  fileVersion?: string;
  seed?: number;
  /** Write quick-looks beside the L0 files (default false: L0 are many). */
  quicklook?: boolean;
}

/** An L0 row to ingest. */
export interface L0Row extends ProductKey {
  polarization: string | null;
  crota: number;
}

const POLARIZATION: Record<string, string | null> = { PM: 'M', PZ: 'Z', PP: 'P', CR: null };

/** Writes the L0 images (those not already on disk) and returns their rows. */
export function simulateL0(o: SimulateL0Options): L0Row[] {
  const size = o.size ?? 64;
  const rows: L0Row[] = [];
  for (let s = 0; s < o.slots; s++) {
    const t = o.start + s * (o.cadenceMinutes ?? 4) * 60_000;
    for (const obs of o.observatories ?? ['1', '2', '3', '4'])
      for (const type of o.types ?? ['PM', 'PZ', 'PP', 'CR']) {
        const key: L0Row = {
          level: '0',
          file_type: type,
          observatory: obs,
          date_obs: t,
          file_version: o.fileVersion ?? '0',
          polarization: POLARIZATION[type] ?? null,
          crota: OBSERVATORY_ROLL[obs],
        };
        const file = productPath(o.root, key);
        if (!existsSync(file)) {
          const seed = (o.seed ?? 1) * 7919 + s * 101 + Number(obs) * 13 + type.charCodeAt(1);
          const raw = simulateRaw(size, type, key.crota, (t - o.start) / 3_600_000, seed);
          writeProduct(file, raw, [size, size], {
            quicklook: o.quicklook ?? false,
            sha: false,
            cards: [['CROTA', key.crota, 'roll (deg)']],
          });
        }
        rows.push(key);
      }
  }
  return rows;
}

/** Inserts L0 rows as `created` in one statement; a row that exists already is counted, not doubled. */
export function ingestL0(
  db: Database.Database,
  rows: readonly L0Row[],
  softwareVersion = '0',
  now = Date.now(),
): { inserted: number; duplicates: number } {
  const payload = JSON.stringify(
    rows.map((r) => [r.level, r.file_type, r.observatory, r.file_version, r.date_obs, r.polarization, r.crota]),
  );
  try {
    const info = db
      .prepare(
        `INSERT INTO punch_files (level, file_type, observatory, file_version, software_version, date_obs, date_beg,
           date_end, polarization, crota, state, date_created)
         SELECT value->>0, value->>1, value->>2, value->>3, ?, value->>4, value->>4, value->>4, value->>5, value->>6,
           'created', ? FROM json_each(?) WHERE true
         ON CONFLICT (level, file_type, observatory, date_obs, file_version) DO NOTHING`,
      )
      .run(softwareVersion, now, payload);
    return { inserted: info.changes, duplicates: rows.length - info.changes };
  } catch (cause) {
    throw duplicateError(cause, 'ingestL0');
  }
}
