/**
 * Compares the outputs of one cell in two runs (issue 21): text and tables exactly after the volatile
 * substitutions of repro-policy.ts, every number within `atol + rtol * max(|a|, |b|)` (numpy.isclose's rule,
 * made symmetric), Vega-Lite plots by their data and encoding, progress by stage names and states.
 */
import { COMPARED_MIME_ORDER, normaliseText, VEGA_LITE_COMPARED_KEYS, type ReproPolicy } from './repro-policy';
import type { NotebookOutput } from './nbformat';

/** `same`: identical after normalisation; `close`: only numbers differ, within the tolerance. */
export type Agreement = 'same' | 'close' | 'differs';

/** One difference, located inside the cell's outputs. */
export interface OutputDifference {
  /** e.g. `output 2 (text/plain)`, `output 3 (vega-lite).data.values[4].tau`. */
  where: string;
  expected: string;
  actual: string;
  /** For numbers: the largest relative difference seen. */
  relDiff?: number;
}

/** What the comparison needs besides the outputs: the tolerance and the paths to normalise on each side. */
export interface CompareContext {
  policy: ReproPolicy;
  /** Substrings of the recorded side replaced before comparing (output dirs, input paths), with their placeholder. */
  expectedPaths: ReadonlyArray<readonly [string, string]>;
  actualPaths: ReadonlyArray<readonly [string, string]>;
}

interface Acc {
  agreement: Agreement;
  differences: OutputDifference[];
}

const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|NaN|-?Infinity/g;
/** Differences listed per cell at most; the verdict counts them all. */
const MAX_LISTED = 20;

function worsen(acc: Acc, a: Agreement): void {
  if (a === 'differs' || (a === 'close' && acc.agreement === 'same')) acc.agreement = a;
}

function differ(acc: Acc, d: OutputDifference): void {
  worsen(acc, 'differs');
  if (acc.differences.length < MAX_LISTED) acc.differences.push(d);
}

