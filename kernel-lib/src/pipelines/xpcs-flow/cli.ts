/**
 * `stagebook xpcs automate` (the seed's scripts/automate_xpcs.py) and `stagebook xpcs crawl` (its
 * scripts/crawl_clutch.py). Both build the XPCS flow input (flow-input.ts) and start flows recorded in
 * the ledger; --dry-run prints the input document and the plan, writing nothing.
 */
import path from 'node:path';
import { parseArgs, required, str, usage } from '../../cli/args';
import { FLOW_EXIT, runInForeground, startInBackground } from '../../flows/cli';
import { loadFlowConfig, type FlowEnvironment } from '../../flows/config';
import { planFlow } from '../../flows/plan';
import { FlowStore } from '../../flows/store';
import { crawlDatasets, type CrawledDataset } from './crawler';
import { xpcsFlowDefinition, xpcsFlowInput } from './flow-input';

function regexOf(s: string | undefined): RegExp {
  try {
    return new RegExp(s ?? '.*');
  } catch (e) {
    throw usage(`--expression is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** Creates (deduplicated) and starts one dataset's flow; returns its id and whether it is new. */
function startDataset(
  env: FlowEnvironment,
  configFile: string,
  d: { hdf: string; raw: string; rigaku: boolean; key?: string },
  block: boolean,
): { id: string; created: boolean } {
  const def = xpcsFlowDefinition();
  const input = xpcsFlowInput(env, d);
  const store = FlowStore.open(env.ledger);
  try {
    const { run, created } = store.createRun('xpcs', def, input, { label: String(input.dataset), dedupKey: d.key });
    if (created && !block) startInBackground(configFile, run.id);
    return { id: run.id, created };
  } finally {
    store.close();
  }
}

async function cmdAutomate(argv: string[]): Promise<number> {
  const a = parseArgs(argv, {
    config: 'value',
    input: 'value',
    imm: 'value',
    rigaku: 'flag',
    expression: 'value',
    'dry-run': 'flag',
    block: 'flag',
  });
  if (a.positionals.length > 0)
    throw usage(`xpcs automate takes no positional arguments (got ${a.positionals.join(' ')})`);
  const configFile = required(a, 'config');
  const { env } = loadFlowConfig(configFile);
  const hdf = path.resolve(required(a, 'input'));
  const raw = path.resolve(required(a, 'imm'));
  if (!regexOf(str(a, 'expression')).test(hdf)) {
    process.stderr.write(
      `xpcs automate: ${hdf} does not match --expression ${str(a, 'expression')}; nothing started\n`,
    );
    return FLOW_EXIT.failed;
  }
  const req = { hdf, raw, rigaku: a.options.rigaku === true };
  if (a.options['dry-run']) {
    const input = xpcsFlowInput(env, req);
    process.stdout.write(
      JSON.stringify({ dryRun: true, input, steps: planFlow(xpcsFlowDefinition(), input, env) }, null, 2) + '\n',
    );
    return FLOW_EXIT.ok;
  }
  const { id } = startDataset(env, configFile, req, a.options.block === true);
  if (a.options.block) return runInForeground(env, id);
  process.stdout.write(`${id}\n`);
  return FLOW_EXIT.ok;
}

async function crawlOnce(
  env: FlowEnvironment,
  configFile: string,
  dir: string,
  expression: RegExp,
  dryRun: boolean,
  block: boolean,
): Promise<number> {
  const found = crawlDatasets(dir, expression);
  for (const bad of found.invalid) process.stderr.write(`invalid dataset ${bad.dir}: ${bad.reason}\n`);
  let started = 0;
  let failed = 0;
  for (const d of found.valid) {
    if (dryRun) {
      process.stdout.write(`would start ${d.dir}\n`);
      continue;
    }
    const r = startDataset(env, configFile, d, block);
    if (!r.created) continue;
    started++;
    process.stdout.write(`started ${r.id} for ${d.dir}\n`);
    if (block && (await runInForeground(env, r.id)) !== FLOW_EXIT.ok) failed++;
  }
  process.stdout.write(
    `crawl: ${found.valid.length} valid, ${started} started, ${found.valid.length - started} already known${dryRun ? ' (dry run)' : ''}, ${found.invalid.length} invalid\n`,
  );
  return failed > 0 ? FLOW_EXIT.failed : FLOW_EXIT.ok;
}

async function cmdCrawl(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { config: 'value', expression: 'value', watch: 'flag', 'dry-run': 'flag', block: 'flag' });
  if (a.positionals.length !== 1) throw usage('xpcs crawl needs exactly one directory');
  const configFile = required(a, 'config');
  const { env } = loadFlowConfig(configFile);
  const dir = path.resolve(a.positionals[0]);
  const expression = regexOf(str(a, 'expression'));
  const dryRun = a.options['dry-run'] === true;
  const code = await crawlOnce(env, configFile, dir, expression, dryRun, a.options.block === true);
  if (!a.options.watch) return code;
  // Watch: rescan when files settle (chokidar's awaitWriteFinish: a copy in progress is not a dataset).
  const { watch } = await import('chokidar');
  const watcher = watch(dir, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 500, pollInterval: 100 } });
  let busy = Promise.resolve(0);
  watcher.on('add', () => {
    busy = busy.then(() => crawlOnce(env, configFile, dir, expression, dryRun, a.options.block === true));
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await watcher.close();
  await busy;
  return FLOW_EXIT.ok;
}

export const XPCS_FLOW_HELP = `  automate --config CFG --input HDF --imm RAW [--rigaku] [--expression REGEX] [--dry-run] [--block]
  crawl DIR --config CFG [--expression REGEX] [--watch] [--dry-run] [--block]
`;

/** `stagebook xpcs automate|crawl ...` */
export async function xpcsFlowCommand(sub: string, argv: string[]): Promise<number> {
  if (sub === 'automate') return cmdAutomate(argv);
  if (sub === 'crawl') return cmdCrawl(argv);
  throw usage(`unknown xpcs command ${sub}`);
}

export type { CrawledDataset };
