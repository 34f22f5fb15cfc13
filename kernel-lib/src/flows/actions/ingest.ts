/**
 * The ingest action (the seed's Pilot step, gather + upload(update=True)): a dataset's flattened HDF5
 * metadata (flattenXpcsMetadata: every dataset path as a dotted key, spoiled keys and
 * exchange.partition_norm_factor dropped as Pilot drops them), DataCite-style fields, the QC result,
 * an optional JSON report (fits) and links to the plots, into the embedded search index. Re-ingest
 * updates in place; type conflicts are warnings (search/search-index.ts), never a failed ingest.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StagebookError } from '../../errors/stagebook-error';
import { XPCS_PILOT_DROPPED_KEYS, XPCS_SPOILED_KEYS, flattenXpcsMetadata } from '../../formats/xpcs/metadata';
import { checkXpcsFile } from '../../formats/xpcs/qc';
import { SearchIndex } from '../../search/search-index';
import { parseActionInput, type ActionContext, type FlowAction } from './types';

export const ingestInput = z
  .object({
    /** Subject (id) of the dataset in the index; default the HDF5 path. */
    subject: z.string().min(1).optional(),
    hdf: z.string().min(1).optional(),
    /** A JSON file merged under `report.` (e.g. the XPCS fit report). */
    report: z.string().min(1).optional(),
    plots: z.array(z.string()).default([]),
    /** Extra fields (flat dotted keys or nested objects). */
    fields: z.record(z.string(), z.unknown()).default({}),
    title: z.string().optional(),
    creators: z.array(z.string()).default([]),
  })
  .strict()
  .refine((v) => v.hdf !== undefined || v.subject !== undefined, 'give hdf or subject');

type IngestInput = z.output<typeof ingestInput>;

async function recordOf(input: IngestInput): Promise<Record<string, unknown>> {
  const record: Record<string, unknown> = {};
  if (input.hdf) {
    if (!existsSync(input.hdf))
      throw new StagebookError('E_FILE_NOT_FOUND', `ingest: ${input.hdf} does not exist`, { path: input.hdf });
    Object.assign(
      record,
      await flattenXpcsMetadata(input.hdf, { drop: [...XPCS_SPOILED_KEYS, ...XPCS_PILOT_DROPPED_KEYS] }),
    );
    const qc = await checkXpcsFile(input.hdf);
    Object.assign(record, {
      'qc.passed': qc.ok,
      'qc.checked': qc.checked,
      'qc.missing': qc.missing.length ? qc.missing : [],
    });
  }
  if (input.report) {
    const report = JSON.parse(readFileSync(input.report, 'utf8')) as Record<string, unknown>;
    record.report = report;
  }
  const title = input.title ?? (input.hdf ? path.basename(input.hdf).replace(/\.(hdf|h5)$/, '') : input.subject);
  Object.assign(record, {
    'dc.title': title,
    'dc.creators': input.creators,
    'dc.publisher': 'stagebook',
    'dc.publicationYear': new Date().getUTCFullYear(),
    'dc.resourceType': 'Dataset',
    'dc.formats': input.hdf ? ['application/x-hdf5'] : [],
    'links.plots': input.plots,
    ...(input.hdf ? { 'links.hdf': input.hdf } : {}),
  });
  Object.assign(record, input.fields);
  return record;
}

function indexFile(ctx: Pick<ActionContext, 'env' | 'state'>): string {
  if (!ctx.env.searchIndex)
    throw new StagebookError('E_FLOW_INPUT', `${ctx.state} (ingest): the flow config has no search.index`, {
      state: ctx.state,
      field: 'search.index',
    });
  return ctx.env.guard.resolve(ctx.env.searchIndex, `${ctx.state}: search index`);
}

async function runIngest(raw: unknown, ctx: ActionContext): Promise<unknown> {
  const input = parseActionInput(ingestInput, raw, 'ingest', ctx.state);
  const record = await recordOf(input);
  const subject = input.subject ?? (input.hdf as string);
  const index = SearchIndex.open(indexFile(ctx));
  try {
    const r = index.ingest(subject, record);
    return { subject, fields: r.fields, warnings: r.warnings };
  } finally {
    index.close();
  }
}

export const ingestAction: FlowAction = {
  name: 'ingest',
  run: runIngest,
  plan(raw, ctx) {
    const input = parseActionInput(ingestInput, raw, 'ingest', ctx.state);
    return { index: indexFile(ctx), subject: input.subject ?? input.hdf };
  },
};