/** Relative difference of two numbers (0 when equal, Infinity when one is NaN and the other not). */
export function relativeDifference(a: number, b: number): number {
  if (Object.is(a, b) || a === b) return 0;
  if (Number.isNaN(a) || Number.isNaN(b) || !Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

function numbersAgree(a: number, b: number, policy: ReproPolicy): Agreement {
  if (Object.is(a, b) || a === b) return 'same';
  if (!Number.isFinite(a) || !Number.isFinite(b)) return 'differs';
  return Math.abs(a - b) <= policy.atol + policy.rtol * Math.max(Math.abs(a), Math.abs(b)) ? 'close' : 'differs';
}

function replacePaths(text: string, paths: ReadonlyArray<readonly [string, string]>): string {
  let t = text;
  for (const [from, to] of [...paths].filter(([f]) => f.length > 1).sort((x, y) => y[0].length - x[0].length))
    t = t.split(from).join(to);
  return t;
}

/** Compares two texts: the non-numeric parts exactly, the numbers within the tolerance. */
function compareText(where: string, e: string, a: string, ctx: CompareContext, acc: Acc): void {
  const ne = normaliseText(replacePaths(e, ctx.expectedPaths), ctx.policy);
  const na = normaliseText(replacePaths(a, ctx.actualPaths), ctx.policy);
  if (ne === na) return;
  const pe = ne.split(NUMBER);
  const pa = na.split(NUMBER);
  const xe = ne.match(NUMBER) ?? [];
  const xa = na.match(NUMBER) ?? [];
  if (pe.length !== pa.length || pe.some((p, i) => p !== pa[i]) || xe.length !== xa.length) {
    differ(acc, { where, ...firstLineDiff(ne, na) });
    return;
  }
  let worst = 0;
  let verdict: Agreement = 'same';
  let first: OutputDifference | undefined;
  for (let i = 0; i < xe.length; i++) {
    if (xe[i] === xa[i]) continue;
    const [x, y] = [Number(xe[i]), Number(xa[i])];
    const agree = numbersAgree(x, y, ctx.policy);
    const rel = relativeDifference(x, y);
    worst = Math.max(worst, rel);
    if (agree === 'differs' && verdict !== 'differs') {
      verdict = 'differs';
      const line = firstLineDiff(ne, na);
      first = {
        where: `${where}, number ${i + 1} (${xe[i]} -> ${xa[i]})`,
        expected: line.expected,
        actual: line.actual,
      };
    } else if (agree === 'close' && verdict === 'same') verdict = 'close';
  }
  if (verdict === 'differs' && first) differ(acc, { ...first, relDiff: worst });
  else worsen(acc, verdict);
}

/** The first differing line of two texts (what a reader needs to find the change). */
function firstLineDiff(e: string, a: string): { expected: string; actual: string } {
  const le = e.split('\n');
  const la = a.split('\n');
  for (let i = 0; i < Math.max(le.length, la.length); i++) {
    if (le[i] !== la[i]) return { expected: clip(le[i] ?? '(no line)'), actual: clip(la[i] ?? '(no line)') };
  }
  return { expected: clip(e), actual: clip(a) };
}

function clip(s: string, n = 240): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** Compares JSON values: numbers within tolerance, strings as text, structure exactly. */
function compareJson(where: string, e: unknown, a: unknown, ctx: CompareContext, acc: Acc): void {
  if (typeof e === 'number' && typeof a === 'number') {
    const agree = numbersAgree(e, a, ctx.policy);
    if (agree === 'differs')
      differ(acc, { where, expected: String(e), actual: String(a), relDiff: relativeDifference(e, a) });
    else worsen(acc, agree);
  } else if (typeof e === 'string' && typeof a === 'string') {
    compareText(where, e, a, ctx, acc);
  } else if (Array.isArray(e) && Array.isArray(a)) {
    if (e.length !== a.length)
      differ(acc, { where: `${where}.length`, expected: String(e.length), actual: String(a.length) });
    else e.forEach((x, i) => compareJson(`${where}[${i}]`, x, a[i], ctx, acc));
  } else if (isObject(e) && isObject(a)) {
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
    for (const k of keys) {
      if (!(k in e) || !(k in a))
        differ(acc, {
          where: `${where}.${k}`,
          expected: k in e ? 'present' : 'absent',
          actual: k in a ? 'present' : 'absent',
        });
      else compareJson(`${where}.${k}`, e[k], a[k], ctx, acc);
    }
  } else if (e !== a) {
    differ(acc, {
      where,
      expected: clip(JSON.stringify(e) ?? 'undefined'),
      actual: clip(JSON.stringify(a) ?? 'undefined'),
    });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The meaningful part of a Vega-Lite spec (data, encoding, marks, transforms); titles, sizes and config dropped. */
export function vegaLiteEssence(spec: unknown): unknown {
  if (Array.isArray(spec)) return spec.map(vegaLiteEssence);
  if (!isObject(spec)) return spec;
  const out: Record<string, unknown> = {};
  for (const k of VEGA_LITE_COMPARED_KEYS) if (k in spec) out[k] = essenceOf(k, spec[k]);
  return out;
}

function essenceOf(key: string, v: unknown): unknown {
  // nested views (layer, concat, facet's spec) are specs themselves; data and encoding are kept whole
  if (['layer', 'hconcat', 'vconcat', 'concat', 'spec'].includes(key)) return vegaLiteEssence(v);
  if (key === 'encoding' && isObject(v)) return stripTitles(v);
  return v;
}

/** Encoding channels without their human titles and legends (wording, not data). */
function stripTitles(enc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [ch, def] of Object.entries(enc)) {
    if (!isObject(def)) {
      out[ch] = def;
      continue;
    }
    const { title: _t, legend: _l, axis: _a, ...rest } = def;
    out[ch] = rest;
  }
  return out;
}

/** A progress payload reduced to what a re-run must repeat: stage names, states, counts, outcome. */
function progressEssence(p: unknown): unknown {
  if (!isObject(p)) return p;
  const stages = Array.isArray(p.stages) ? p.stages : [];
  return {
    pipeline: p.pipeline,
    state: p.state,
    outcome: p.outcome,
    stages: stages.map((s) => (isObject(s) ? { name: s.name, state: s.state, n: s.n, total: s.total } : s)),
  };
}

/** The value compared for one output, and its label. */
function comparable(o: NotebookOutput): { label: string; kind: 'text' | 'json'; value: unknown } {
  if (o.output_type === 'stream') return { label: String(o.name), kind: 'text', value: String(o.text ?? '') };
  if (o.output_type === 'error')
    return { label: 'error', kind: 'text', value: `${String(o.ename)}: ${String(o.evalue)}` };
  const data = (o.data ?? {}) as Record<string, unknown>;
  const mime = COMPARED_MIME_ORDER.find((m) => m in data) ?? Object.keys(data).sort()[0];
  const v = data[mime];
  if (mime?.startsWith('application/vnd.vegalite'))
    return { label: 'vega-lite', kind: 'json', value: vegaLiteEssence(v) };
  if (mime === 'application/vnd.stagebook.progress.v1+json')
    return { label: 'progress', kind: 'json', value: progressEssence(v) };
  if (mime === 'application/vnd.stagebook.error.v1+json' && isObject(v))
    return { label: 'error display', kind: 'json', value: { code: v.code, message: v.message } };
  const text = Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : JSON.stringify(v);
  return { label: mime ?? 'empty', kind: 'text', value: text };
}

/** Compares the outputs of one cell, recorded (`expected`) against re-run (`actual`). */
export function compareOutputs(
  expected: readonly NotebookOutput[],
  actual: readonly NotebookOutput[],
  ctx: CompareContext,
): { agreement: Agreement; differences: OutputDifference[] } {
  const acc: Acc = { agreement: 'same', differences: [] };
  const e = expected.map(comparable);
  const a = actual.map(comparable);
  if (e.length !== a.length) {
    differ(acc, {
      where: 'outputs',
      expected: `${e.length} outputs (${e.map((x) => x.label).join(', ')})`,
      actual: `${a.length} outputs (${a.map((x) => x.label).join(', ')})`,
    });
  }
  for (let i = 0; i < Math.min(e.length, a.length); i++) {
    const where = `output ${i + 1} (${e[i].label})`;
    if (e[i].label !== a[i].label) differ(acc, { where: `output ${i + 1}`, expected: e[i].label, actual: a[i].label });
    else if (e[i].kind === 'text') compareText(where, String(e[i].value), String(a[i].value), ctx, acc);
    else compareJson(where, e[i].value, a[i].value, ctx, acc);
  }
  return acc;
}

/** Compares two JSON-able values with the same rules (parameters, product texts). */
export function compareValues(
  where: string,
  expected: unknown,
  actual: unknown,
  ctx: CompareContext,
): { agreement: Agreement; differences: OutputDifference[] } {
  const acc: Acc = { agreement: 'same', differences: [] };
  compareJson(where, expected, actual, ctx, acc);
  return acc;
}
