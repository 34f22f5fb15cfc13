/**
 * Notebook parameters, papermill-style (cell tagged `parameters`, an `injected-parameters` cell
 * inserted after it), adapted to TypeScript under tslab:
 *
 *   // cell tagged "parameters"
 *   import { z } from "zod";
 *   const paramsSchema = z.object({ threshold: z.number().min(0).describe("detection threshold") });
 *   const params = { threshold: 0.5 };
 *
 * `params` (required) holds the defaults; `paramsSchema` (optional) is a zod schema for the whole
 * object. The injected cell is `Object.assign(params, {...})`: it mutates the `const` instead of
 * redeclaring it, which TypeScript 5.0 would reject across cells. Values are validated in the
 * runner before the kernel starts, by evaluating the parameters cell (transpiled with tslab's
 * own TypeScript) in the runner process.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { runInThisContext } from 'node:vm';
import { parse as parseYaml } from 'yaml';
import { StagebookError } from '../errors/stagebook-error';
import { issuePath } from '../errors/zod-issues';
import { cellTags, codeCell, sourceText, type Notebook, type NotebookCell } from './nbformat';

export const PARAMETERS_TAG = 'parameters';
export const INJECTED_TAG = 'injected-parameters';

/** The minimal zod surface we use, so any zod 3/4 instance the notebook imports will do. */
interface SchemaLike {
  safeParse(v: unknown): {
    success: boolean;
    data?: unknown;
    error?: { issues: Array<{ path: PropertyKey[]; message: string }> };
  };
}

export interface NotebookParameters {
  /** Index of the cell tagged `parameters` (-1 when the notebook has none). */
  cellIndex: number;
  defaults: Record<string, unknown>;
  schema?: SchemaLike;
}

/** One line of `--help-params`. */
export interface ParameterHelp {
  name: string;
  type: string;
  default: unknown;
  description?: string;
}

function paramsError(message: string, context: Record<string, unknown> = {}): StagebookError {
  return new StagebookError('E_NOTEBOOK_PARAMS', message, { where: 'notebook parameters', ...context });
}

/** Finds the `parameters` cell and evaluates its defaults and schema. */
export function loadParameters(nb: Notebook, notebookDir: string): NotebookParameters {
  const cellIndex = nb.cells.findIndex((c) => c.cell_type === 'code' && cellTags(c).includes(PARAMETERS_TAG));
  if (cellIndex < 0) return { cellIndex, defaults: {} };
  const { params, paramsSchema } = evaluateParametersCell(
    sourceText(nb.cells[cellIndex].source),
    notebookDir,
    cellIndex,
  );
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw paramsError(
      `loadParameters: cells[${cellIndex}]: the parameters cell must declare \`const params = { ... }\``,
      { field: 'params', cell: cellIndex },
    );
  }
  if (paramsSchema !== undefined && typeof (paramsSchema as SchemaLike).safeParse !== 'function') {
    throw paramsError(`loadParameters: cells[${cellIndex}]: paramsSchema must be a zod schema (has no safeParse)`, {
      field: 'paramsSchema',
      cell: cellIndex,
    });
  }
  return { cellIndex, defaults: params as Record<string, unknown>, schema: paramsSchema as SchemaLike | undefined };
}

/** Transpiles the cell with tslab's TypeScript and runs it with `require` rooted at the notebook. */
function evaluateParametersCell(
  source: string,
  notebookDir: string,
  cellIndex: number,
): { params?: unknown; paramsSchema?: unknown } {
  const ts = loadTslabTypeScript(notebookDir);
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
  }).outputText;
  const wrapper = `(function (exports, require, module) {\n${js}\nreturn { params: typeof params === 'undefined' ? undefined : params, paramsSchema: typeof paramsSchema === 'undefined' ? undefined : paramsSchema };\n})`;
  try {
    const fn = runInThisContext(wrapper, { filename: path.join(notebookDir, '__parameters_cell__.js') }) as (
      e: object,
      r: NodeRequire,
      m: object,
    ) => { params?: unknown; paramsSchema?: unknown };
    const mod = { exports: {} };
    return fn(mod.exports, createRequire(path.join(notebookDir, '__parameters_cell__.js')), mod);
  } catch (e) {
    throw new StagebookError(
      'E_NOTEBOOK_PARAMS',
      `loadParameters: cells[${cellIndex}]: evaluating the parameters cell failed: ${(e as Error).message}`,
      { where: 'loadParameters', cell: cellIndex },
      { cause: e },
    );
  }
}

interface TsLike {
  transpileModule(src: string, o: { compilerOptions: Record<string, unknown> }): { outputText: string };
  ModuleKind: { CommonJS: number };
  ScriptTarget: { ES2020: number };
}

function loadTslabTypeScript(notebookDir: string): TsLike {
  for (const base of [notebookDir, __dirname]) {
    try {
      const tslabDir = path.dirname(require.resolve('tslab/package.json', { paths: [base] }));
      return require(require.resolve('@tslab/typescript-for-tslab', { paths: [tslabDir] })) as TsLike;
    } catch {
      // next base
    }
  }
  throw paramsError('loadParameters: cannot load TypeScript from the tslab package (is tslab installed?)');
}

/**
 * Parses `-p key=value` strings. Values are YAML scalars/flow collections (`3`, `true`, `[1,2]`),
 * except when the default is a string: then the raw text is kept (`-p label=007` stays "007").
 */
