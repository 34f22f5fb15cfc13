/**
 * Compares two executed notebooks cell by cell (outputs, statuses, timings) and their products by content
 * hash: the core of `stagebook notebook reproduce` and `diff` (issue 21).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  compareOutputs,
  compareValues,
  type Agreement,
  type CompareContext,
  type OutputDifference,
} from './compare-outputs';
import { cellTags, sourceText, type Notebook, type NotebookCell } from './nbformat';
import { INJECTED_TAG } from './parameters';
import { productHash, productText, recordSubstitutions } from './record-files';
import type { CellRecord, RunRecord } from './run-record';

/** One code cell compared across the two runs. */
export interface CellComparison {
  /** 1-based ordinal among the compared code cells (the injected-parameters cell is not counted). */
  ordinal: number;
  /** Index of the cell in each notebook (-1 when that side has no such cell). */
  expectedIndex: number;
  actualIndex: number;
  id?: string;
  /** First source line, to name the cell for a reader. */
  head: string;
  status: { expected?: string; actual?: string };
  durationMs: { expected?: number; actual?: number };
  agreement: Agreement;
  differences: OutputDifference[];
}

/** One product file compared by content hash. */
export interface ProductComparison {
  parameter: string;
  file: string;
  agreement: 'same' | 'differs';
  expected?: string;
  actual?: string;
  /** For text products whose recorded copy is still on disk: the first differing line. */
  detail?: OutputDifference;
}

/** The code cells that carry the notebook's work (the injected-parameters cell is compared as parameters). */
export function workCells(nb: Notebook): Array<{ cell: NotebookCell; index: number }> {
  return nb.cells
    .map((cell, index) => ({ cell, index }))
    .filter(({ cell }) => cell.cell_type === 'code' && !cellTags(cell).includes(INJECTED_TAG))
    .filter(({ cell }) => sourceText(cell.source).trim() !== '');
}

function cellRecord(cell: NotebookCell | undefined): CellRecord | undefined {
  return cell?.metadata.stagebook as CellRecord | undefined;
}

/** Pairs the work cells by position and compares each pair (a changed source is itself a difference). */
export function compareCells(expected: Notebook, actual: Notebook, ctx: CompareContext): CellComparison[] {
  const e = workCells(expected);
  const a = workCells(actual);
  const out: CellComparison[] = [];
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    const ec = e[i]?.cell;
    const ac = a[i]?.cell;
    const er = cellRecord(ec);
    const ar = cellRecord(ac);
    const c: CellComparison = {
      ordinal: i + 1,
      expectedIndex: e[i]?.index ?? -1,
      actualIndex: a[i]?.index ?? -1,
      id: ac?.id ?? ec?.id,
      head: sourceText((ac ?? ec)?.source ?? '')
        .split('\n')[0]
        .slice(0, 100),
      status: { expected: er?.status, actual: ar?.status },
      durationMs: { expected: er?.duration_ms, actual: ar?.duration_ms },
      agreement: 'same',
      differences: [],
    };
    if (!ec || !ac) {
      c.agreement = 'differs';
      c.differences.push({ where: 'cell', expected: ec ? 'present' : 'absent', actual: ac ? 'present' : 'absent' });
    } else if (sourceText(ec.source) !== sourceText(ac.source)) {
      c.agreement = 'differs';
      c.differences.push({ where: 'source', expected: firstChanged(ec, ac)[0], actual: firstChanged(ec, ac)[1] });
    } else {
      const r = compareOutputs(ec.outputs ?? [], ac.outputs ?? [], ctx);
      c.agreement = r.agreement;
      c.differences = r.differences;
      if (er?.status !== ar?.status) {
        c.agreement = 'differs';
        c.differences.unshift({ where: 'status', expected: String(er?.status), actual: String(ar?.status) });
      }
    }
    out.push(c);
  }
  return out;
}

function firstChanged(e: NotebookCell, a: NotebookCell): [string, string] {
  const le = sourceText(e.source).split('\n');
  const la = sourceText(a.source).split('\n');
  const i = le.findIndex((l, k) => l !== la[k]);
  const k = i < 0 ? le.length : i;
  return [le[k] ?? '(no line)', la[k] ?? '(no line)'];
}

/**
 * Compares the recorded product hashes with the re-run's. A missing, extra or changed file differs; when the
 * recorded directory still holds the recorded version of a text product, the first differing line is shown.
 */
export function compareProducts(expected: RunRecord, actual: RunRecord, ctx: CompareContext): ProductComparison[] {
  const out: ProductComparison[] = [];
  const ep = expected.products ?? {};
  const ap = actual.products ?? {};
  for (const parameter of [...new Set([...Object.keys(ep), ...Object.keys(ap)])].sort()) {
    const ef = ep[parameter] ?? {};
    const af = ap[parameter] ?? {};
    for (const file of [...new Set([...Object.keys(ef), ...Object.keys(af)])].sort()) {
      if (ef[file] === af[file]) {
        out.push({ parameter, file, agreement: 'same', expected: ef[file], actual: af[file] });
        continue;
      }
      const p: ProductComparison = { parameter, file, agreement: 'differs', expected: ef[file], actual: af[file] };
      p.detail = textDetail(expected, actual, parameter, file, ctx);
      out.push(p);
    }
  }
  return out;
}

function textDetail(
  expected: RunRecord,
  actual: RunRecord,
  parameter: string,
  file: string,
  ctx: CompareContext,
): OutputDifference | undefined {
  const ed = expected.products_root?.[parameter];
  const ad = actual.products_root?.[parameter];
  if (!ed || !ad || !existsSync(path.join(ed, file)) || !existsSync(path.join(ad, file))) return undefined;
  if (!/\.(json|ya?ml|csv|tsv|txt|md)$/i.test(file)) return undefined;
  // only when the file on disk is still the recorded version (a later run may have overwritten it)
  const es = recordSubstitutions(expected);
  if (productHash(ed, file, es) !== expected.products?.[parameter]?.[file]) return undefined;
  const r = compareValues(file, productText(ed, file, es), productText(ad, file, recordSubstitutions(actual)), ctx);
  return r.differences[0];
}

/** The worst agreement of a list (`same` for an empty list). */
export function worstOf(items: ReadonlyArray<{ agreement: Agreement }>): Agreement {
  let w: Agreement = 'same';
  for (const i of items) {
    if (i.agreement === 'differs') return 'differs';
    if (i.agreement === 'close') w = 'close';
  }
  return w;
}
