/**
 * The report of `stagebook notebook reproduce`: the re-run notebook with a verdict cell at the top and, under
 * every cell whose outputs differ, a markdown cell listing the differences (tagged, so the next run removes
 * them like the error banner); the same facts as JSON in `metadata.stagebook_reproduce` and as terminal text.
 */
import type { OutputDifference } from './compare-outputs';
import type { CellComparison, ProductComparison } from './compare-runs';
import { markdownCell, writeNotebook, type Notebook } from './nbformat';
import type { ReproduceResult } from './reproduce';
import { REPRO_REPORT_TAG } from './run-record';

function esc(s: string): string {
  return s.replace(/[|`<>]/g, (c) => `\\${c}`);
}

function diffLines(ds: readonly OutputDifference[]): string[] {
  return ds.map(
    (d) =>
      `- ${esc(d.where)}: recorded \`${d.expected.replace(/`/g, "'")}\`, now \`${d.actual.replace(/`/g, "'")}\`${d.relDiff !== undefined && Number.isFinite(d.relDiff) ? ` (relative difference ${d.relDiff.toExponential(2)})` : ''}`,
  );
}

function cellNote(c: CellComparison, rtol: number): string {
  const head =
    c.agreement === 'close'
      ? `**Reproduced within tolerance** (rtol ${rtol}): numbers in this cell's outputs differ slightly.`
      : `**Differs from the record**: cell ${c.ordinal} (\`${esc(c.head)}\`).`;
  return [head, '', ...diffLines(c.differences)].join('\n') + '\n';
}

function productLines(ps: readonly ProductComparison[]): string[] {
  return ps
    .filter((p) => p.agreement === 'differs')
    .map((p) => {
      const what = !p.expected
        ? 'new file'
        : !p.actual
          ? 'missing'
          : `sha256 ${p.expected.slice(0, 12)}… -> ${p.actual.slice(0, 12)}…`;
      const detail = p.detail ? ` (${esc(p.detail.where)}: \`${p.detail.expected}\` -> \`${p.detail.actual}\`)` : '';
      return `- product ${p.parameter}/${p.file}: ${what}${detail}`;
    });
}

/** The verdict cell's text. */
function summary(r: ReproduceResult): string {
  const differing = r.cells.filter((c) => c.agreement !== 'same');
  const lines = [
    `**stagebook notebook reproduce: ${r.verdict}** (rtol ${r.policy.rtol}, atol ${r.policy.atol}; record \`${esc(r.record)}\`)`,
    '',
    `- run status: recorded \`${r.status.expected}\`, now \`${r.status.actual}\``,
    `- cells: ${r.cells.length} compared, ${r.cells.filter((c) => c.agreement === 'differs').length} differ, ${r.cells.filter((c) => c.agreement === 'close').length} within tolerance`,
    `- products: ${r.products.length} compared by content hash, ${r.products.filter((p) => p.agreement === 'differs').length} differ`,
    ...r.versions
      .filter((v) => v.recorded !== v.current)
      .map(
        (v) =>
          `- version ${v.name}: recorded ${v.recorded ?? '(none)'}, now ${v.current ?? '(none)'}${v.checked ? ' (checked; run with --allow-version)' : ''}`,
      ),
    ...r.inputs.map((i) => `- input ${i.name}: ${esc(i.recordedPath)} (sha256 ${i.sha256.slice(0, 12)}…, ${i.source})`),
    ...diffLines(r.parameters),
    ...productLines(r.products),
    ...(differing.length
      ? ['', `Differences are shown under cells ${differing.map((c) => c.ordinal).join(', ')}.`]
      : []),
  ];
  return lines.join('\n') + '\n';
}

/** JSON twin of the report (for tools and the JupyterLab panel). */
export function reportJson(r: ReproduceResult): Record<string, unknown> {
  return {
    verdict: r.verdict,
    record: r.record,
    rtol: r.policy.rtol,
    atol: r.policy.atol,
    status: r.status,
    versions: r.versions,
    inputs: r.inputs.map((i) => ({ name: i.name, path: i.recordedPath, sha256: i.sha256, source: i.source })),
    parameters: r.parameters,
    cells: r.cells
      .filter((c) => c.agreement !== 'same')
      .map((c) => ({ ordinal: c.ordinal, id: c.id, agreement: c.agreement, differences: c.differences })),
    products: r.products.filter((p) => p.agreement !== 'same'),
  };
}

/** Annotates the re-run notebook in place and writes it (atomically). */
export async function writeReproReport(file: string, nb: Notebook, r: ReproduceResult): Promise<void> {
  const notes = r.cells
    .filter((c) => c.agreement !== 'same' && c.actualIndex >= 0)
    .sort((a, b) => b.actualIndex - a.actualIndex);
  for (const c of notes)
    nb.cells.splice(c.actualIndex + 1, 0, markdownCell(cellNote(c, r.policy.rtol), { tags: [REPRO_REPORT_TAG] }));
  nb.cells.unshift(markdownCell(summary(r), { tags: [REPRO_REPORT_TAG] }));
  nb.metadata.stagebook_reproduce = reportJson(r);
  await writeNotebook(file, nb);
}

/** Terminal text: the verdict line first, then each difference with its cell. */
export function formatReproduce(r: ReproduceResult): string {
  const out: string[] = [];
  for (const v of r.versions.filter((x) => x.recorded !== x.current))
    out.push(`version ${v.name}: recorded ${v.recorded ?? '(none)'}, current ${v.current ?? '(none)'}`);
  for (const d of r.parameters) out.push(`${d.where}: recorded ${d.expected}, now ${d.actual}`);
  if (r.status.expected !== r.status.actual)
    out.push(`run status: recorded ${r.status.expected}, now ${r.status.actual}`);
  for (const c of r.cells.filter((x) => x.agreement !== 'same')) {
    out.push(`cell ${c.ordinal} [${c.agreement}] ${c.head}`);
    for (const d of c.differences) out.push(`  ${d.where}: recorded ${d.expected} | now ${d.actual}`);
  }
  for (const l of productLines(r.products)) out.push(l.slice(2));
  out.push(
    `${r.verdict} (${r.cells.length} cells, ${r.products.length} products; rtol ${r.policy.rtol}) -> ${r.report}`,
  );
  return out.join('\n') + '\n';
}
