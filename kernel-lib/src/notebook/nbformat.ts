/**
 * nbformat 4 reading and writing (the subset the runner touches), following the nbformat v4 JSON
 * schema: cells carry `source` as a string or list of lines, code cells carry `outputs` and
 * `execution_count`. Saves are atomic (temp file + rename) so a killed runner never leaves a
 * half-written notebook.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { StagebookError } from '../errors/stagebook-error';
import { atomicWriteFile } from '../workdirs/atomic';

export type MultilineString = string | string[];

export interface NotebookOutput {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error';
  [key: string]: unknown;
}

export interface NotebookCell {
  id?: string;
  cell_type: 'code' | 'markdown' | 'raw';
  source: MultilineString;
  metadata: Record<string, unknown> & { tags?: string[] };
  outputs?: NotebookOutput[];
  execution_count?: number | null;
  attachments?: Record<string, unknown>;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** Joins a multiline source into one string. */
export function sourceText(source: MultilineString): string {
  return Array.isArray(source) ? source.join('') : source;
}

/** Splits text into nbformat's list-of-lines form (each line keeps its newline). */
export function toLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** A random cell id (nbformat 4.5: 1-64 chars of [a-zA-Z0-9-_]). */
export function newCellId(): string {
  return randomBytes(6).toString('hex');
}

/** Parses notebook JSON text; raises E_NOTEBOOK_FORMAT for anything that is not nbformat 4. */
export function parseNotebook(text: string, file = '<notebook>'): Notebook {
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new StagebookError(
      'E_NOTEBOOK_FORMAT',
      `parseNotebook: ${file}: not JSON (${(e as Error).message})`,
      { where: 'parseNotebook', file },
      { cause: e },
    );
  }
  const n = nb as Partial<Notebook>;
  if (typeof n !== 'object' || n === null || n.nbformat !== 4 || !Array.isArray(n.cells)) {
    throw new StagebookError(
      'E_NOTEBOOK_FORMAT',
      `parseNotebook: ${file}: nbformat: expected an nbformat 4 notebook with a cells array`,
      { where: 'parseNotebook', file, field: 'nbformat' },
    );
  }
  n.metadata ??= {};
  for (const [i, cell] of n.cells.entries()) {
    if (!cell || !['code', 'markdown', 'raw'].includes(cell.cell_type)) {
      throw new StagebookError(
        'E_NOTEBOOK_FORMAT',
        `parseNotebook: ${file}: cells[${i}].cell_type: expected code, markdown or raw`,
        { where: 'parseNotebook', file, field: `cells[${i}].cell_type` },
      );
    }
    cell.metadata ??= {};
    cell.source ??= '';
  }
  return n as Notebook;
}

/** Reads a notebook file. */
export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new StagebookError(
      'E_NOTEBOOK_NOT_FOUND',
      `readNotebook: ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      { where: 'readNotebook', file },
      { cause: e },
    );
  }
  return parseNotebook(text, file);
}

/** Serialises like Jupyter (1-space indent, trailing newline, sources as line lists). */
export function serializeNotebook(nb: Notebook): string {
  const cells = nb.cells.map((c) => ({ ...c, source: toLines(sourceText(c.source)) }));
  return JSON.stringify({ ...nb, cells }, null, 1) + '\n';
}

/** Writes the notebook atomically (temp + rename). */
export async function writeNotebook(file: string, nb: Notebook): Promise<void> {
  await atomicWriteFile(file, serializeNotebook(nb));
}

/** A new code cell (ids require nbformat_minor >= 5; callers bump the minor when adding ids). */
export function codeCell(source: string, metadata: Record<string, unknown> = {}): NotebookCell {
  return { id: newCellId(), cell_type: 'code', source: toLines(source), metadata, outputs: [], execution_count: null };
}

/** A new markdown cell. */
export function markdownCell(source: string, metadata: Record<string, unknown> = {}): NotebookCell {
  return { id: newCellId(), cell_type: 'markdown', source: toLines(source), metadata };
}

/** Cell tags (empty list when none). */
export function cellTags(cell: NotebookCell): string[] {
  const tags = cell.metadata.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}
