/**
 * The run record as `reproduce`, `diff` and `pack` read it back from an executed notebook: a zod schema at
 * that boundary (a hand-edited or foreign notebook is refused naming the field, E_REPRO_RECORD).
 */
import { z } from 'zod';
import { StagebookError } from '../errors/stagebook-error';
import { issuePath } from '../errors/zod-issues';
import { readNotebook, type Notebook } from './nbformat';
import type { RunRecord } from './run-record';

const inputFileSchema = z.object({
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().min(0),
  url: z.string().url().optional(),
});

export const runRecordSchema = z
  .object({
    runner: z.string(),
    status: z.string(),
    start: z.string(),
    input_path: z.string(),
    output_path: z.string(),
    cwd: z.string().optional(),
    versions: z.record(z.string(), z.string().nullable().optional()),
    parameters: z.object({
      defaults: z.record(z.string(), z.unknown()),
      injected: z.record(z.string(), z.unknown()),
    }),
    input_hashes: z.record(z.string(), z.string()),
    input_files: z.record(z.string(), inputFileSchema).optional(),
    products_root: z.record(z.string(), z.string()).optional(),
    products: z.record(z.string(), z.record(z.string(), z.string())).optional(),
    ledger_run_ids: z.array(z.string()),
  })
  .passthrough();

/** The run record of an executed notebook (its `metadata.stagebook`), validated. */
export function runRecordOf(nb: Notebook, file: string): RunRecord {
  const meta = nb.metadata.stagebook;
  if (meta === undefined) {
    throw new StagebookError(
      'E_REPRO_RECORD',
      `${file}: no run record (metadata.stagebook): run it with \`stagebook notebook run\` first`,
      { where: 'runRecordOf', file, field: 'metadata.stagebook' },
    );
  }
  const r = runRecordSchema.safeParse(meta);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = `metadata.stagebook.${issuePath(issue.path)}`;
    throw new StagebookError('E_REPRO_RECORD', `${file}: ${field}: ${issue.message}`, {
      where: 'runRecordOf',
      file,
      field,
    });
  }
  return r.data as unknown as RunRecord;
}

/** Reads an executed notebook and its run record. */
export function readRecordNotebook(file: string): { nb: Notebook; record: RunRecord } {
  const nb = readNotebook(file);
  return { nb, record: runRecordOf(nb, file) };
}
