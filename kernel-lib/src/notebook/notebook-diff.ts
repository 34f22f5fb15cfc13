/**
 * `stagebook notebook diff A.ipynb B.ipynb`: two run records side by side (parameters, versions, inputs,
 * per-cell outputs and timings, products), in the terminal and as one self-contained HTML page; e.g. two
 * reprocessing runs of one event. Outputs compare with reproduce's rules (repro-policy.ts, compare-outputs.ts).
 */
import path from 'node:path';
import type { CompareContext } from './compare-outputs';
import { compareCells, compareProducts, worstOf, type CellComparison, type ProductComparison } from './compare-runs';
import { recordSubstitutions } from './record-files';
import { readRecordNotebook } from './record-schema';
import { resolveReproPolicy, type ReproPolicy } from './repro-policy';
import type { RunRecord } from './run-record';

/** One named value on each side. */
export interface DiffRow {
  name: string;
  a?: string;
  b?: string;
  same: boolean;
  /** Output locations differ between any two runs: shown, never a difference. */
  location?: boolean;
}

export interface NotebookDiff {
  a: string;
  b: string;
  status: { a: string; b: string };
  durationMs: { a?: number; b?: number };
  parameters: DiffRow[];
  versions: DiffRow[];
  inputs: DiffRow[];
  cells: CellComparison[];
  products: ProductComparison[];
  /** No difference beyond the tolerance (locations and volatile fields aside). */
  identical: boolean;
  rtol: number;
}

function rows(a: Record<string, unknown>, b: Record<string, unknown>, locations: readonly string[] = []): DiffRow[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().map((name) => {
    const x = a[name] === undefined ? undefined : JSON.stringify(a[name]);
    const y = b[name] === undefined ? undefined : JSON.stringify(b[name]);
    return { name, a: x, b: y, same: x === y, ...(locations.includes(name) ? { location: true } : {}) };
  });
}

function paths(r: RunRecord): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [...recordSubstitutions(r)];
  const params = { ...r.parameters.defaults, ...r.parameters.injected };
  for (const name of Object.keys(r.products_root ?? {})) {
    if (typeof params[name] === 'string') out.push([params[name] as string, '<outDir>']);
  }
  return out;
}

/** Compares two executed notebooks. */
export function diffNotebooks(
  aFile: string,
  bFile: string,
  tolerance: { rtol?: number; atol?: number } = {},
): NotebookDiff {
  const policy: ReproPolicy = resolveReproPolicy(tolerance);
  const A = readRecordNotebook(aFile);
  const B = readRecordNotebook(bFile);
  const ctx: CompareContext = { policy, expectedPaths: paths(A.record), actualPaths: paths(B.record) };
  const params = (r: RunRecord): Record<string, unknown> => ({ ...r.parameters.defaults, ...r.parameters.injected });
  const inputs = (r: RunRecord): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(r.input_files ?? {}).map(([k, f]) => [k, `${f.path} sha256:${f.sha256.slice(0, 16)}`]),
    );
  const d: NotebookDiff = {
    a: path.resolve(aFile),
    b: path.resolve(bFile),
    status: { a: A.record.status, b: B.record.status },
    durationMs: { a: A.record.duration_ms, b: B.record.duration_ms },
    parameters: rows(params(A.record), params(B.record), policy.outputParameters),
    versions: rows(A.record.versions, B.record.versions),
    inputs: rows(inputs(A.record), inputs(B.record)),
    cells: compareCells(A.nb, B.nb, ctx),
    products: compareProducts(A.record, B.record, ctx),
    identical: false,
    rtol: policy.rtol,
  };
  const rowDiff = [...d.parameters, ...d.versions, ...d.inputs].some((r) => !r.same && !r.location);
  d.identical = !rowDiff && d.status.a === d.status.b && worstOf([...d.cells, ...d.products]) !== 'differs';
  return d;
}

function ms(v: number | undefined): string {
  return v === undefined ? '-' : v < 1000 ? `${v} ms` : `${(v / 1000).toFixed(2)} s`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? `${s.slice(0, n - 1)}…` : s.padEnd(n);
}

function rowLines(title: string, rs: DiffRow[]): string[] {
  const lines = [`${title}:`];
  for (const r of rs) {
    const mark = r.same ? ' ' : r.location ? '~' : '!';
    lines.push(`${mark} ${pad(r.name, 22)} ${pad(r.a ?? '(unset)', 40)} ${pad(r.b ?? '(unset)', 40)}`);
  }
  return lines;
}

