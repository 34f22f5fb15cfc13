/**
 * `stagebook notebook run IN.ipynb [OUT.ipynb] [-p name value ...] [-y YAML] [-f params.yaml] [options]`,
 * papermill's command line (positional output, `-p` with two arguments, `-y`, `-f`, `--cwd`,
 * `--log-output`, `--progress-bar`), plus today's `-p name=value` and `-o OUT`.
 * Also runnable standalone: `node kernel-lib/dist/notebook/cli.js run ...`.
 * Exit codes: the binary's one table (errors/exit-codes.ts, docs/cli.md).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { EXIT as BIN_EXIT, exitCodeOf } from '../errors/exit-codes';
import { isStagebookError, StagebookError } from '../errors/stagebook-error';
import { formatCellError } from './cell-error';
import { notebookReproCommand, REPRO_SUBCOMMANDS, REPRO_USAGE } from './cli-repro';
import { cellTerminal } from './cli-terminal';
import { killAllKernelsSync } from './launcher';
import { formatParameterHelp } from './parameters';
import {
  EXIT,
  interruptActiveRunsSync,
  resolveParameters,
  runNotebook,
  type RunNotebookOptions,
  type RunSummary,
} from './runner';

export const NOTEBOOK_USAGE = `usage: stagebook notebook run IN.ipynb [OUT.ipynb] [options]     (papermill's command line)

Parameters (later wins: -f, then -y, then -p, then -r):
  -p, --parameters NAME VALUE  set a parameter (repeatable); NAME=VALUE works too. VALUE is YAML
                               (3, true, [1, 2]); raw text when the parameter's default is a string
  -r, --parameters_raw NAME VALUE  set a parameter to VALUE as a string
  -y, --parameters_yaml YAML   a YAML mapping of parameters, e.g. -y "frames: 1000"
  -f, --parameters_file FILE   a YAML file of parameters
      --help-params            print the notebook's parameters and exit
Output and execution:
  OUT.ipynb, -o, --output FILE the executed notebook (the run record); required unless --help-params
      --cwd DIR                the kernel's working directory (default: the notebook's directory)
      --log-output             stream cell outputs (stdout, stderr, displays as text) to stderr as they arrive
      --progress-bar           per-cell progress bar on stderr (default: on when stderr is a terminal)
      --no-progress-bar        no progress bar
      --execution-timeout SEC  per-cell timeout in seconds (also --cell-timeout)
      --timeout SEC            whole-run timeout in seconds
      --start-timeout SEC      kernel start timeout in seconds (default 120)
      --events FILE            append a JSONL event stream (throttled progress) to FILE
      --events-throttle MS     minimum interval between progress events per stage (default 1000)
      --max-cell-output N      cap on one cell's output in characters (default 10485760); the rest is dropped with a note
      --quiet                  do not print the summary line
Exit codes (the binary's one table, docs/cli.md): 0 ok, 1 a cell failed, 2 usage or parameters,
6 notebook not found, 7 not a notebook, 9 timeout, 10 kernel died or did not start, 130/143 interrupted.
`;

function positiveInt(flag: string, v: string): number {
  if (!/^[1-9]\d*$/.test(v)) throw usageError(`${flag}: expected a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

interface ParsedArgs {
  maxCellOutput?: number;
  input?: string;
  output?: string;
  /** `name=value` strings (from `-p name value` and `-p name=value`). */
  params: string[];
  /** `-r name value`: raw strings. */
  raw: Record<string, string>;
  paramsFile?: string;
  paramsYaml?: string;
  helpParams: boolean;
  help: boolean;
  quiet: boolean;
  cwd?: string;
  logOutput: boolean;
  /** undefined: on when stderr is a TTY. */
  progressBar?: boolean;
  cellTimeoutMs?: number;
  runTimeoutMs?: number;
  startTimeoutMs?: number;
  eventsFile?: string;
  eventsThrottleMs?: number;
}

function usageError(message: string): StagebookError {
  return new StagebookError('E_USAGE', `stagebook notebook run: ${message} (see stagebook notebook run --help)`, {
    where: 'notebookCommand',
  });
}

