/**
 * What a user sees of a failing cell: the cell, the line of THEIR source and the message first,
 * then the stack without tslab's machinery. tslab runs the transpiled cell in `vm` as
 * `evalmachine.<anonymous>` and prints the JS line, a caret and every frame down through
 * `tslab/dist/executor.js` and `node:vm`; none of that is the user's code. The full text stays in
 * the output notebook (cell metadata `stagebook.error.stderr`). Type errors come as `L:C - message`
 * with the user's own line numbers.
 */

/** Frames that belong to tslab or Node's vm, not to the user or the libraries they call. */
const INTERNAL_FRAME =
  /^\s*at .*(evalmachine\.<anonymous>|[/\\]tslab[/\\]dist[/\\]|\(node:vm:|\bnode:vm:|\(node:internal\/|sigintHandlersWrap)/;
/** tslab's header: `evalmachine.<anonymous>:5`, the JS line, the caret line, a blank line. */
const HEADER = /^evalmachine\.<anonymous>:(\d+)\n([^\n]*)\n( *\^+ *)\n\n?/;

export interface CellErrorView {
  /** 1-based line in the cell's source, when it can be found. */
  line?: number;
  /** That source line (trimmed). */
  source?: string;
  /** stderr without tslab's header and internal frames. */
  trace: string;
}

function tokens(s: string): Set<string> {
  return new Set(s.match(/[A-Za-z_$][\w$]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\d+(\.\d+)?/g) ?? []);
}

function similarity(a: Set<string>, b: Set<string>): number {
  let common = 0;
  for (const t of a) if (b.has(t)) common++;
  return common / Math.max(1, a.size + b.size - common);
}

/**
 * The user's line for the transpiled JS line tslab printed: the cell line sharing the most tokens
 * (TypeScript's CommonJS transpile keeps identifiers and literals, drops types and rewrites
 * `X` to `module_1.X`). Ties go to the line nearest to the JS line number.
 */
export function matchSourceLine(jsLine: string, jsLineNo: number, cellSource: string): number | undefined {
  const js = tokens(jsLine);
  if (js.size === 0) return undefined;
  let best: { line: number; score: number } | undefined;
  const lines = cellSource.split('\n');
  for (const [i, text] of lines.entries()) {
    const score = similarity(js, tokens(text));
    const better =
      !best ||
      score > best.score + 1e-9 ||
      (Math.abs(score - best.score) < 1e-9 && Math.abs(i + 1 - jsLineNo) < Math.abs(best.line - jsLineNo));
    if (score > 0 && better) best = { line: i + 1, score };
  }
  return best && best.score >= 0.3 ? best.line : undefined;
}

/**
 * stderr without tslab's header and internal frames. A removed frame that opened the error's own
 * properties (`... jupyter.js:208:21) {`) hands its `{` to the line before, so the block stays whole.
 */
export function trimTslabStderr(stderr: string): string {
  const kept: string[] = [];
  for (const l of stderr.replace(HEADER, '').split('\n')) {
    if (!INTERNAL_FRAME.test(l)) kept.push(l);
    else if (/\{\s*$/.test(l) && kept.length > 0) kept[kept.length - 1] += ' {';
  }
  return kept.join('\n');
}

/** Builds the user's view of a failing cell from tslab's stderr and the cell source. */
export function cellErrorView(stderr: string, cellSource: string): CellErrorView {
  let line: number | undefined;
  const header = HEADER.exec(stderr);
  if (header) line = matchSourceLine(header[2], Number(header[1]), cellSource);
  else {
    const typeError = /^(\d+):(\d+) - /.exec(stderr);
    if (typeError) line = Number(typeError[1]);
  }
  const trace = trimTslabStderr(stderr).replace(/\n+$/, '');
  const source = line === undefined ? undefined : cellSource.split('\n')[line - 1]?.trim();
  return { ...(line !== undefined && source !== undefined ? { line, source } : {}), trace };
}

/** The text shown to the user: where (cell, line, source) and the message first, then the trimmed trace. */
export function formatCellError(where: string, code: string, message: string, view: CellErrorView): string {
  const at = view.line === undefined ? where : `${where}, line ${view.line}`;
  const head = `${at}: ${code}: ${message}`;
  const src =
    view.source === undefined
      ? ''
      : `\n  > ${view.source.length > 160 ? `${view.source.slice(0, 157)}...` : view.source}`;
  const trace = view.trace.trim() && !view.trace.trim().startsWith(`${view.line}:`) ? `\n${view.trace}` : '';
  return `${head}${src}${trace}`;
}

/** Trims tslab's header and frames from the stderr stream outputs of a failed cell (in place). */
export function trimStderrOutputs(outputs: Array<Record<string, unknown>>): void {
  for (const o of outputs) {
    if (o.output_type !== 'stream' || o.name !== 'stderr') continue;
    const text = Array.isArray(o.text) ? o.text.join('') : String(o.text ?? '');
    o.text = trimTslabStderr(text);
  }
}

/** The banner's detail: message first, then the user's line when known. */
export function bannerDetail(error: Record<string, unknown>): string {
  const at = typeof error.line === 'number' ? `line ${error.line}: ` : '';
  const src = typeof error.source_line === 'string' ? `\n> ${error.source_line}` : '';
  return `${at}${String(error.code)}: ${String(error.message)}${src}`;
}