/** Terminal text: `!` marks a difference, `~` a location that differs by nature. */
export function diffText(d: NotebookDiff): string {
  const out = [
    `A: ${d.a}  (${d.status.a}, ${ms(d.durationMs.a)})`,
    `B: ${d.b}  (${d.status.b}, ${ms(d.durationMs.b)})`,
    ...rowLines('parameters', d.parameters),
    ...rowLines('versions', d.versions),
    ...rowLines('inputs', d.inputs),
    'cells:                                                   time A      time B',
  ];
  for (const c of d.cells) {
    const mark = c.agreement === 'same' ? ' ' : c.agreement === 'close' ? '≈' : '!';
    out.push(
      `${mark} ${String(c.ordinal).padStart(3)} ${pad(c.head, 50)} ${ms(c.durationMs.expected).padStart(10)}  ${ms(c.durationMs.actual).padStart(10)}`,
    );
    for (const x of c.differences) out.push(`        ${x.where}: A ${x.expected} | B ${x.actual}`);
  }
  const changed = d.products.filter((p) => p.agreement === 'differs');
  out.push(`products: ${d.products.length} files, ${changed.length} differ`);
  for (const p of changed)
    out.push(
      `! ${p.parameter}/${p.file}: ${p.expected?.slice(0, 12) ?? '(none)'} | ${p.actual?.slice(0, 12) ?? '(none)'}`,
    );
  out.push(d.identical ? `no differences (rtol ${d.rtol})` : `the runs differ (rtol ${d.rtol})`);
  return out.join('\n') + '\n';
}

function h(s: string | undefined): string {
  return (s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

function htmlRows(title: string, rs: DiffRow[]): string {
  const body = rs
    .map(
      (r) =>
        `<tr class="${r.same ? 'same' : r.location ? 'loc' : 'diff'}"><td>${h(r.name)}</td><td>${h(r.a)}</td><td>${h(r.b)}</td></tr>`,
    )
    .join('');
  return `<h2>${h(title)}</h2><table><tr><th>name</th><th>A</th><th>B</th></tr>${body}</table>`;
}

/** One self-contained HTML page (no scripts): differing rows highlighted. */
export function diffHtml(d: NotebookDiff): string {
  const cells = d.cells
    .map((c) => {
      const diffs = c.differences
        .map((x) => `<li>${h(x.where)}: A <code>${h(x.expected)}</code> B <code>${h(x.actual)}</code></li>`)
        .join('');
      return `<tr class="${c.agreement === 'same' ? 'same' : c.agreement === 'close' ? 'close' : 'diff'}"><td>${c.ordinal}</td><td><code>${h(c.head)}</code>${diffs ? `<ul>${diffs}</ul>` : ''}</td><td>${h(c.status.expected)}</td><td>${h(c.status.actual)}</td><td>${ms(c.durationMs.expected)}</td><td>${ms(c.durationMs.actual)}</td></tr>`;
    })
    .join('');
  const products = d.products
    .map(
      (p) =>
        `<tr class="${p.agreement === 'same' ? 'same' : 'diff'}"><td>${h(`${p.parameter}/${p.file}`)}</td><td>${h(p.expected?.slice(0, 16))}</td><td>${h(p.actual?.slice(0, 16))}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>stagebook notebook diff</title><style>
body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}
tr.diff{background:#fdd}tr.close{background:#ffd}tr.loc{color:#777}code{font-size:12px}</style></head><body>
<h1>${d.identical ? 'No differences' : 'The runs differ'} (rtol ${d.rtol})</h1>
<p>A: <code>${h(d.a)}</code> (${h(d.status.a)}, ${ms(d.durationMs.a)})<br>B: <code>${h(d.b)}</code> (${h(d.status.b)}, ${ms(d.durationMs.b)})</p>
${htmlRows('Parameters', d.parameters)}${htmlRows('Versions', d.versions)}${htmlRows('Inputs', d.inputs)}
<h2>Cells</h2><table><tr><th>#</th><th>cell and differences</th><th>status A</th><th>status B</th><th>time A</th><th>time B</th></tr>${cells}</table>
<h2>Products</h2><table><tr><th>file</th><th>sha256 A</th><th>sha256 B</th></tr>${products}</table>
</body></html>
`;
}
