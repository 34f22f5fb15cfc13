/**
 * The CLI commands: run, resume, status, ledger query, pipelines. Each returns an exit code
 * (docs/cli.md); errors are thrown as StagebookError and mapped to codes by main.ts.
 */
import { createInterface } from 'node:readline/promises';
import { writeFileSync } from 'node:fs';
import { loadStagebookConfig } from '../config/schema';
import { stagebookEvents } from '../events/emitter';
import { Ledger } from '../ledger/ledger';
import { queryFiles, type FileQuery } from '../ledger/queries';
import type { FileState } from '../ledger/types';
import type { LogLevel } from '../logging/unit-log';
import { levelIndex, levelRange } from '../engine/levels';
import { registeredPipelines, resolvePipeline } from '../engine/registry';
import { resumeRun, runPipeline, type RunResult } from '../engine/runner';
import { EXIT } from '../errors/exit-codes';
import { configFile, parseArgs, str, usage } from './args';
import { terminalRenderer } from './progress';
import { formatRunReports, runReports } from './status';
import { formatBytes, textTable } from './text-table';

/** Exit codes: one table for the whole binary (documented in docs/cli.md). */
export { EXIT };

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

function statusExit(r: RunResult): number {
  return r.status === 'succeeded' ? EXIT.ok : r.status === 'interrupted' ? EXIT.interrupted : EXIT.failed;
}

function withSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const c = new AbortController();
  const stop = (): void => c.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return fn(c.signal).finally(() => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
}

function subscribeTerminal(verbose: boolean): () => void {
  const interactive = Boolean(process.stderr.isTTY) && !process.env.CI;
  return stagebookEvents.subscribe(terminalRenderer(process.stderr, interactive, verbose));
}

async function confirmClean(count: number, yes: boolean): Promise<boolean> {
  if (yes || count === 0) return true;
  if (!process.stdin.isTTY) throw usage('--clean deletes outputs: add --yes when not interactive');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`Delete ${count} output file(s)? [y/N] `);
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

/** `stagebook run <pipeline> --config F [...]` */
export async function cmdRun(argv: string[]): Promise<number> {
  const a = parseArgs(argv, {
    config: 'value', 'start-level': 'value', 'end-level': 'value', filter: 'value', 'input-files': 'value',
    'stop-on-error': 'flag', 'continue-on-error': 'flag', 'out-file': 'value', 'log-file': 'value', 'log-level': 'value',
    clean: 'flag', yes: 'flag', force: 'flag', verbose: 'flag',
  });
  if (a.positionals.length !== 1) throw usage('run needs exactly one pipeline name');
  if (a.options['stop-on-error'] && a.options['continue-on-error']) throw usage('--stop-on-error and --continue-on-error exclude each other');
  const logLevel = str(a, 'log-level');
  if (logLevel && !LOG_LEVELS.includes(logLevel)) throw usage(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const pipeline = resolvePipeline(a.positionals[0]);
  const { config, source } = loadStagebookConfig(configFile(a));
  const startLevel = str(a, 'start-level');
  const endLevel = str(a, 'end-level');
  try {
    levelRange(pipeline.levels, startLevel, endLevel);
  } catch (e) {
    throw usage((e as Error).message);
  }
  const clean = a.options.clean === true;
  if (clean && !(await confirmClean(countCleanable(pipeline, config.ledger, startLevel, endLevel), a.options.yes === true))) return EXIT.ok;
  const inputFiles = str(a, 'input-files')?.split(',').map((s) => s.trim()).filter(Boolean);
  const unsubscribe = subscribeTerminal(a.options.verbose === true);
  try {
    const r = await withSignals((signal) =>
      runPipeline(pipeline, config, {
        startLevel, endLevel, filter: str(a, 'filter'), inputFiles, clean, signal, source,
        onError: a.options['continue-on-error'] ? 'continue' : a.options['stop-on-error'] ? 'stop' : undefined,
        force: a.options.force === true,
        logFile: str(a, 'log-file'), logLevel: logLevel as LogLevel | undefined,
      }));
    writeOut(str(a, 'out-file'), r);
    return statusExit(r);
  } finally {
    unsubscribe();
  }
}

function countCleanable(pipeline: ReturnType<typeof resolvePipeline>, ledgerFile: string, start?: string, end?: string): number {
  const range = levelRange(pipeline.levels, start, end);
  const stages = pipeline.order.filter((s) => levelIndex(pipeline.levels, s.level) >= range.start && levelIndex(pipeline.levels, s.level) <= range.end);
  const ledger = Ledger.open(ledgerFile);
  try {
    return ledger.filesOfStages(pipeline.name, stages.map((s) => s.name)).length;
  } finally {
    ledger.close();
  }
}

function writeOut(file: string | undefined, r: RunResult): void {
  if (file) writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
}

/** `stagebook resume <run> --config F` */
export async function cmdResume(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { config: 'value', 'out-file': 'value', 'log-file': 'value', 'log-level': 'value', verbose: 'flag' });
  if (a.positionals.length !== 1) throw usage('resume needs exactly one run id');
  const { config, source } = loadStagebookConfig(configFile(a));
  const ledger = Ledger.open(config.ledger);
  let pipelineName: string;
  try {
    pipelineName = ledger.getRun(a.positionals[0]).pipeline;
  } finally {
    ledger.close();
  }
  const unsubscribe = subscribeTerminal(a.options.verbose === true);
  try {
    const r = await withSignals((signal) => resumeRun(resolvePipeline(pipelineName), config, a.positionals[0], { signal, source, logFile: str(a, 'log-file'), logLevel: str(a, 'log-level') as LogLevel | undefined }));
    writeOut(str(a, 'out-file'), r);
    return statusExit(r);
  } finally {
    unsubscribe();
  }
}