function seconds(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n <= 0)
    throw usageError(`${flag}: expected a positive number of seconds, got ${v ?? 'nothing'}`);
  return Math.round(n * 1000);
}

const NAME = /^[A-Za-z_$][\w$]*$/;

/** Parses the arguments after `notebook run`. */
export function parseRunArgs(argv: string[]): ParsedArgs {
  const a: ParsedArgs = { params: [], raw: {}, helpParams: false, help: false, quiet: false, logOutput: false };
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw usageError(`${flag}: missing value`);
      return v;
    };
    switch (flag) {
      case '-p':
      case '--param':
      case '--parameters':
        a.params.push(parameterPair(flag, value(), () => argv[++i]));
        break;
      case '-r':
      case '--parameters_raw': {
        const name = value();
        const v = argv[++i];
        if (v === undefined || !NAME.test(name)) throw usageError(`${flag}: expected NAME VALUE`);
        a.raw[name] = v;
        break;
      }
      case '-f':
      case '--params-file':
      case '--parameters_file':
        a.paramsFile = value();
        break;
      case '-y':
      case '--parameters_yaml':
        a.paramsYaml = value();
        break;
      case '-o':
      case '--output':
        a.output = setOutput(a.output, value());
        break;
      case '--cwd':
        a.cwd = value();
        break;
      case '--log-output':
        a.logOutput = true;
        break;
      case '--progress-bar':
        a.progressBar = true;
        break;
      case '--no-progress-bar':
        a.progressBar = false;
        break;
      case '--help-params':
        a.helpParams = true;
        break;
      case '-h':
      case '--help':
        a.help = true;
        break;
      case '--quiet':
        a.quiet = true;
        break;
      case '--cell-timeout':
      case '--execution-timeout':
        a.cellTimeoutMs = seconds(flag, value());
        break;
      case '--timeout':
        a.runTimeoutMs = seconds(flag, value());
        break;
      case '--start-timeout':
        a.startTimeoutMs = seconds(flag, value());
        break;
      case '--events':
        a.eventsFile = value();
        break;
      case '--events-throttle':
        a.eventsThrottleMs = Number(value());
        break;
      case '--max-cell-output':
        a.maxCellOutput = positiveInt(flag, value());
        break;
      default:
        if (flag.startsWith('-') && flag !== '-') throw usageError(`unknown option ${flag}`);
        positionals.push(arg);
    }
  }
  if (positionals.length > 2) throw usageError(`unexpected argument ${positionals[2]} (usage: IN.ipynb [OUT.ipynb])`);
  a.input = positionals[0];
  if (positionals[1] !== undefined) a.output = setOutput(a.output, positionals[1]);
  return a;
}

/** `-p name=value` (one argument holding `=` after a name) or papermill's `-p name value`. */
function parameterPair(flag: string, first: string, next: () => string | undefined): string {
  const eq = first.indexOf('=');
  if (eq > 0 && NAME.test(first.slice(0, eq))) return first;
  if (!NAME.test(first)) throw usageError(`${flag} ${first}: expected NAME VALUE or NAME=VALUE`);
  const v = next();
  if (v === undefined) throw usageError(`${flag} ${first}: missing value`);
  return `${first}=${v}`;
}

function setOutput(current: string | undefined, next: string): string {
  if (current !== undefined && current !== next) throw usageError(`two output notebooks given: ${current} and ${next}`);
  return next;
}

/**
 * Entry point for `stagebook notebook ...` (argv = the arguments after `notebook`).
 * Resolves to the process exit code; prints to stdout/stderr, never calls process.exit.
 */
export async function notebookCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    process.stdout.write(`${NOTEBOOK_USAGE}\n${REPRO_USAGE}`);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  try {
    if ((REPRO_SUBCOMMANDS as readonly string[]).includes(sub))
      return await notebookReproCommand(sub as (typeof REPRO_SUBCOMMANDS)[number], rest);
    if (sub !== 'run') throw usageError(`unknown subcommand "${sub}" (expected: run, ${REPRO_SUBCOMMANDS.join(', ')})`);
    return await runCommand(parseRunArgs(rest));
  } catch (e) {
    process.stderr.write(`${describeError(e)}\n`);
    return isStagebookError(e) ? exitCodeOf(e.code) : BIN_EXIT.internal;
  }
}

