/**
 * Step 16's HEK-style report written as CSV, JSON and a SQLite table (the catalogue: every working
 * directory's report concatenated). List columns (AR_num, HARPNUM, hpc_bbox_poly) and the
 * provenance objects are JSON text in CSV and SQLite.
 */
import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { StagebookError } from '../../errors/stagebook-error';
import type { ReportRow } from './flare-steps';

export const REPORT_COLUMNS = [
  'event_date',
  'peak_time',
  'goes_class',
  'AR_num',
  'hpc_x',
  'hpc_y',
  'hpc_bbox_poly',
  'id_team',
  'HARPNUM',
  'search_instrument',
  'final_cluster_label',
  'peak_flux',
  'working_dir',
  'run_id',
  'stage_versions',
  'params',
] as const satisfies readonly (keyof ReportRow)[];

function cell(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  return JSON.stringify(v);
}

function csvField(v: unknown): string {
  const c = cell(v);
  if (c === null) return '';
  const s = String(c);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with REPORT_COLUMNS. */
export function reportCsv(rows: ReportRow[]): string {
  const lines = [REPORT_COLUMNS.join(','), ...rows.map((r) => REPORT_COLUMNS.map((c) => csvField(r[c])).join(','))];
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the rows as table `table` of a new SQLite file at `file` (replaced if present). Stages pass
 * the temporary path of `ctx.output(...)`: the engine renames it when the stage succeeds, so a crash
 * leaves the previous catalogue.
 */
export function writeReportSqlite(file: string, rows: ReportRow[], table = 'alexis_catalogue'): void {
  rmSync(file, { force: true });
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    const db = new Database(file);
    try {
      const types: Record<string, string> = {
        hpc_x: 'REAL',
        hpc_y: 'REAL',
        peak_flux: 'REAL',
        final_cluster_label: 'INTEGER',
      };
      db.exec(`CREATE TABLE ${table} (${REPORT_COLUMNS.map((c) => `${c} ${types[c] ?? 'TEXT'}`).join(', ')})`);
      const ins = db.prepare(`INSERT INTO ${table} VALUES (${REPORT_COLUMNS.map((c) => `@${c}`).join(', ')})`);
      db.transaction(() => {
        for (const r of rows) ins.run(Object.fromEntries(REPORT_COLUMNS.map((c) => [c, cell(r[c])])));
      })();
    } finally {
      db.close();
    }
  } catch (cause) {
    rmSync(file, { force: true });
    throw new StagebookError(
      'E_WRITE_FAILED',
      `writeReportSqlite: cannot write ${file}: ${(cause as Error).message}`,
      { where: 'writeReportSqlite', file },
      { cause },
    );
  }
}
