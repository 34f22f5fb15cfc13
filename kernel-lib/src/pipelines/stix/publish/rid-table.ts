/**
 * The RID table (STIXCore `io/RidLutManager.py`): `rid_lut.csv` with the columns
 * `_id, unique_id, start_utc, duration, type, subject, purpose, scaling_factor, ior_id, comment`, one row
 * per BSD request, read from the STIX data center's request-information API
 * `{url}{YYYYMMDD}/{YYYYMMDD + 30 d}` in 30-day slices from 2019-01-01 (or from the newest `start_utc`
 * already in the file) up to today, at 2 requests per second (the API is throttled; STIXCore slept
 * 0.5 s between calls, here the downloader's per-host rate limit spaces the request starts).
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Downloader } from '../../../acquisition/downloader';
import { StagebookError } from '../../../errors/stagebook-error';

export const RID_COLUMNS = [
  '_id',
  'unique_id',
  'start_utc',
  'duration',
  'type',
  'subject',
  'purpose',
  'scaling_factor',
  'ior_id',
  'comment',
] as const;
export type RidRow = Record<(typeof RID_COLUMNS)[number], string>;

/** Splits CSV text (RFC 4180: `"` quotes, `""` inside quotes) into records of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') ((field += '"'), i++);
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') (row.push(field), (field = ''));
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Parses a RID table (file or API slice); E_STIX_RID_TABLE names the source and line. */
export function parseRidCsv(text: string, source: string): RidRow[] {
  const records = parseCsv(text);
  if (records.length === 0) return [];
  const header = records[0].map((h) => h.trim());
  const idx = RID_COLUMNS.map((c) => header.indexOf(c));
  const missing = RID_COLUMNS.filter((_, i) => idx[i] < 0);
  if (missing.length > 0)
    throw new StagebookError('E_STIX_RID_TABLE', `${source}: line 1: missing column(s) ${missing.join(', ')}`, {
      where: 'parseRidCsv',
      file: source,
    });
  return records.slice(1).map((r, i) => {
    if (r.length !== header.length)
      throw new StagebookError(
        'E_STIX_RID_TABLE',
        `${source}: line ${i + 2}: ${r.length} fields, the header has ${header.length}`,
        { where: 'parseRidCsv', file: source },
      );
    const row = Object.fromEntries(RID_COLUMNS.map((c, k) => [c, r[idx[k]]])) as RidRow;
    if (!/^\d+$/.test(row.unique_id))
      throw new StagebookError(
        'E_STIX_RID_TABLE',
        `${source}: line ${i + 2}: unique_id ${row.unique_id} is not an integer`,
        {
          where: 'parseRidCsv',
          file: source,
        },
      );
    return row;
  });
}

/** The table as CSV text (header first, rows sorted by unique_id). */
export function formatRidCsv(rows: readonly RidRow[]): string {
  const lines = [RID_COLUMNS.join(',')];
  for (const r of rows) lines.push(RID_COLUMNS.map((c) => csvField(r[c] ?? '')).join(','));
  return lines.join('\n') + '\n';
}

/** Loaded RID table with lookups by request id (`unique_id`, STIXCore `rid_lut.add_index("unique_id")`). */
export class RidTable {
  private readonly byId = new Map<number, RidRow[]>();

  constructor(readonly rows: readonly RidRow[]) {
    for (const r of rows) {
      const id = Number(r.unique_id);
      this.byId.set(id, [...(this.byId.get(id) ?? []), r]);
    }
  }

  static read(file: string): RidTable {
    if (!existsSync(file)) return new RidTable([]);
    return new RidTable(parseRidCsv(readFileSync(file, 'utf8'), file));
  }

  get size(): number {
    return this.rows.length;
  }

  /**
   * STIXCore `get_reason`: the request's `subject, purpose, comment` joined by ", " (several rows
   * joined by " "); undefined for an unknown request id (STIXCore raised KeyError there, caught by
   * its caller, so no comment was added: the same outcome).
   */
  reason(rid: number): string | undefined {
    const rows = this.byId.get(rid);
    if (!rows) return undefined;
    return rows.map((r) => [r.subject, r.purpose, r.comment].join(', ')).join(' ');
  }
}

const DAY_MS = 86_400_000;
const STIX_START = Date.UTC(2019, 0, 1);

function ymd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

/** The 30-day slices from the newest `start_utc` in `rows` (or 2019-01-01) until `today`. */
export function ridSlices(rows: readonly RidRow[], today: Date): Array<{ from: string; to: string }> {
  let last = STIX_START;
  for (const r of rows) {
    const t = Date.parse(r.start_utc.endsWith('Z') ? r.start_utc : `${r.start_utc}Z`);
    if (Number.isFinite(t) && t > last) last = t;
  }
  let at = Date.UTC(new Date(last).getUTCFullYear(), new Date(last).getUTCMonth(), new Date(last).getUTCDate());
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const slices: Array<{ from: string; to: string }> = [];
  while (at < end) {
    slices.push({ from: ymd(at), to: ymd(at + 30 * DAY_MS) });
    at += 30 * DAY_MS;
  }
  return slices;
}

/** Options of `updateRidTable`. */
export interface RidUpdateOptions {
  /** API base, e.g. `https://datacenter.stix.i4ds.net/api/bsd/info/` (slices appended). */
  url: string;
  /** "Today" (injected clock; default now). */
  today?: Date;
  /** Requests started per second (the API's throttle: 2). */
  requestsPerSecond?: number;
}

/**
 * Updates (or creates) the RID table file: fetches the slices, keeps one row per distinct record
 * (astropy `unique`), writes the file atomically. A failed slice fails the update and leaves the
 * file as it was (STIXCore logged "RID API ERROR" and wrote what it had, silently missing months).
 */
export async function updateRidTable(
  file: string,
  o: RidUpdateOptions,
): Promise<{ slices: number; added: number; total: number }> {
  const before = RidTable.read(file).rows;
  const slices = ridSlices(before, o.today ?? new Date());
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'sb-rid-'));
  const base = o.url.endsWith('/') ? o.url : `${o.url}/`;
  const d = new Downloader({
    cacheDir,
    policy: { requestsPerSecondPerHost: o.requestsPerSecond ?? 2, maxPerHost: 1, maxConnections: 1 },
  });
  try {
    const items = slices.map((s) => ({ url: `${base}${s.from}/${s.to}` }));
    const r = await d.fetchAll(items);
    if (r.failed.length > 0)
      throw new StagebookError(
        'E_STIX_RID_TABLE',
        `RID table update: ${r.failed.length} slice(s) failed, first ${r.failed[0].item.url}: ${r.failed[0].message}`,
        { where: 'updateRidTable', file },
      );
    const byUrl = new Map(r.ok.map((f) => [f.item.url, f.path]));
    const seen = new Set(before.map((row) => JSON.stringify(row)));
    const rows = [...before];
    for (const it of items) {
      for (const row of parseRidCsv(readFileSync(byUrl.get(it.url) as string, 'utf8'), it.url)) {
        const key = JSON.stringify(row);
        if (!seen.has(key)) (seen.add(key), rows.push(row));
      }
    }
    rows.sort((a, b) => Number(a.unique_id) - Number(b.unique_id) || a._id.localeCompare(b._id));
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileSync(`${file}.tmp`, formatRidCsv(rows));
    renameSync(`${file}.tmp`, file);
    return { slices: slices.length, added: rows.length - before.length, total: rows.length };
  } finally {
    await d.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
