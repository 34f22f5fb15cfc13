/**
 * YAML configuration validated by zod, with errors located in the file. The yaml package keeps
 * source ranges on every node; a LineCounter turns a range offset into line:column, and
 * `doc.getIn(path, true)` finds the node a zod issue path points at (or its nearest existing
 * parent when the field is missing). Result: `config.yaml:12:5 archives.lco.url: expected an https URL`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Document, LineCounter, parseDocument } from 'yaml';
import { StagebookError } from '../errors/stagebook-error';
import { issuePath } from '../errors/zod-issues';

/** One validation problem (zod's issue shape, reduced to what is needed). */
export interface SchemaIssue {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
}

/**
 * Anything with zod's `safeParse` contract. Public types use this instead of zod's own types so
 * the library's .d.ts stays readable by the TypeScript 5.0 inside tslab.
 */
export interface SchemaLike<T> {
  safeParse(
    input: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<SchemaIssue> } };
}

/** A parsed YAML file with what is needed to locate nodes. */
export interface YamlSource {
  /** Path as shown in messages (relative to the cwd when below it). */
  readonly displayPath: string;
  readonly absolutePath: string;
  readonly value: unknown;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
}

/** A located issue: `file:line:col field: message`. */
export interface LocatedIssue {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
}

function displayPathOf(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/** Parses YAML text; syntax errors raise E_CONFIG_SYNTAX with file:line:col. */
export function parseYaml(text: string, file = '<inline>'): YamlSource {
  const absolutePath = file === '<inline>' ? file : path.resolve(file);
  const displayPath = file === '<inline>' ? file : displayPathOf(absolutePath);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
    const reason = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new StagebookError('E_CONFIG_SYNTAX', `${displayPath}:${pos.line}:${pos.col} YAML syntax error: ${reason}`, {
      where: 'parseYaml',
      file: displayPath,
      line: pos.line,
      column: pos.col,
    });
  }
  return { displayPath, absolutePath, value: doc.toJS() ?? {}, doc, lineCounter };
}

/** Reads and parses a YAML file (E_CONFIG_NOT_FOUND when unreadable). */
export function readYamlFile(file: string): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new StagebookError(
      'E_CONFIG_NOT_FOUND',
      `readYamlFile: cannot read config file ${file}`,
      { where: 'readYamlFile', file },
      { cause },
    );
  }
  return parseYaml(text, file);
}

/** line:column of the node at `p`, or of its nearest existing ancestor (1-based). */
export function locate(src: YamlSource, p: ReadonlyArray<PropertyKey>): { line: number; column: number } {
  for (let n = p.length; n >= 0; n--) {
    const node = src.doc.getIn(p.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) {
      const pos = src.lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/** Turns schema issues into located issues (`prefix` is prepended to every path). */
export function locateIssues(
  src: YamlSource,
  issues: ReadonlyArray<SchemaIssue>,
  prefix: ReadonlyArray<PropertyKey> = [],
): LocatedIssue[] {
  return issues.map((issue) => {
    const full = [...prefix, ...issue.path];
    const { line, column } = locate(src, full);
    return { file: src.displayPath, line, column, field: issuePath(full), message: issue.message };
  });
}

/** One line per issue: `file:line:col field: message`. */
export function formatLocatedIssue(i: LocatedIssue): string {
  return `${i.file}:${i.line}:${i.column} ${i.field}: ${i.message}`;
}

/**
 * Validates `value` (the whole document, or the part at `prefix`) against `schema`; throws
 * E_CONFIG_INVALID whose message lists every issue as `file:line:col field: message`
 * (the first issue's location is in the error context).
 */
export function validateYaml<T>(
  src: YamlSource,
  schema: SchemaLike<T>,
  prefix: ReadonlyArray<PropertyKey> = [],
  value: unknown = src.value,
): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const located = locateIssues(src, r.error.issues, prefix);
  const first = located[0];
  throw new StagebookError('E_CONFIG_INVALID', located.map(formatLocatedIssue).join('\n'), {
    where: 'validateYaml',
    file: first.file,
    line: first.line,
    column: first.column,
    field: first.field,
    issues: located,
  });
}

/** Reads, parses and validates a YAML file in one step. */
export function loadYamlConfig<T>(file: string, schema: SchemaLike<T>): { config: T; source: YamlSource } {
  const source = readYamlFile(file);
  return { config: validateYaml(source, schema), source };
}
