/**
 * The CLI commands: run, resume, status, ledger query, pipelines. Each returns an exit code
 * (docs/cli.md); errors are thrown as StagebookError and mapped to codes by main.ts.
 */
import { createInterface } from 'node:readline/promises';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { StagebookError, type StagebookErrorCode } from '../errors/stagebook-error';
import { ensureDirSync } from '../workdirs/atomic';
import { loadStagebookConfig, type StagebookConfig } from '../config/schema';
import { stagebookEvents } from '../events/emitter';
import { Ledger } from '../ledger/ledger';
import { queryFiles, type FileQuery } from '../ledger/queries';
import type { FileState } from '../ledger/types';
import type { LogLevel } from '../logging/unit-log';
import { levelIndex, levelRange } from '../engine/levels';
import { registeredPipelines, resolvePipeline } from '../engine/registry';
import { resumeRun, runPipeline, type RunResult } from '../engine/runner';
import { resolveWorkspace } from '../engine/workspace';
import path from 'node:path';
import { EXIT, exitCodeOf } from '../errors/exit-codes';
import { isResourceCode } from '../ledger/resource-errors';
import { configFile, parseArgs, str, usage } from './args';
import { terminalRenderer } from './progress';
import { formatExecutorStatus, formatRunReports, runReports } from './status';
import { formatBytes, textTable } from './text-table';

/** Exit codes: one table for the whole binary (documented in docs/cli.md). */
export { EXIT };

/** Exit codes of resource faults (sysexits.h numbers where one fits; docs/cli.md). */
export const RESOURCE_EXIT: Record<string, number> = {
  E_OUTPUT_PATH: 73, // EX_CANTCREAT: --out-file / --log-file cannot be created
  E_DISK_FULL: 74, // EX_IOERR
  E_LEDGER_LOCKED: 75, // EX_TEMPFAIL: retry later
  E_LEDGER_CORRUPT: 76,
  E_READ_ONLY: 77, // EX_NOPERM
};

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

function statusExit(r: RunResult): number {
  // a unit stopped by a resource fault: the run's exit code says which fault (it stays resumable)
  const fault = r.failures.find((f) => isResourceCode(f.code));
  if (fault) {
    process.stderr.write(
      `stagebook: ${fault.code}: ${fault.message} (run ${r.runId} stopped; \`stagebook resume ${r.runId}\` continues it)\n`,
    );
    return exitCodeOf(fault.code as StagebookErrorCode);
  }
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
    config: 'value',
    'start-level': 'value',
    'end-level': 'value',
    filter: 'value',
    'input-files': 'value',
    'stop-on-error': 'flag',
    'continue-on-error': 'flag',
    'out-file': 'value',
    'log-file': 'value',
    'log-level': 'value',
    clean: 'flag',
    yes: 'flag',
    force: 'flag',
    verbose: 'flag',
  });
  if (a.positionals.length !== 1) throw usage('run needs exactly one pipeline name');
  if (a.options['stop-on-error'] && a.options['continue-on-error'])
    throw usage('--stop-on-error and --continue-on-error exclude each other');
  const logLevel = str(a, 'log-level');
  if (logLevel && !LOG_LEVELS.includes(logLevel)) throw usage(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const pipeline = resolvePipeline(a.positionals[0]);
  const { config, source } = loadStagebookConfig(configFile(a));
  checkSideFiles(a);
  const startLevel = str(a, 'start-level');
  const endLevel = str(a, 'end-level');
  try {
    levelRange(pipeline.levels, startLevel, endLevel);
  } catch (e) {
    throw usage((e as Error).message);
  }
  const clean = a.options.clean === true;
  if (clean && !(await confirmClean(countCleanable(pipeline, config, startLevel, endLevel), a.options.yes === true)))
    return EXIT.ok;
  const inputFiles = str(a, 'input-files')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unsubscribe = subscribeTerminal(a.options.verbose === true);
  try {
    const r = await withSignals((signal) =>
      runPipeline(pipeline, config, {
        startLevel,
        endLevel,
        filter: str(a, 'filter'),
        inputFiles,
        clean,
        signal,
        source,
        onError: a.options['continue-on-error'] ? 'continue' : a.options['stop-on-error'] ? 'stop' : undefined,
        force: a.options.force === true,
        pipelineModule: /\.(c?js)$/.test(a.positionals[0]) ? path.resolve(a.positionals[0]) : undefined,
        logFile: str(a, 'log-file'),
        logLevel: logLevel as LogLevel | undefined,
      }),
    );
    writeOut(str(a, 'out-file'), r);
    return statusExit(r);
  } finally {
    unsubscribe();
  }
}

