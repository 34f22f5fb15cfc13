/**
 * Plain-text tables for the terminal (headers, aligned columns), shared by `status`, `ledger query`
 * and `pipelines`; durations and sizes come from display/format.ts.
 */
export { formatBytes, formatDuration } from '../display/format';

/**
 * A table with a header row and a rule; columns named in `right` are right-aligned (numbers,
 * durations). `indent` prefixes every line.
 */
export function textTable(
  headers: string[],
  rows: string[][],
  options: { right?: string[]; indent?: string } = {},
): string {
  const right = new Set(options.right ?? []);
  const widths = headers.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const cell = (v: string, j: number): string => (right.has(headers[j]) ? v.padStart(widths[j]) : v.padEnd(widths[j]));
  const line = (cells: string[]): string => `${options.indent ?? ''}${cells.map(cell).join('  ').trimEnd()}`;
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}
