/**
 * The SCOS-2000 MIB tables (ESA EGOS-MCS-S2K-ICD-0001) that drive telemetry decoding, stored as
 * SQLite tables with the MIB column names, as STIX's own IDB is (`stixcore/idb/idb.py` queries
 * `PID`, `PLF`, `PCF`, `CUR`, `CAF`, `CAP`, `TXF`, `TXP`, `VPD` in an SQLite file). Only the columns
 * the decoder reads are required; `createMibDatabase` writes an IDB from rows (the simulator's IDB).
 */
import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync } from 'node:fs';

/** Column lists per MIB table (the subset stagebook reads; extra columns in a real IDB are fine). */
export const MIB_COLUMNS = {
  PID: [
    'PID_TYPE',
    'PID_STYPE',
    'PID_APID',
    'PID_PI1_VAL',
    'PID_PI2_VAL',
    'PID_SPID',
    'PID_DESCR',
    'PID_TPSD',
    'PID_DFHSIZE',
  ],
  PIC: ['PIC_TYPE', 'PIC_STYPE', 'PIC_PI1_OFF', 'PIC_PI1_WID', 'PIC_PI2_OFF', 'PIC_PI2_WID'],
  PLF: ['PLF_NAME', 'PLF_SPID', 'PLF_OFFBY', 'PLF_OFFBI', 'PLF_NBOCC'],
  PCF: ['PCF_NAME', 'PCF_DESCR', 'PCF_UNIT', 'PCF_PTC', 'PCF_PFC', 'PCF_CATEG', 'PCF_NATUR', 'PCF_CURTX'],
  CUR: ['CUR_PNAME', 'CUR_POS', 'CUR_RLCHK', 'CUR_VALPAR', 'CUR_SELECT'],
  CAF: ['CAF_NUMBR', 'CAF_DESCR', 'CAF_ENGFMT', 'CAF_RAWFMT', 'CAF_RADIX', 'CAF_UNIT', 'CAF_NCURVE', 'CAF_INTER'],
  CAP: ['CAP_NUMBR', 'CAP_XVALS', 'CAP_YVALS'],
  TXF: ['TXF_NUMBR', 'TXF_DESCR', 'TXF_RAWFMT', 'TXF_NALIAS'],
  TXP: ['TXP_NUMBR', 'TXP_FROM', 'TXP_TO', 'TXP_ALTXT'],
  VPD: ['VPD_TPSD', 'VPD_POS', 'VPD_NAME', 'VPD_GRPSIZE', 'VPD_FIXREP', 'VPD_CHOICE', 'VPD_PIDREF', 'VPD_OFFSET'],
} as const;

export type MibTable = keyof typeof MIB_COLUMNS;
export type MibRow = Record<string, string | number | null>;
export type MibRows = Partial<Record<MibTable, MibRow[]>>;

/** Writes an IDB SQLite file from rows (atomic: temp + rename). `version` goes to an IDB_VERSION table. */
export function createMibDatabase(file: string, rows: MibRows, version: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const db = new Database(tmp);
  try {
    db.exec('CREATE TABLE IDB_VERSION (VERSION TEXT NOT NULL)');
    db.prepare('INSERT INTO IDB_VERSION VALUES (?)').run(version);
    for (const [table, cols] of Object.entries(MIB_COLUMNS)) {
      db.exec(`CREATE TABLE ${table} (${cols.map((c) => `${c}`).join(', ')})`);
      const ins = db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
      const insertAll = db.transaction((list: MibRow[]) => {
        for (const r of list) ins.run(...cols.map((c) => r[c] ?? null));
      });
      insertAll(rows[table as MibTable] ?? []);
    }
  } finally {
    db.close();
  }
  if (existsSync(file)) rmSync(file);
  renameSync(tmp, file);
}
