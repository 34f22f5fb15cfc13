/**
 * Typed CSV tables (RFC 4180: comma separated, `"` quoting, CRLF or LF line ends). A table is an
 * ordered list of typed columns; rows are plain objects. The written text is what pandas' `to_csv`
 * / `read_csv` exchange: NaN and null are empty cells, booleans are `True`/`False`, numbers use
 * JavaScript's shortest round-trip form (so a value read back is bit-identical), and `json` columns
 * hold JSON text (lists such as bounding-box polygons). Reading checks the header against the
 * columns and every cell against its type, naming the file, line and column of the first bad cell.
 */
import { readFileSync } from 'node:fs';
import { StagebookError } from '../../errors/stagebook-error';
import { atomicWriteFile } from '../../workdirs/atomic';

/** Column kinds: `number` (empty -> NaN), `text` (empty -> null), `boolean` (True/False), `json`. */
export type CsvColumnKind = 'number' | 'text' | 'boolean' | 'json';

/** A table's columns, in file order. */
export type CsvColumns = Readonly<Record<string, CsvColumnKind>>;

/** A cell value as read. */
export type CsvValue = number | string | boolean | null | unknown;

function quote(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function formatCell(v: unknown, kind: CsvColumnKind): string {
  if (v === null || v === undefined) return '';
  if (kind === 'json') return quote(JSON.stringify(v));
  if (typeof v === 'number') return Number.isNaN(v) ? '' : String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return quote(String(v));
}

/** The CSV text of `rows` (header line first, LF line ends, trailing newline). */
export function formatCsv(columns: CsvColumns, rows: readonly Record<string, unknown>[]): string {
  const names = Object.keys(columns);
  const lines = [names.map(quote).join(',')];
  for (const r of rows) lines.push(names.map((n) => formatCell(r[n], columns[n])).join(','));
  return `${lines.join('\n')}\n`;
}

/** Splits CSV text into records of raw fields, with the 1-based line each record starts on. */
export function splitCsv(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      any = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      any = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (any || field !== '') {
        fields.push(field);
        out.push({ line: start, fields });
      }
      fields = [];
      field = '';
      any = false;
      line++;
      start = line;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || field !== '') {
    fields.push(field);
    out.push({ line: start, fields });
  }
  return out;
}

function bad(where: string, message: string, context: Record<string, unknown>): never {
  throw new StagebookError('E_FORMAT', `${where}: ${message}`, { where, ...context });
}

function parseCell(raw: string, kind: CsvColumnKind, at: () => string): CsvValue {
  switch (kind) {
    case 'number': {
      if (raw === '' || raw === 'nan' || raw === 'NaN') return NaN;
      const v = Number(raw);
      if (Number.isNaN(v) && raw !== 'NaN') throw new Error(`${at()}: ${JSON.stringify(raw)} is not a number`);
      return v;
    }
    case 'text':
      return raw === '' ? null : raw;
    case 'boolean':
      if (raw === 'True' || raw === 'true' || raw === '1') return true;
      if (raw === 'False' || raw === 'false' || raw === '0') return false;
      throw new Error(`${at()}: ${JSON.stringify(raw)} is not True/False`);
    case 'json':
      if (raw === '') return null;
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw new Error(`${at()}: not JSON: ${raw.slice(0, 60)}`);
      }
  }
}

/**
 * Parses CSV text with the given columns (the header must list exactly these columns, in any
 * order). `source` names the file in errors.
 * @throws StagebookError E_FORMAT naming source, line and column
 */
export function parseCsv(columns: CsvColumns, text: string, source = 'CSV'): Record<string, CsvValue>[] {
  const records = splitCsv(text);
  if (records.length === 0) bad(source, 'empty file (no header line)', { file: source, line: 1 });
  const header = records[0].fields;
  const names = Object.keys(columns);
  const missing = names.filter((n) => !header.includes(n));
  const extra = header.filter((h) => !(h in columns));
  if (missing.length > 0 || extra.length > 0)
    bad(
      source,
      `line 1: header ${missing.length ? `lacks ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `has unknown ${extra.join(', ')}` : ''}`,
      { file: source, line: 1, field: missing[0] ?? extra[0] },
    );
  const rows: Record<string, CsvValue>[] = [];
  for (const rec of records.slice(1)) {
    if (rec.fields.length !== header.length)
      bad(source, `line ${rec.line}: ${rec.fields.length} fields, header has ${header.length}`, {
        file: source,
        line: rec.line,
      });
    const row: Record<string, CsvValue> = {};
    header.forEach((name, i) => {
      try {
        row[name] = parseCell(rec.fields[i], columns[name], () => `line ${rec.line}, column ${name}`);
      } catch (e) {
        bad(source, (e as Error).message, { file: source, line: rec.line, field: name });
      }
    });
    rows.push(row);
  }
  return rows;
}

/** Reads a CSV file with the given columns (E_IO when unreadable, E_FORMAT when malformed). */
export function readCsvFile(columns: CsvColumns, file: string): Record<string, CsvValue>[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new StagebookError(
      'E_IO',
      `readCsvFile: cannot read ${file}: ${(cause as Error).message}`,
      { where: 'readCsvFile', file },
      { cause },
    );
  }
  return parseCsv(columns, text, file);
}

/** Writes rows as CSV atomically (temp + rename). */
export async function writeCsvFile(
  columns: CsvColumns,
  file: string,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  await atomicWriteFile(file, formatCsv(columns, rows));
}
