/**
 * The built-in example pipeline `example`: three stages over text files with a split and a merge,
 * the smallest chain that exercises everything the engine does (used by the tests and the CLI).
 *
 *   incoming/*.txt --tokenize (map, L0)--> L0/<name>.words.json
 *                  --split-by-initial (split, L1)--> L1/<name>/<letter>.json   (one file per initial)
 *                  --collate (merge, L2)--> L2/counts.json                     (all files into one)
 *
 * `delayMs` parameters make a stage slow on purpose (tests kill a process mid-stage); `failOn`
 * makes tokenize fail on matching inputs (tests of failures and `.err` markers).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StagebookError } from '../errors/stagebook-error';
import { definePipeline } from '../engine/pipeline';
import { defineStage } from '../engine/stage';

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

const tokenizeParams = z.strictObject({
  lowercase: z.boolean().default(true).describe('Lower-case every word before counting'),
  minLength: z.number().int().min(1).default(1).describe('Drop words shorter than this'),
  failOn: z.string().optional().describe('Fail on inputs whose base name contains this text (testing failures)'),
  delayMs: z.number().int().min(0).default(0).describe('Sleep this long per input (testing restarts)'),
});

const splitParams = z.strictObject({
  delayMs: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('Sleep this long half-way through writing each input (testing kills mid-write)'),
});

const collateParams = z.strictObject({
  top: z.number().int().min(1).optional().describe('Keep only the N most frequent initials'),
});

const baseName = (p: string): string => path.basename(p).replace(/\.(txt|words\.json)$/, '');

/** map: text -> list of words. */
export const tokenizeStage = defineStage<z.output<typeof tokenizeParams>>({
  name: 'tokenize',
  version: 1,
  kind: 'map',
  level: 'L0',
  product: 'words',
  usesCore: false,
  params: tokenizeParams,
  description: 'Splits a text file into words',
  async run(ctx) {
    const name = baseName(ctx.input.path);
    if (ctx.params.failOn && name.includes(ctx.params.failOn)) {
      throw new StagebookError('E_INVALID_ARGUMENT', `tokenize: refusing ${name} (failOn=${ctx.params.failOn})`, {
        where: 'tokenize',
        file: ctx.input.path,
      });
    }
    if (ctx.params.delayMs) await sleep(ctx.params.delayMs, ctx.signal);
    const text = await fsp.readFile(ctx.input.path, 'utf8');
    let words = text.split(/[^\p{L}\p{N}']+/u).filter((w) => w.length >= ctx.params.minLength);
    if (ctx.params.lowercase) words = words.map((w) => w.toLowerCase());
    ctx.log.info(`${words.length} words in ${name}`);
    await ctx.writeJson(`L0/${name}.words.json`, words);
  },
});

/** split: one words file -> one file per initial letter. */
export const splitStage = defineStage<z.output<typeof splitParams>>({
  name: 'split-by-initial',
  version: 1,
  kind: 'split',
  level: 'L1',
  product: 'initial-words',
  usesCore: false,
  after: ['tokenize'],
  params: splitParams,
  description: 'Splits a word list into one file per initial letter',
  async run(ctx) {
    const name = baseName(ctx.input.path);
    const words = JSON.parse(await fsp.readFile(ctx.input.path, 'utf8')) as string[];
    const groups = new Map<string, string[]>();
    for (const w of words) {
      const k = w[0].toLowerCase();
      groups.set(k, [...(groups.get(k) ?? []), w]);
    }
    const keys = [...groups.keys()].sort();
    let n = 0;
    for (const k of keys) {
      const tmp = ctx.output(`L1/${name}/${k}.json`);
      const body = JSON.stringify(groups.get(k)) + '\n';
      await fsp.writeFile(tmp, body.slice(0, Math.ceil(body.length / 2)));
      if (ctx.params.delayMs) await sleep(ctx.params.delayMs, ctx.signal);
      await fsp.appendFile(tmp, body.slice(Math.ceil(body.length / 2)));
      ctx.progress(++n, keys.length, `${name}/${k}`);
    }
  },
});

/** merge: every per-initial file -> counts per initial. */
export const collateStage = defineStage<z.output<typeof collateParams>>({
  name: 'collate',
  version: 1,
  kind: 'merge',
  level: 'L2',
  product: 'counts',
  usesCore: false,
  after: ['split-by-initial'],
  params: collateParams,
  description: 'Counts words per initial over all inputs',
  async run(ctx) {
    const counts: Record<string, number> = {};
    for (const f of ctx.inputs) {
      const k = path.basename(f.path, '.json');
      counts[k] = (counts[k] ?? 0) + (JSON.parse(await fsp.readFile(f.path, 'utf8')) as string[]).length;
    }
    let entries = Object.entries(counts).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
    if (ctx.params.top) entries = entries.slice(0, ctx.params.top);
    ctx.log.info(`collated ${ctx.inputs.length} files`);
    await ctx.writeJson('L2/counts.json', { files: ctx.inputs.length, counts: Object.fromEntries(entries) });
  },
});

/** The example pipeline (registered as `example`). */
export const examplePipeline = definePipeline({
  name: 'example',
  description: 'Word counts per initial letter: tokenize (map) -> split-by-initial (split) -> collate (merge)',
  stages: [tokenizeStage, splitStage, collateStage],
});
