/**
 * The JSONPath subset flow states use for InputPath / ResultPath (as in Globus Automate and AWS Step
 * Functions): `$` (the whole document), `$.a.b`, `$.a[0]`, `$['a b']`. Filters, wildcards and
 * recursive descent are refused, so a path always names exactly one location.
 */
import { StagebookError } from '../errors/stagebook-error';

export type PathSegment = string | number;

/** Parses a path into its segments; `$` is []. */
export function parseJsonPath(path: string): PathSegment[] {
  if (typeof path !== 'string' || !path.startsWith('$')) throw badPath(path, 'must start with $');
  const out: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(path.slice(i + 1));
      if (!m) throw badPath(path, `expected a name after '.' at ${i}`);
      out.push(m[0]);
      i += 1 + m[0].length;
    } else if (path[i] === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) throw badPath(path, `unclosed '[' at ${i}`);
      const inner = path.slice(i + 1, end).trim();
      if (/^\d+$/.test(inner)) out.push(Number(inner));
      else if (/^'[^']*'$/.test(inner) || /^"[^"]*"$/.test(inner)) out.push(inner.slice(1, -1));
      else throw badPath(path, `unsupported selector [${inner}] (only an index or a quoted name)`);
      i = end + 1;
    } else {
      throw badPath(path, `unexpected '${path[i]}' at ${i}`);
    }
  }
  return out;
}

function badPath(path: unknown, why: string): StagebookError {
  return new StagebookError('E_FLOW_DEFINITION', `JSONPath ${JSON.stringify(path)} ${why}`, { field: 'path' });
}

/** The value at `path` in `doc`, or undefined when any segment is missing. */
export function getAtPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const seg of parseJsonPath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** A copy of `doc` with `value` at `path` (intermediate objects created); `$` replaces the document. */
export function setAtPath(doc: unknown, path: string, value: unknown): unknown {
  const segs = parseJsonPath(path);
  if (segs.length === 0) return value;
  const root: Record<string | number, unknown> =
    doc !== null && typeof doc === 'object' ? (structuredClone(doc as object) as Record<string, unknown>) : {};
  let cur = root;
  segs.forEach((seg, k) => {
    if (k === segs.length - 1) {
      cur[seg] = value;
      return;
    }
    const next = cur[seg];
    if (next === null || typeof next !== 'object') cur[seg] = typeof segs[k + 1] === 'number' ? [] : {};
    cur = cur[seg] as Record<string | number, unknown>;
  });
  return root;
}

/**
 * Resolves a Parameters template against `doc`: keys ending in `.$` are replaced (without the suffix)
 * by the value at their JSONPath; other values are copied, nested objects resolved recursively.
 * `missing` collects the paths that resolved to nothing.
 */
export function resolveParameters(template: unknown, doc: unknown, missing: string[] = []): unknown {
  if (Array.isArray(template)) return template.map((t) => resolveParameters(t, doc, missing));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(template as Record<string, unknown>)) {
    if (k.endsWith('.$')) {
      if (typeof v !== 'string') throw badPath(v, `(Parameters key ${k}) must be a string`);
      const value = getAtPath(doc, v);
      if (value === undefined) missing.push(v);
      out[k.slice(0, -2)] = value;
    } else {
      out[k] = resolveParameters(v, doc, missing);
    }
  }
  return out;
}
