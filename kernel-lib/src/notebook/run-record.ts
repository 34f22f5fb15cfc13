/**
 * The run record the runner writes into the notebook: per-cell metadata (`metadata.stagebook`:
 * status, start, end, duration_ms, execution_count) and notebook metadata (`metadata.stagebook`:
 * versions, parameters, input hashes, ledger run ids, status, times), plus the failure banner cell.
 * Modelled on papermill's `metadata.papermill` and its error banner ("An Exception was encountered
 * at 'In [N]'"), adapted to tslab which reports failures only as stderr text.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunStatus } from '../types/run-status';
import type { InputFileRecord } from './record-files';
import { wasmCoreVersion } from './record-files';
import { cellTags, markdownCell, sourceText, newCellId, type Notebook, type NotebookCell } from './nbformat';

export const BANNER_TAG = 'stagebook-error-banner';
/** Cells `stagebook notebook reproduce` adds to its report (verdict, differences): removed by the next run. */
export const REPRO_REPORT_TAG = 'stagebook-reproduce-report';

/**
 * One cell: Jupyter's execute_reply status (`ok`, `error`, `abort`) plus what the runner saw (`timeout`,
 * `dead` kernel, `running`, `skipped` after a failure, `interrupted` by SIGINT/SIGTERM). A cell is protocol-level; the RUN has the shared
 * run vocabulary (types/run-status.ts): `succeeded`, `failed` (the error code says why), `interrupted`.
 */
export type CellStatus = 'ok' | 'error' | 'abort' | 'timeout' | 'dead' | 'running' | 'skipped' | 'interrupted';
export type { RunStatus };

export interface CellRecord {
  status: CellStatus;
  start?: string;
  end?: string;
  duration_ms?: number;
  execution_count?: number | null;
  error?: Record<string, unknown>;
  /** Characters of output dropped by the per-cell cap. */
  output_truncated_chars?: number;
}

export interface RunRecord {
  runner: string;
  status: RunStatus;
  start: string;
  end?: string;
  duration_ms?: number;
  input_path: string;
  output_path: string;
  /** SOURCE_DATE_EPOCH of the run, when set: product creation dates (FITS DATE) were fixed to it. */
  source_date_epoch?: string;
  /** The kernel's working directory: relative parameters (inputs, output directories) resolve against it. */
  cwd?: string;
  versions: Record<string, string | undefined>;
  kernel?: Record<string, unknown>;
  parameters: { defaults: Record<string, unknown>; injected: Record<string, unknown> };
  input_hashes: Record<string, string>;
  ledger_run_ids: string[];
  /** Input files named by parameters, hashed before the kernel starts (record-files.ts). */
  input_files?: Record<string, InputFileRecord>;
  /** Output directories by output-location parameter (absolute; volatile: `reproduce` redirects them). */
  products_root?: Record<string, string>;
  /** Content hashes of the files under each output directory when the run ended, by parameter. */
  products?: Record<string, Record<string, string>>;
  failed_cell?: number;
  error?: Record<string, unknown>;
}

/** sha256 hex of a file's bytes. */
export function hashFile(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** sha256 hex of a JSON value (keys in insertion order). */
export function hashJson(v: unknown): string {
  return createHash('sha256').update(JSON.stringify(v)).digest('hex');
}

function packageVersion(pkgJson: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Library and kernel versions: stagebook, the WASM core's hash, tslab, tslab's TypeScript, node. */
export function versions(tslabBin: string | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {
    stagebook: packageVersion(path.join(__dirname, '..', '..', 'package.json')),
    wasm_core: wasmCoreVersion(),
    node: process.version,
  };
  if (tslabBin) {
    const tslabDir = path.dirname(path.dirname(tslabBin));
    out.tslab = packageVersion(path.join(tslabDir, 'package.json'));
    try {
      out.typescript = packageVersion(
        require.resolve('@tslab/typescript-for-tslab/package.json', { paths: [tslabDir] }),
      );
    } catch {
      out.typescript = undefined;
    }
  }
  return out;
}

/**
 * sha256 of the notebook's code (code cell sources in order, the injected-parameters cell left out): what
 * `reproduce` checks so that a record whose code was edited after its run is not taken for its own proof.
 */
export function codeHash(nb: Notebook): string {
  const sources = nb.cells
    .filter((c) => c.cell_type === 'code' && !cellTags(c).includes('injected-parameters'))
    .map((c) => sourceText(c.source));
  return hashJson(sources);
}

/** Prepares the output notebook: nbformat 4.5 cell ids, outputs cleared, old banners removed. */
export function prepareForRun(nb: Notebook): Notebook {
  const out: Notebook = JSON.parse(JSON.stringify(nb));
  out.nbformat_minor = Math.max(out.nbformat_minor ?? 0, 5);
  out.cells = out.cells.filter((c) => !cellTags(c).includes(BANNER_TAG) && !cellTags(c).includes(REPRO_REPORT_TAG));
  delete out.metadata.stagebook_reproduce;
  const seen = new Set<string>();
  for (const c of out.cells) {
    if (!c.id || seen.has(c.id)) c.id = newCellId();
    seen.add(c.id);
    delete c.metadata.stagebook;
    if (c.cell_type === 'code') {
      c.outputs = [];
      c.execution_count = null;
    }
  }
  out.metadata.kernelspec ??= { name: 'tslab', display_name: 'TypeScript', language: 'typescript' };
  out.metadata.language_info ??= { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' };
  return out;
}

/** Sets the run record in notebook metadata. */
export function setRunRecord(nb: Notebook, record: RunRecord): void {
  nb.metadata.stagebook = record;
}

/** Sets a cell's record. */
export function setCellRecord(cell: NotebookCell, record: CellRecord): void {
  cell.metadata.stagebook = record;
}

/** Inserts the failure banner as the first cell (markdown, tagged, visible in every viewer). */
export function insertBanner(nb: Notebook, failed: NotebookCell, status: CellStatus, detail: string): void {
  const excerpt = detail
    .trim()
    .split('\n')
    .slice(0, 12)
    .map((l) => `    ${l}`)
    .join('\n');
  const position = nb.cells.indexOf(failed) + 2; // 1-based, after the banner is inserted
  const count = failed.execution_count == null ? '' : ` (In [${failed.execution_count}])`;
  const text = `**Stagebook run failed**: cell ${position}${count}, id \`${failed.id ?? '?'}\`, ended with status \`${status}\`; the run stopped there.\n\n${excerpt}\n`;
  nb.cells.unshift(markdownCell(text, { tags: [BANNER_TAG] }));
}

/** Text for an error output (nbformat `error`) recording a timeout or a dead kernel. */
export function runnerErrorOutput(ename: string, evalue: string): Record<string, unknown> & { output_type: 'error' } {
  return { output_type: 'error', ename, evalue, traceback: [`${ename}: ${evalue}`] };
}