export function parseParameterArgs(pairs: string[], defaults: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw paramsError(`parseParameterArgs: -p ${pair}: expected key=value`, { field: pair });
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    out[key] = typeof defaults[key] === 'string' ? raw : parseYamlValue(raw, key);
  }
  return out;
}

function parseYamlValue(raw: string, key: string): unknown {
  try {
    return parseYaml(raw);
  } catch {
    throw paramsError(`parseParameterArgs: -p ${key}: value is not a valid YAML value: ${raw}`, { field: key });
  }
}

/** Parses a `-f params.yaml` file's text (must be a mapping). */
export function parseParameterFile(text: string, file: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = parseYaml(text);
  } catch (e) {
    throw paramsError(`parseParameterFile: ${file}: invalid YAML (${(e as Error).message})`, { file });
  }
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw paramsError(`parseParameterFile: ${file}: expected a mapping of parameter names to values`, { file });
  return v as Record<string, unknown>;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Validates overrides against the defaults (unknown names, kinds) and the schema; returns the
 * values to inject (schema output for the overridden keys). Throws E_NOTEBOOK_PARAMS listing
 * every problem.
 */
export function validateParameters(p: NotebookParameters, overrides: Record<string, unknown>): Record<string, unknown> {
  const problems: string[] = [];
  const names = Object.keys(overrides);
  if (names.length > 0 && p.cellIndex < 0)
    throw paramsError('validateParameters: the notebook has no cell tagged "parameters"', { field: names[0] });
  for (const name of names) {
    if (!(name in p.defaults)) {
      const guess = didYouMean(name, Object.keys(p.defaults));
      problems.push(
        `${name}: unknown parameter${guess ? ` (did you mean ${guess}?)` : ''} (known: ${Object.keys(p.defaults).join(', ') || 'none'})`,
      );
    } else if (!p.schema && kindOf(overrides[name]) !== kindOf(p.defaults[name])) {
      problems.push(`${name}: expected ${kindOf(p.defaults[name])} like the default, got ${kindOf(overrides[name])}`);
    }
  }
  let merged: Record<string, unknown> = { ...p.defaults, ...overrides };
  if (p.schema && problems.length === 0) {
    const r = p.schema.safeParse(merged);
    if (r.success) merged = r.data as Record<string, unknown>;
    else for (const issue of r.error?.issues ?? []) problems.push(`${issuePath(issue.path)}: ${issue.message}`);
  }
  if (problems.length > 0) {
    throw paramsError(`validateParameters: invalid parameters:\n  ${problems.join('\n  ')}`, {
      field: problems[0].split(':')[0],
      problems,
    });
  }
  return Object.fromEntries(names.map((n) => [n, merged[n]]));
}

/** Edit distance with transpositions (optimal string alignment), for did-you-mean. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The closest known name to a misspelt one, if close enough to be a typo: case-insensitive, at
 * most a third of the name's length in edits (at least 1, as git's and Python's suggestions do).
 */
export function didYouMean(name: string, known: string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (!best || d < best.d) best = { name: k, d };
  }
  return best && best.d <= Math.max(1, Math.floor(name.length / 3)) ? best.name : undefined;
}

/** The injected cell: reassigns through Object.assign so the `const params` is never redeclared. */
export function injectedCell(values: Record<string, unknown>): NotebookCell {
  const body = JSON.stringify(values, null, 2);
  return codeCell(`// Parameters injected by stagebook notebook run\nvoid Object.assign(params, ${body});\n`, {
    tags: [INJECTED_TAG],
  });
}

/** Inserts (or replaces) the injected cell after the parameters cell; returns its index. */
export function insertInjectedCell(nb: Notebook, p: NotebookParameters, values: Record<string, unknown>): number {
  const existing = nb.cells.findIndex((c) => cellTags(c).includes(INJECTED_TAG));
  if (existing >= 0) nb.cells.splice(existing, 1);
  const at = nb.cells.findIndex((c) => cellTags(c).includes(PARAMETERS_TAG)) + 1;
  nb.cells.splice(at, 0, injectedCell(values));
  return at;
}

/** Descriptions for `--help-params`: from the schema's JSON Schema when zod can produce it. */
export function describeParameters(p: NotebookParameters): ParameterHelp[] {
  const props = jsonSchemaProperties(p.schema);
  return Object.entries(p.defaults).map(([name, def]) => {
    const prop = props[name] ?? {};
    return {
      name,
      type: typeof prop.type === 'string' ? prop.type : kindOf(def),
      default: def,
      description: typeof prop.description === 'string' ? prop.description : undefined,
    };
  });
}

function jsonSchemaProperties(schema: SchemaLike | undefined): Record<string, Record<string, unknown>> {
  if (!schema) return {};
  try {
    // zod 4 exposes toJSONSchema at the top level; use the package's own copy.
    const { toJSONSchema } = require('zod') as {
      toJSONSchema: (s: unknown) => { properties?: Record<string, Record<string, unknown>> };
    };
    return toJSONSchema(schema).properties ?? {};
  } catch {
    return {};
  }
}

/** Formats `--help-params` output. */
export function formatParameterHelp(items: ParameterHelp[]): string {
  if (items.length === 0) return 'This notebook has no parameters (no cell tagged "parameters").\n';
  const lines = items.map(
    (i) => `  ${i.name}: ${i.type} (default: ${JSON.stringify(i.default)})${i.description ? `  ${i.description}` : ''}`,
  );
  return `Parameters:\n${lines.join('\n')}\n`;
}
