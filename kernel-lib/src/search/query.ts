/**
 * The search query language (`stagebook search '...'`), after Globus Search's simple query syntax:
 *
 *   measurement.instrument.acquisition.root_folder:"/data/2026-2/" AND exchange.tau_fit < 10
 *   sample.name:silica  (exchange.contrast:[0.1 TO 0.3] OR NOT qc.passed:false)  "speckle decay"
 *
 * Terms: `key:value` (exact; a number compares numerically), `key:[lo TO hi]` (inclusive range),
 * `key < n` / `<=` / `>` / `>=` (also `key:<n`), and free text (a word or a "quoted phrase",
 * searched in every string value and key with SQLite FTS5). `AND` binds tighter than `OR`; adjacent
 * terms are ANDed; `NOT` negates a term; parentheses group. Keys are dotted metadata paths.
 */
import { StagebookError } from '../errors/stagebook-error';

export type QueryNode =
  | { kind: 'and' | 'or'; items: QueryNode[] }
  | { kind: 'not'; item: QueryNode }
  | { kind: 'eq'; key: string; value: string | number | boolean }
  | { kind: 'range'; key: string; lo: number; hi: number }
  | { kind: 'cmp'; key: string; op: '<' | '<=' | '>' | '>='; value: number }
  | { kind: 'text'; text: string };

type Token = {
  t: 'word' | 'quoted' | 'op' | 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'colon';
  v: string;
  at: number;
};

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const end = q.indexOf('"', i + 1);
      if (end < 0) throw syntax(q, i, 'unclosed quote');
      out.push({ t: 'quoted', v: q.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const single: Record<string, Token['t']> = {
      '(': 'lparen',
      ')': 'rparen',
      '[': 'lbracket',
      ']': 'rbracket',
      ':': 'colon',
    };
    if (single[c]) {
      out.push({ t: single[c], v: c, at: i });
      i++;
      continue;
    }
    const op = /^(<=|>=|<|>)/.exec(q.slice(i));
    if (op) {
      out.push({ t: 'op', v: op[1], at: i });
      i += op[1].length;
      continue;
    }
    const w = /^[^\s"()[\]:<>]+/.exec(q.slice(i)) as RegExpExecArray;
    out.push({ t: 'word', v: w[0], at: i });
    i += w[0].length;
  }
  return out;
}

function syntax(q: string, at: number, why: string): StagebookError {
  return new StagebookError('E_SEARCH_QUERY', `search query: ${why} at character ${at + 1}: ${q}`, { query: q, at });
}

function literal(tok: Token): string | number | boolean {
  if (tok.t === 'quoted') return tok.v;
  if (tok.v === 'true' || tok.v === 'false') return tok.v === 'true';
  const n = Number(tok.v);
  return tok.v !== '' && Number.isFinite(n) ? n : tok.v;
}

/** Parses a query into a tree (errors: E_SEARCH_QUERY with the character position). */
export function parseQuery(q: string): QueryNode {
  const toks = tokenize(q);
  let p = 0;
  const peek = (): Token | undefined => toks[p];
  const expect = (t: Token['t']): Token => {
    const tok = toks[p];
    if (!tok || tok.t !== t) throw syntax(q, tok?.at ?? q.length, `expected ${t}`);
    p++;
    return tok;
  };
  const number = (): number => {
    const tok = toks[p++];
    const v = tok ? Number(tok.v) : NaN;
    if (!tok || !Number.isFinite(v)) throw syntax(q, tok?.at ?? q.length, 'expected a number');
    return v;
  };
  const isKw = (w: string): boolean => peek()?.t === 'word' && peek()?.v === w;
  function term(): QueryNode {
    const tok = peek();
    if (!tok) throw syntax(q, q.length, 'expected a term');
    if (isKw('NOT')) {
      p++;
      return { kind: 'not', item: term() };
    }
    if (tok.t === 'lparen') {
      p++;
      const e = orExpr();
      expect('rparen');
      return e;
    }
    if (tok.t === 'quoted') {
      p++;
      return { kind: 'text', text: tok.v };
    }
    if (tok.t !== 'word') throw syntax(q, tok.at, `unexpected ${tok.v}`);
    p++;
    const next = peek();
    if (next?.t === 'op') {
      p++;
      return { kind: 'cmp', key: tok.v, op: next.v as '<', value: number() };
    }
    if (next?.t !== 'colon') return { kind: 'text', text: tok.v };
    p++;
    const v = peek();
    if (v?.t === 'op') {
      p++;
      return { kind: 'cmp', key: tok.v, op: v.v as '<', value: number() };
    }
    if (v?.t === 'lbracket') {
      p++;
      const lo = number();
      if (!isKw('TO')) throw syntax(q, peek()?.at ?? q.length, 'expected TO in a range');
      p++;
      const hi = number();
      expect('rbracket');
      return { kind: 'range', key: tok.v, lo, hi };
    }
    if (!v || (v.t !== 'word' && v.t !== 'quoted'))
      throw syntax(q, v?.at ?? q.length, `expected a value after ${tok.v}:`);
    p++;
    return { kind: 'eq', key: tok.v, value: literal(v) };
  }
  function andExpr(): QueryNode {
    const items = [term()];
    while (p < toks.length && peek()?.t !== 'rparen' && !isKw('OR')) {
      if (isKw('AND')) p++;
      items.push(term());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }
  function orExpr(): QueryNode {
    const items = [andExpr()];
    while (isKw('OR')) {
      p++;
      items.push(andExpr());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }
  if (toks.length === 0) throw syntax(q, 0, 'empty query');
  const tree = orExpr();
  if (p < toks.length) throw syntax(q, toks[p].at, `unexpected ${toks[p].v}`);
  return tree;
}

/** FTS5 phrase for free text: quoted, inner quotes doubled (no FTS operators from user input). */
export function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** SQL (a boolean expression over `d.subject`) and its parameters for a query tree. */
export function toSql(node: QueryNode, params: unknown[] = []): { sql: string; params: unknown[] } {
  const field = (cond: string, ...ps: unknown[]): string => {
    params.push(...ps);
    return `d.subject IN (SELECT subject FROM search_fields WHERE key = ? AND ${cond})`;
  };
  const walk = (n: QueryNode): string => {
    switch (n.kind) {
      case 'and':
      case 'or':
        return `(${n.items.map(walk).join(n.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `(NOT ${walk(n.item)})`;
      case 'eq':
        if (typeof n.value === 'number') return field('num = ?', n.key, n.value);
        if (typeof n.value === 'boolean') return field('num = ?', n.key, n.value ? 1 : 0);
        return field('str = ?', n.key, n.value);
      case 'range':
        return field('num BETWEEN ? AND ?', n.key, n.lo, n.hi);
      case 'cmp':
        return field(`num ${n.op} ?`, n.key, n.value);
      case 'text':
        params.push(ftsPhrase(n.text));
        return 'd.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)';
    }
  };
  const sql = walk(node);
  return { sql, params };
}
