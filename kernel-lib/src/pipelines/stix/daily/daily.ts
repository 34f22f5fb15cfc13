/**
 * `stagebook stix daily` (STIXCore `pipeline_daily.py`): makes the ANC aspect and LL03 quick-look
 * products of every L1 HK / QL daily file below the input root (optionally one day), skipping what the
 * processing history says was made after the input last changed; a new product version is made again.
 * One input's failure is reported and the others go on (STIXCore `--continue_on_error`) unless
 * `stopOnError`.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StagebookError } from '../../../errors/stagebook-error';
import { ProcessingHistory } from './history';
import { DAILY_KINDS, dailyName, makeDailyProduct, type DailyKind } from './products';

export const dailyOptionsSchema = z.strictObject({
  fitsInDir: z.string().min(1).describe('-i: root of the L1 files (searched recursively)'),
  fitsOutDir: z.string().min(1).describe('-o: root of the products (ANC/..., LL/...)'),
  dbFile: z.string().min(1).default('~/processed.sqlite').describe('-d: the processing history'),
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .describe('--day: only this UTC day (default: every day found)'),
  versions: z
    .strictObject({
      asp: z.number().int().min(1).default(2).describe('ANC aspect product version'),
      ql: z.number().int().min(1).default(1).describe('LL03 quick-look product version'),
    })
    .prefault({})
    .describe('Product versions: a higher one makes every product again'),
  stopOnError: z.boolean().default(false).describe('Stop at the first failing input (STIXCore Logging.stop_on_error)'),
});
export type DailyOptions = z.output<typeof dailyOptionsSchema>;

/** One input's outcome. */
export interface DailyItem {
  input: string;
  product: string;
  status: 'made' | 'skipped' | 'failed';
  outputs: string[];
  reason: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The inputs and their kind (U files only when no complete twin is there). */
export function dailyInputs(o: DailyOptions): Array<{ input: string; kind: DailyKind; day: string }> {
  const all = walk(o.fitsInDir);
  const names = new Set(all.map((f) => path.basename(f)));
  const out: Array<{ input: string; kind: DailyKind; day: string }> = [];
  for (const f of all) {
    const base = path.basename(f).replace(/_V(\d{2})U\.fits$/, '_V$1.fits');
    if (base !== path.basename(f) && names.has(base)) continue;
    const kind = DAILY_KINDS.find((k) => k.input.test(base));
    if (!kind) continue;
    const day = (kind.input.exec(base) as RegExpExecArray)[1];
    if (o.day && o.day.replace(/-/g, '') !== day) continue;
    out.push({ input: f, kind, day });
  }
  return out;
}

/** Runs the daily pipeline once. */
export function runDaily(o: DailyOptions, now: () => Date = () => new Date()): DailyItem[] {
  const history = ProcessingHistory.open(o.dbFile);
  const items: DailyItem[] = [];
  try {
    for (const { input, kind, day } of dailyInputs(o)) {
      const version = o.versions[kind.type];
      const name = dailyName(kind, day, version);
      const key = { name, level: kind.level, type: kind.type, version, fitsInPath: input };
      if (history.has(key, statSync(input).mtime)) {
        items.push({
          input,
          product: name,
          status: 'skipped',
          outputs: [],
          reason: 'made after the input last changed',
        });
        continue;
      }
      try {
        const outputs = makeDailyProduct(kind, input, day, o.fitsOutDir, version, now());
        history.add({ ...key, fitsOutPath: outputs[0], pDate: now() });
        items.push({ input, product: name, status: 'made', outputs, reason: `version ${version}` });
      } catch (cause) {
        const e = new StagebookError(
          'E_STIX_DAILY',
          `stix daily: ${path.basename(input)} -> ${name}: ${(cause as Error).message}`,
          { where: 'runDaily', file: input },
          { cause },
        );
        if (o.stopOnError) throw e;
        items.push({ input, product: name, status: 'failed', outputs: [], reason: e.message });
      }
    }
    return items;
  } finally {
    history.close();
  }
}