function countCleanable(
  pipeline: ReturnType<typeof resolvePipeline>,
  config: StagebookConfig,
  start?: string,
  end?: string,
): number {
  const ledgerFile = config.ledger;
  const range = levelRange(pipeline.levels, start, end);
  const stages = pipeline.order.filter(
    (s) => levelIndex(pipeline.levels, s.level) >= range.start && levelIndex(pipeline.levels, s.level) <= range.end,
  );
  const ledger = Ledger.open(ledgerFile, { busyTimeoutMs: config.engine.busyTimeoutMs });
  try {
    return ledger.filesOfStages(
      pipeline.name,
      stages.map((s) => s.name),
      resolveWorkspace(config).root,
    ).length;
  } finally {
    ledger.close();
  }
}

/**
 * Checks, before any work, that the files the CLI writes besides the outputs can be created:
 * `--out-file` needs an existing directory, `--log-file`'s directory is created (E_OUTPUT_PATH).
 */
function checkSideFiles(a: { options: Record<string, string | boolean> }): void {
  const out = str(a as Parameters<typeof str>[0], 'out-file');
  if (out) {
    const dir = path.dirname(path.resolve(out));
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw outputPathError('--out-file', out, `directory ${dir} does not exist`);
  }
  const log = str(a as Parameters<typeof str>[0], 'log-file');
  if (log) {
    try {
      ensureDirSync(path.dirname(path.resolve(log)));
    } catch (e) {
      throw outputPathError(
        '--log-file',
        log,
        `cannot create its directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        e,
      );
    }
  }
}

function outputPathError(flag: string, file: string, why: string, cause?: unknown): StagebookError {
  return new StagebookError(
    'E_OUTPUT_PATH',
    `${flag} ${file}: ${why}: give a path in an existing, writable directory`,
    { where: 'cli', field: flag, file },
    { cause },
  );
}

function writeOut(file: string | undefined, r: RunResult): void {
  if (!file) return;
  try {
    writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  } catch (e) {
    throw new StagebookError(
      'E_OUTPUT_PATH',
      `--out-file ${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the run ${r.runId} itself ended ${r.status}: \`stagebook status --run ${r.runId} --json\` shows it`,
      { where: 'cli', field: '--out-file', file, runId: r.runId },
      { cause: e },
    );
  }
}

/** `stagebook resume <run> --config F` */
export async function cmdResume(argv: string[]): Promise<number> {
  const a = parseArgs(argv, {
    config: 'value',
    'out-file': 'value',
    'log-file': 'value',
    'log-level': 'value',
    verbose: 'flag',
  });
  if (a.positionals.length !== 1) throw usage('resume needs exactly one run id');
  const { config, source } = loadStagebookConfig(configFile(a));
  checkSideFiles(a);
  const ledger = Ledger.open(config.ledger, { busyTimeoutMs: config.engine.busyTimeoutMs });
  let pipelineName: string;
  try {
    const run = ledger.getRun(a.positionals[0]);
    // a run of a module-path pipeline is resumed from the module it was loaded from
    const stored = JSON.parse(run.options_json) as { pipelineModule?: string };
    pipelineName = stored.pipelineModule ?? run.pipeline;
  } finally {
    ledger.close();
  }
  const unsubscribe = subscribeTerminal(a.options.verbose === true);
  try {
    const r = await withSignals((signal) =>
      resumeRun(resolvePipeline(pipelineName), config, a.positionals[0], {
        signal,
        source,
        logFile: str(a, 'log-file'),
        logLevel: str(a, 'log-level') as LogLevel | undefined,
      }),
    );
    writeOut(str(a, 'out-file'), r);
    return statusExit(r);
  } finally {
    unsubscribe();
  }
}

/** `stagebook status [--config F] [--run ID] [--json] [--limit N]` */
export async function cmdStatus(argv: string[]): Promise<number> {
  const a = parseArgs(argv, {
    config: 'value',
    run: 'value',
    json: 'flag',
    limit: 'value',
    pipeline: 'value',
    executor: 'flag',
  });
  const limit = positiveLimit(a, 10);
  const { config } = loadStagebookConfig(configFile(a));
  const executor = config.executor.kind === 'bullmq' ? config.executor : undefined;
  if (a.options.executor) {
    if (!executor) throw usage('--executor: this workspace runs units in-process (its config has no executor: bullmq)');
    const s = await (await import('../engine/bullmq/queue-status')).executorStatus(executor);
    process.stdout.write(a.options.json ? JSON.stringify(s, null, 2) + '\n' : formatExecutorStatus(s));
    return EXIT.ok;
  }
  const ledger = Ledger.open(config.ledger, { busyTimeoutMs: config.engine.busyTimeoutMs });
  try {
    const reports = runReports(ledger, { pipeline: str(a, 'pipeline'), limit, run: str(a, 'run') });
    if (a.options.json) process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
    else {
      let text = formatRunReports(reports);
      // queue depths and workers from Redis (status still works, and says so, when Redis is down)
      if (executor)
        text += formatExecutorStatus(await (await import('../engine/bullmq/queue-status')).executorStatus(executor));
      process.stdout.write(text);
    }
    return EXIT.ok;
  } finally {
    ledger.close();
  }
}

/** `stagebook ledger query --config F [--level L] [--version-lt N] [--product P] [--stage S] [--state S] [--json]` */
export async function cmdLedger(argv: string[]): Promise<number> {
  if (argv[0] !== 'query') throw usage('ledger: the only subcommand is `query`');
  const a = parseArgs(argv.slice(1), {
    config: 'value',
    level: 'value',
    'version-lt': 'value',
    product: 'value',
    stage: 'value',
    pipeline: 'value',
    state: 'value',
    json: 'flag',
    limit: 'value',
  });
  const { config } = loadStagebookConfig(configFile(a));
  const versionLt = str(a, 'version-lt');
  if (versionLt !== undefined && !/^\d+$/.test(versionLt)) throw usage('--version-lt needs an integer');
  const state = str(a, 'state');
  if (state !== undefined && !FILE_STATES.includes(state as FileState))
    throw usage(`--state must be one of ${FILE_STATES.join(', ')}, not ${JSON.stringify(state)}`);
  const q: FileQuery = {
    level: str(a, 'level'),
    product: str(a, 'product'),
    stage: str(a, 'stage'),
    pipeline: str(a, 'pipeline'),
    state: state as FileState | undefined,
    versionLt: versionLt === undefined ? undefined : Number(versionLt),
    limit: positiveLimit(a, 10_000),
  };
  const ledger = Ledger.open(config.ledger, { busyTimeoutMs: config.engine.busyTimeoutMs });
  try {
    const rows = queryFiles(ledger, q);
    if (a.options.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    else if (rows.length === 0) process.stdout.write('no files match\n');
    else {
      const cells = rows.map((f) => [
        f.level ?? '-',
        f.version === null ? '-' : `v${f.version}`,
        f.product ?? '-',
        f.state,
        formatBytes(f.size),
        f.path,
      ]);
      process.stdout.write(
        textTable(['LEVEL', 'VERSION', 'PRODUCT', 'STATE', 'SIZE', 'PATH'], cells, { right: ['SIZE'] }),
      );
    }
    return EXIT.ok;
  } finally {
    ledger.close();
  }
}

const FILE_STATES: readonly FileState[] = ['source', 'complete', 'superseded', 'deleted'];

/** `--limit N`: a positive integer (a negative one meant "unlimited" to SQLite). */
function positiveLimit(a: Parameters<typeof str>[0], fallback: number): number {
  const v = str(a, 'limit');
  if (v === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(v)) throw usage(`--limit needs a positive integer, not ${JSON.stringify(v)}`);
  return Number(v);
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
