/**
 * The embedded search index that replaces Globus Search / Pilot for a site without it: one SQLite
 * file, a row per dataset (subject) with its whole record as JSON, typed rows per field for field
 * queries (number / string / boolean, arrays as several rows), and an FTS5 table for free text.
 *
 * Type registry: the first type a field is ingested with is its type (table search_types). The
 * seed's "spoiled keys" pain (Globus Search rejects a re-ingest whose field changed from number to
 * string) is resolved here, never by a failed ingest: a value of another type is converted when it
 * can be (a numeric string for a number field, anything for a string field: its text), otherwise it
 * is kept for text search only; each conflict is a warning naming the dataset, the field and both
 * types, and is counted in search_types.conflicts. NaN and infinities become 0, as the seed's
 * metadata cleaner does (Globus Search refuses NaN) — documented in docs/xpcs-flow.md.
 * Re-ingesting a subject replaces its rows in one transaction (update in place).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StagebookError } from '../errors/stagebook-error';
import { parseQuery, toSql } from './query';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS search_docs (subject TEXT PRIMARY KEY, record_json TEXT NOT NULL, ingested_at INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS search_fields (subject TEXT NOT NULL, key TEXT NOT NULL, pos INTEGER NOT NULL, num REAL, str TEXT, PRIMARY KEY (subject, key, pos)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS search_fields_num ON search_fields (key, num);
CREATE INDEX IF NOT EXISTS search_fields_str ON search_fields (key, str);
CREATE TABLE IF NOT EXISTS search_types (key TEXT PRIMARY KEY, type TEXT NOT NULL CHECK (type IN ('number','string','boolean')), conflicts INTEGER NOT NULL DEFAULT 0);
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(subject UNINDEXED, body);
`;

export type FieldType = 'number' | 'string' | 'boolean';
export type FieldValue = number | string | boolean | null | ReadonlyArray<number | string | boolean | null>;

export interface IngestWarning {
  subject: string;
  key: string;
  registered: FieldType;
  got: FieldType;
  /** What was stored: 'converted' (value coerced to the registered type) or 'text-only'. */
  resolution: 'converted' | 'text-only';
}

export interface SearchHit {
  subject: string;
  record: Record<string, unknown>;
}

export interface SearchOptions {
  limit?: number;
  /** Sort by a field (numeric fields numerically), e.g. 'exchange.tau_fit' or '-exchange.tau_fit' (descending). */
  sort?: string;
}

function typeOf(v: number | string | boolean): FieldType {
  return typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string';
}

/** The value of the registered type, or null when it cannot be converted. */
function convert(v: number | string | boolean, to: FieldType): number | string | boolean | null {
  if (to === 'string') return String(v);
  if (to === 'number') {
    if (typeof v === 'boolean') return v ? 1 : 0;
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(n) ? n : null;
  }
  if (typeof v === 'string' && (v === 'true' || v === 'false')) return v === 'true';
  if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
  return null;
}