/** `stagebook status [--config F] [--run ID] [--json] [--limit N]` */
export async function cmdStatus(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { config: 'value', run: 'value', json: 'flag', limit: 'value', pipeline: 'value' });
  const limit = str(a, 'limit') ?? '10';
  if (!/^\d+$/.test(limit) || Number(limit) < 1) throw usage(`--limit needs a positive integer, got ${limit}`);
  const { config } = loadStagebookConfig(configFile(a));
  const ledger = Ledger.open(config.ledger);
  try {
    const reports = runReports(ledger, { pipeline: str(a, 'pipeline'), limit: Number(limit), run: str(a, 'run') });
    process.stdout.write(a.options.json ? JSON.stringify(reports, null, 2) + '\n' : formatRunReports(reports));
    return EXIT.ok;
  } finally {
    ledger.close();
  }
}

/** `stagebook ledger query --config F [--level L] [--version-lt N] [--product P] [--stage S] [--state S] [--json]` */
export async function cmdLedger(argv: string[]): Promise<number> {
  if (argv[0] !== 'query') throw usage('ledger: the only subcommand is `query`');
  const a = parseArgs(argv.slice(1), { config: 'value', level: 'value', 'version-lt': 'value', product: 'value', stage: 'value', pipeline: 'value', state: 'value', json: 'flag', limit: 'value' });
  const { config } = loadStagebookConfig(configFile(a));
  const versionLt = str(a, 'version-lt');
  if (versionLt !== undefined && !/^\d+$/.test(versionLt)) throw usage('--version-lt needs an integer');
  const q: FileQuery = { level: str(a, 'level'), product: str(a, 'product'), stage: str(a, 'stage'), pipeline: str(a, 'pipeline'), state: str(a, 'state') as FileState | undefined, versionLt: versionLt === undefined ? undefined : Number(versionLt), limit: Number(str(a, 'limit') ?? 10_000) };
  const ledger = Ledger.open(config.ledger);
  try {
    const rows = queryFiles(ledger, q);
    if (a.options.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    else if (rows.length === 0) process.stdout.write('no files match\n');
    else {
      const cells = rows.map((f) => [f.level ?? '-', f.version === null ? '-' : `v${f.version}`, f.product ?? '-', f.state, formatBytes(f.size), f.path]);
      process.stdout.write(textTable(['LEVEL', 'VERSION', 'PRODUCT', 'STATE', 'SIZE', 'PATH'], cells, { right: ['SIZE'] }));
    }
    return EXIT.ok;
  } finally {
    ledger.close();
  }
}

/** `stagebook pipelines` */
export async function cmdPipelines(): Promise<number> {
  const rows = registeredPipelines().map((name) => {
    const p = resolvePipeline(name);
    return [name, p.levels.join(' '), p.order.map((s) => `${s.name}[${s.kind},${s.level}]`).join(' -> ')];
  });
  process.stdout.write(textTable(['PIPELINE', 'LEVELS', 'STAGES [kind, level]'], rows));
  return EXIT.ok;
}