function describeError(e: unknown): string {
  if (isStagebookError(e)) return `${e.code}: ${e.message}`;
  return `E_INTERNAL: ${(e as Error)?.stack ?? String(e)}`;
}

async function runCommand(a: ParsedArgs): Promise<number> {
  if (a.help) {
    process.stdout.write(NOTEBOOK_USAGE);
    return EXIT.ok;
  }
  if (!a.input) throw usageError('missing the notebook to run');
  if (a.helpParams) {
    const { help } = resolveParameters({ input: a.input });
    process.stdout.write(formatParameterHelp(help));
    return EXIT.ok;
  }
  if (!a.output) throw usageError('missing the output notebook: stagebook notebook run IN.ipynb OUT.ipynb');
  if (a.cwd !== undefined && !(existsSync(a.cwd) && statSync(a.cwd).isDirectory()))
    throw usageError(`--cwd ${a.cwd}: not a directory`);
  const interactive = Boolean(process.stderr.isTTY) && !process.env.CI;
  const term = cellTerminal(process.stderr, { bar: a.progressBar ?? interactive, interactive, logOutput: a.logOutput });
  const options: RunNotebookOptions = {
    input: a.input,
    output: a.output,
    parameterArgs: a.params,
    parameterFile: a.paramsFile,
    parameterYaml: a.paramsYaml,
    parameters: Object.keys(a.raw).length ? a.raw : undefined,
    kernelCwd: a.cwd === undefined ? undefined : path.resolve(a.cwd),
    cellTimeoutMs: a.cellTimeoutMs,
    runTimeoutMs: a.runTimeoutMs,
    startTimeoutMs: a.startTimeoutMs,
    eventsFile: a.eventsFile,
    eventsThrottleMs: a.eventsThrottleMs,
    maxCellOutput: a.maxCellOutput,
    onEvent: (e) => term.onEvent(e),
    onIopub: (cell, msg) => term.onIopub(cell, msg),
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    killAllKernelsSync();
    interruptActiveRunsSync(signal);
    process.stderr.write(`\nnotebook run interrupted by ${signal}; kernel killed (partial record in ${a.output})\n`);
    process.exit(signal === 'SIGINT' ? BIN_EXIT.interrupted : BIN_EXIT.terminated);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let s: RunSummary;
  try {
    s = await runNotebook(options);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (!a.quiet) (s.exitCode === 0 ? process.stdout : process.stderr).write(summaryText(s));
  else if (s.exitCode !== 0 && s.error) process.stderr.write(`${failureText(s)}\n`);
  return s.exitCode;
}

/** The failure, message first: cell, the user's line, code and message, their source line, the trimmed trace. */
function failureText(s: RunSummary): string {
  const e = s.error ?? {};
  const where = s.failedCell === undefined ? 'notebook' : `cell ${s.failedCell + 1}`;
  const trace = typeof e.trace === 'string' ? e.trace : '';
  const view = {
    line: typeof e.line === 'number' ? e.line : undefined,
    source: typeof e.source_line === 'string' ? e.source_line : undefined,
    trace,
  };
  return formatCellError(where, String(e.code ?? 'E_INTERNAL'), String(e.message ?? '').trim(), view);
}

function summaryText(s: RunSummary): string {
  const stats = `(${s.cellsExecuted} cells, ${(s.durationMs / 1000).toFixed(2)} s) -> ${s.output}`;
  if (s.exitCode === 0) return `notebook run ${s.status} ${stats}\n`;
  const where = s.failedCell === undefined ? '' : ` at cell ${s.failedCell + 1}`;
  const full =
    s.failedCell === undefined ? '' : `; full traceback: cells[${s.failedCell}].metadata.stagebook.error.stderr`;
  return `${failureText(s)}\nnotebook run ${s.status}${where} ${stats}${full}\n`;
}

if (require.main === module) {
  notebookCommand(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${describeError(e)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