export class SearchIndex {
  private readonly types = new Map<string, FieldType>();
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    for (const r of db.prepare('SELECT key, type FROM search_types').all() as { key: string; type: FieldType }[])
      this.types.set(r.key, r.type);
  }

  /** Opens (creating) the index file. */
  static open(file: string, now: () => number = Date.now): SearchIndex {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const db = new Database(file, { timeout: 10_000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
      return new SearchIndex(db, now);
    } catch (cause) {
      throw new StagebookError(
        'E_SEARCH_INDEX',
        `search index ${file}: ${(cause as Error).message}`,
        { file },
        { cause },
      );
    }
  }

  close(): void {
    this.db.close();
  }

  /** The registered type of each field. */
  fieldTypes(): Record<string, { type: FieldType; conflicts: number }> {
    const rows = this.db.prepare('SELECT key, type, conflicts FROM search_types ORDER BY key').all() as {
      key: string;
      type: FieldType;
      conflicts: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.key, { type: r.type, conflicts: r.conflicts }]));
  }

  /**
   * Ingests (or re-ingests, replacing) one dataset: `fields` are flat dotted keys (e.g. the output of
   * flattenXpcsMetadata) with scalar or array values; nested objects are flattened with dots.
   */
  ingest(subject: string, fields: Record<string, unknown>): { warnings: IngestWarning[]; fields: number } {
    return this.db.transaction(() => this.ingestOne(subject, fields)).immediate();
  }

  /** Ingests many datasets in one transaction (a crawl, a backfill): all or none. */
  ingestMany(records: Iterable<{ subject: string; fields: Record<string, unknown> }>): {
    warnings: IngestWarning[];
    datasets: number;
  } {
    return this.db
      .transaction(() => {
        const warnings: IngestWarning[] = [];
        let datasets = 0;
        for (const r of records) {
          warnings.push(...this.ingestOne(r.subject, r.fields).warnings);
          datasets++;
        }
        return { warnings, datasets };
      })
      .immediate();
  }

  private ingestOne(subject: string, fields: Record<string, unknown>): { warnings: IngestWarning[]; fields: number } {
    const flat = flatten(fields);
    const warnings: IngestWarning[] = [];
    const existing = this.stmt('SELECT rowid AS id, version FROM search_docs WHERE subject = ?').get(subject) as
      { id: number; version: number } | undefined;
    this.stmt('DELETE FROM search_fields WHERE subject = ?').run(subject);
    // The text row shares the document's rowid: re-ingest deletes it by rowid (an FTS5 column is
    // not indexed for equality, so deleting by subject would scan the whole text table).
    if (existing) this.stmt('DELETE FROM search_fts WHERE rowid = ?').run(existing.id);
    const insert = this.stmt('INSERT INTO search_fields (subject, key, pos, num, str) VALUES (?, ?, ?, ?, ?)');
    const text: string[] = [subject];
    for (const [key, values] of Object.entries(flat)) {
      text.push(key);
      values.forEach((raw, pos) => {
        const stored = this.typed(subject, key, raw, warnings);
        if (typeof raw === 'string') text.push(raw);
        if (stored === null) return;
        const isText = typeof stored === 'string';
        insert.run(subject, key, pos, isText ? null : Number(stored), isText ? stored : null);
      });
    }
    const record = JSON.stringify(
      Object.fromEntries(Object.entries(flat).map(([k, v]) => [k, v.length === 1 ? v[0] : v])),
    );
    let id: number;
    if (existing) {
      id = existing.id;
      this.stmt('UPDATE search_docs SET record_json = ?, ingested_at = ?, version = ? WHERE rowid = ?').run(
        record,
        this.now(),
        existing.version + 1,
        id,
      );
    } else {
      const r = this.stmt(
        'INSERT INTO search_docs (subject, record_json, ingested_at, version) VALUES (?, ?, ?, 1)',
      ).run(subject, record, this.now());
      id = Number(r.lastInsertRowid);
    }
    this.stmt('INSERT INTO search_fts (rowid, subject, body) VALUES (?, ?, ?)').run(id, subject, text.join(' '));
    return { warnings, fields: Object.keys(flat).length };
  }

  /** A prepared statement, compiled once per index (ingest runs thousands of them). */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  /** Registers a new field's type, or converts a conflicting value (recording the warning). */
  private typed(
    subject: string,
    key: string,
    v: number | string | boolean,
    warnings: IngestWarning[],
  ): number | string | boolean | null {
    const got = typeOf(v);
    const registered = this.types.get(key);
    if (registered === undefined) {
      this.stmt('INSERT INTO search_types (key, type) VALUES (?, ?)').run(key, got);
      this.types.set(key, got);
      return v;
    }
    if (registered === got) return v;
    const converted = convert(v, registered);
    warnings.push({ subject, key, registered, got, resolution: converted === null ? 'text-only' : 'converted' });
    this.stmt('UPDATE search_types SET conflicts = conflicts + 1 WHERE key = ?').run(key);
    return converted;
  }

  /** Runs a query (see search/query.ts); hits with their records. */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const { sql, params } = toSql(parseQuery(query));
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1)
      throw new StagebookError('E_INVALID_ARGUMENT', `search: limit must be a positive integer (got ${limit})`, {
        field: 'limit',
      });
    let order = 'd.subject';
    const sortParams: unknown[] = [];
    if (options.sort) {
      const desc = options.sort.startsWith('-');
      const key = desc ? options.sort.slice(1) : options.sort;
      order = `(SELECT COALESCE(num, str) FROM search_fields f WHERE f.subject = d.subject AND f.key = ? AND f.pos = 0) IS NULL, (SELECT COALESCE(num, str) FROM search_fields f WHERE f.subject = d.subject AND f.key = ? AND f.pos = 0) ${desc ? 'DESC' : 'ASC'}, d.subject`;
      sortParams.push(key, key);
    }
    const rows = this.db
      .prepare(`SELECT d.subject, d.record_json FROM search_docs d WHERE ${sql} ORDER BY ${order} LIMIT ?`)
      .all(...params, ...sortParams, limit) as { subject: string; record_json: string }[];
    return rows.map((r) => ({ subject: r.subject, record: JSON.parse(r.record_json) as Record<string, unknown> }));
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM search_docs').get() as { n: number }).n;
  }
}

/** Flat dotted keys -> scalar lists; NaN/inf -> 0 (see the module comment); null dropped. */
export function flatten(
  input: Record<string, unknown>,
  prefix = '',
  out: Record<string, Array<number | string | boolean>> = {},
): Record<string, Array<number | string | boolean>> {
  for (const [k, v] of Object.entries(input)) {
    const key = prefix ? `${prefix}.${k}` : k;
    const list = Array.isArray(v) || ArrayBuffer.isView(v) ? Array.from(v as ArrayLike<unknown>) : [v];
    if (list.length === 1 && list[0] !== null && typeof list[0] === 'object' && !Array.isArray(list[0])) {
      flatten(list[0] as Record<string, unknown>, key, out);
      continue;
    }
    const scalars: Array<number | string | boolean> = [];
    for (const e of list.flat(Infinity)) {
      if (e === null || e === undefined) continue;
      if (typeof e === 'number') scalars.push(Number.isFinite(e) ? e : 0);
      else if (typeof e === 'string' || typeof e === 'boolean') scalars.push(e);
      else if (typeof e === 'bigint') scalars.push(Number(e));
      else scalars.push(JSON.stringify(e));
    }
    if (scalars.length > 0) out[key] = scalars;
  }
  return out;
}
