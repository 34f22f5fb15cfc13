/**
 * Rich tables: an HTML table with a text/plain twin in one bundle (classic notebook, JupyterLab and
 * GitHub show the HTML; terminals, `nbconvert --to markdown` and diffs read the text). Row limits
 * follow pandas' display.max_rows idea: head and tail with an ellipsis row.
 */
import { invalidArgument } from '../errors/stagebook-error';
import { escapeHtml, publish, type DisplayBundle } from './bundle';

/** Rows as objects, or columns as arrays (typed arrays allowed). */
export type TableInput = ReadonlyArray<Record<string, unknown>> | Record<string, ArrayLike<unknown>>;

export interface TableOptions {
  /** Column order/subset (default: keys in order of first appearance). */
  columns?: string[];
  /** Rows shown before eliding the middle (default 40). */
  maxRows?: number;
  /** Significant digits for non-integer numbers (default 6). */
  precision?: number;
  /** Caption above the table. */
  caption?: string;
  /** Units per column, shown in the header as `name (unit)`: physical quantities always carry one. */
  units?: Record<string, string>;
}

interface Normalized {
  columns: string[];
  rowCount: number;
  cell: (row: number, col: string) => unknown;
}

function normalize(input: TableInput, columns: string[] | undefined): Normalized {
  if (Array.isArray(input)) {
    const rows = input as ReadonlyArray<Record<string, unknown>>;
    const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r ?? {})))];
    return { columns: cols, rowCount: rows.length, cell: (i, c) => rows[i]?.[c] };
  }
  if (typeof input !== 'object' || input === null)
    invalidArgument('table', 'input', 'expected an array of row objects or an object of column arrays');
  const byCol = input as Record<string, ArrayLike<unknown>>;
  const cols = columns ?? Object.keys(byCol);
  const lengths = cols.map((c) => byCol[c]?.length ?? 0);
  if (new Set(lengths).size > 1)
    invalidArgument(
      'table',
      'input',
      `columns have different lengths (${cols.map((c, i) => `${c}=${lengths[i]}`).join(', ')})`,
    );
  return { columns: cols, rowCount: lengths[0] ?? 0, cell: (i, c) => byCol[c]?.[i] };
}

/**
 * Formats one value for reading: integers with thousands separators from 10 000 on (12,345),
 * other numbers to `precision` significant digits, in exponent form below 1e-3 and from 1e6 on
 * (1.23e-5, like pandas); NaN stays visible; strings unquoted; arrays as comma-separated items.
 */
export function formatValue(v: unknown, precision = 6): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v, precision);
  if (typeof v === 'bigint') return v.toLocaleString('en-US');
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v) || ArrayBuffer.isView(v))
    return Array.from(v as ArrayLike<unknown>, (x) => formatValue(x, precision)).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function formatNumber(v: number, precision: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e15) return a >= 10_000 ? v.toLocaleString('en-US') : String(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(Math.max(0, precision - 1)).replace(/\.?0+e/, 'e');
  const rounded = Number(v.toPrecision(precision));
  // grouped like the integers of the same column (15,462.5 next to 16,383)
  return a >= 10_000 ? rounded.toLocaleString('en-US', { maximumFractionDigits: 20 }) : String(rounded);
}

/** Row indices to show: all, or head + tail around a gap (-1 marks the ellipsis). */
function visibleRows(rowCount: number, maxRows: number): number[] {
  if (rowCount <= maxRows) return Array.from({ length: rowCount }, (_, i) => i);
  const head = Math.ceil(maxRows / 2);
  const tail = maxRows - head;
  return [
    ...Array.from({ length: head }, (_, i) => i),
    -1,
    ...Array.from({ length: tail }, (_, i) => rowCount - tail + i),
  ];
}

/** Builds the table bundle (text/html + text/plain) without publishing it. */
export function tableBundle(input: TableInput, options: TableOptions = {}): DisplayBundle {
  const maxRows = options.maxRows ?? 40;
  const precision = options.precision ?? 6;
  if (!Number.isInteger(maxRows) || maxRows < 2)
    invalidArgument('tableBundle', 'options.maxRows', `must be an integer >= 2, got ${maxRows}`);
  if (!Number.isInteger(precision) || precision < 1 || precision > 17)
    invalidArgument('tableBundle', 'options.precision', `must be an integer in 1..17, got ${precision}`);
  const t = normalize(input, options.columns);
  const header = t.columns.map((c) => (options.units?.[c] ? `${c} (${options.units[c]})` : c));
  const shown = visibleRows(t.rowCount, maxRows);
  const grid = shown.map((i) =>
    i < 0 ? t.columns.map(() => '…') : t.columns.map((c) => formatValue(t.cell(i, c), precision)),
  );
  const numeric = t.columns.map((c) =>
    shown.every((i) => i < 0 || typeof t.cell(i, c) === 'number' || t.cell(i, c) == null),
  );
  const footer = `${t.rowCount} rows × ${t.columns.length} columns`;
  return {
    data: {
      'text/html': toHtml(header, grid, numeric, footer, options.caption),
      'text/plain': toText(header, grid, numeric, footer, options.caption),
    },
    metadata: {},
  };
}

function toHtml(columns: string[], grid: string[][], numeric: boolean[], footer: string, caption?: string): string {
  const align = (j: number): string => (numeric[j] ? ' style="text-align:right"' : '');
  const head = columns.map((c, j) => `<th${align(j)}>${escapeHtml(c)}</th>`).join('');
  const body = grid
    .map((row) => `<tr>${row.map((v, j) => `<td${align(j)}>${escapeHtml(v)}</td>`).join('')}</tr>`)
    .join('\n');
  const cap = caption ? `<caption>${escapeHtml(caption)}</caption>` : '';
  return `<table class="stagebook-table">${cap}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>\n<p><small>${escapeHtml(footer)}</small></p>`;
}

function toText(columns: string[], grid: string[][], numeric: boolean[], footer: string, caption?: string): string {
  const widths = columns.map((c, j) => Math.max(c.length, ...grid.map((r) => r[j].length)));
  const pad = (s: string, j: number): string => (numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]));
  const line = (cells: string[]): string => cells.map(pad).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [...(caption ? [caption] : []), line(columns), rule, ...grid.map(line), `[${footer}]`].join('\n');
}

/** Shows a table in the notebook (returns the bundle instead when not inside tslab). */
export function showTable(input: TableInput, options: TableOptions = {}): DisplayBundle | undefined {
  return publish(tableBundle(input, options));
}
