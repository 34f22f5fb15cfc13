/**
 * The run record an executed stagebook notebook carries (`metadata.stagebook`, written by `stagebook notebook
 * run`: kernel-lib/src/notebook/run-record.ts) as the side panel shows it, and the verdict of a reproduction.
 * Validated with zod at this boundary: a notebook edited by hand shows "no usable run record", never throws.
 */
import { z } from 'zod';

const recordSchema = z.object({
  runner: z.string(),
  status: z.string(),
  start: z.string(),
  duration_ms: z.number().optional(),
  versions: z.record(z.string(), z.string().nullable().optional()),
  parameters: z.object({ defaults: z.record(z.string(), z.unknown()), injected: z.record(z.string(), z.unknown()) }),
  input_files: z
    .record(
      z.string(),
      z.object({ path: z.string(), sha256: z.string(), size: z.number(), url: z.string().optional() }),
    )
    .optional(),
  products: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  ledger_run_ids: z.array(z.string()).optional(),
});

export type RunRecordView = z.output<typeof recordSchema>;

/** The record, or the reason there is none to show. */
export function parseRunRecord(meta: unknown): { record: RunRecordView } | { problem: string } {
  if (meta === undefined || meta === null)
    return { problem: 'This notebook has no run record: run it with `stagebook notebook run`.' };
  const r = recordSchema.safeParse(meta);
  if (r.success) return { record: r.data };
  const issue = r.error.issues[0];
  return { problem: `metadata.stagebook.${issue.path.join('.')}: ${issue.message}` };
}

/** One parameter as shown: its value and whether the run overrode the default. */
export function parameterRows(r: RunRecordView): Array<{ name: string; value: string; injected: boolean }> {
  const all = { ...r.parameters.defaults, ...r.parameters.injected };
  return Object.keys(all).map((name) => ({
    name,
    value: JSON.stringify(all[name]) ?? 'undefined',
    injected: name in r.parameters.injected,
  }));
}

/** `reportJson` of kernel-lib/src/notebook/repro-report.ts, the subset shown. */
const verdictSchema = z.object({
  verdict: z.enum(['reproduced', 'reproduced within tolerance', 'differs']),
  report: z.string().optional(),
  rtol: z.number(),
  status: z.object({ expected: z.string(), actual: z.string() }),
  parameters: z.array(z.object({ where: z.string(), expected: z.string(), actual: z.string() })),
  cells: z.array(
    z.object({
      ordinal: z.number(),
      agreement: z.string(),
      differences: z.array(z.object({ where: z.string(), expected: z.string(), actual: z.string() })),
    }),
  ),
  products: z.array(z.object({ parameter: z.string(), file: z.string() })),
});

export type ReproduceVerdict = z.output<typeof verdictSchema>;

/** What the Reproduce button produced: a verdict, or the error that stopped it (version, input, ...). */
export type ReproduceOutcome = { verdict: ReproduceVerdict } | { error: { code: string; message: string } };

export function parseOutcome(json: unknown): ReproduceOutcome {
  const e = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).safeParse(json);
  if (e.success) return e.data;
  const v = verdictSchema.safeParse(json);
  if (v.success) return { verdict: v.data };
  return { error: { code: 'E_REPRO_RESULT', message: `unreadable result: ${v.error.issues[0]?.message ?? '?'}` } };
}
