/**
 * `stagebook notebook run NB.ipynb [-p key=value ...] [-f params.yaml] -o OUT.ipynb [options]`
 * Also runnable standalone: `node kernel-lib/dist/notebook/cli.js run ...`.
 * Exit codes: 0 ok, 1 a cell failed, 2 usage or parameter error, 3 timeout, 4 kernel died / did not start,
 * 130/143 interrupted by SIGINT/SIGTERM (the kernel is killed first).
 */
import { isStagebookError, StagebookError } from '../errors/stagebook-error';
import { killAllKernelsSync } from './launcher';
import { formatParameterHelp } from './parameters';
import { EXIT, interruptActiveRunsSync, resolveParameters, runNotebook, type RunNotebookOptions } from './runner';

export const NOTEBOOK_USAGE = `Usage: stagebook notebook run NB.ipynb -o OUT.ipynb [options]

Options:
  -p, --param key=value    set a parameter (repeatable; YAML value, raw text for string parameters)
  -f, --params-file FILE   YAML mapping of parameters (overridden by -p)
  -o, --output FILE        output notebook (the run record); required unless --help-params
      --help-params        print the notebook's parameters and exit
      --cell-timeout SEC   per-cell timeout in seconds
      --timeout SEC        whole-run timeout in seconds
      --start-timeout SEC  kernel start timeout in seconds (default 120)
      --events FILE        append a JSONL event stream (throttled progress) to FILE
      --events-throttle MS minimum interval between progress events per stage (default 1000)
      --max-cell-output N  cap on one cell's output in characters (default 10485760); the rest is dropped with a note
      --quiet              do not print the summary line
Exit codes: 0 ok, 1 cell failed, 2 usage/parameters, 3 timeout, 4 kernel died or did not start.
`;

function positiveInt(flag: string, v: string): number {
  if (!/^[1-9]\d*$/.test(v)) throw usageError(`${flag}: expected a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

interface ParsedArgs {
  maxCellOutput?: number;
  input?: string;
  output?: string;
  params: string[];
  paramsFile?: string;
  helpParams: boolean;
  help: boolean;
  quiet: boolean;
  cellTimeoutMs?: number;
  runTimeoutMs?: number;
  startTimeoutMs?: number;
  eventsFile?: string;
  eventsThrottleMs?: number;
}

function usageError(message: string): StagebookError {
  return new StagebookError('E_USAGE', `stagebook notebook run: ${message}`, { where: 'notebookCommand' });
}

function seconds(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n <= 0) throw usageError(`${flag}: expected a positive number of seconds, got ${v ?? 'nothing'}`);
  return Math.round(n * 1000);
}

/** Parses the arguments after `notebook run`. */
export function parseRunArgs(argv: string[]): ParsedArgs {
  const a: ParsedArgs = { params: [], helpParams: false, help: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') && !['-p', '--param'].includes(arg.split('=')[0]) ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw usageError(`${flag}: missing value`);
      return v;
    };
    switch (flag) {
      case '-p': case '--param': a.params.push(value()); break;
      case '-f': case '--params-file': a.paramsFile = value(); break;
      case '-o': case '--output': a.output = value(); break;
      case '--help-params': a.helpParams = true; break;
      case '-h': case '--help': a.help = true; break;
      case '--quiet': a.quiet = true; break;
      case '--cell-timeout': a.cellTimeoutMs = seconds(flag, value()); break;
      case '--timeout': a.runTimeoutMs = seconds(flag, value()); break;
      case '--start-timeout': a.startTimeoutMs = seconds(flag, value()); break;
      case '--events': a.eventsFile = value(); break;
      case '--events-throttle': a.eventsThrottleMs = Number(value()); break;
      case '--max-cell-output': a.maxCellOutput = positiveInt(flag, value()); break;
      default:
        if (flag.startsWith('-')) throw usageError(`unknown option ${flag}`);
        if (a.input !== undefined) throw usageError(`unexpected argument ${flag} (the notebook is ${a.input})`);
        a.input = flag;
    }
  }
  return a;
}

/**
 * Entry point for `stagebook notebook ...` (argv = the arguments after `notebook`).
 * Resolves to the process exit code; prints to stdout/stderr, never calls process.exit.
 */
export async function notebookCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    process.stdout.write(NOTEBOOK_USAGE);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  try {
    if (sub !== 'run') throw usageError(`unknown subcommand "${sub}" (expected: run)`);
    return await runCommand(parseRunArgs(rest));
  } catch (e) {
    process.stderr.write(`${describeError(e)}\n`);
    return isStagebookError(e) && ['E_USAGE', 'E_NOTEBOOK_PARAMS', 'E_NOTEBOOK_FORMAT', 'E_NOTEBOOK_NOT_FOUND'].includes(e.code) ? EXIT.usage : EXIT.failed;
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
  if (!a.output) throw usageError('missing -o OUT.ipynb');
  const options: RunNotebookOptions = {
    input: a.input, output: a.output, parameterArgs: a.params, parameterFile: a.paramsFile,
    cellTimeoutMs: a.cellTimeoutMs, runTimeoutMs: a.runTimeoutMs, startTimeoutMs: a.startTimeoutMs,
    eventsFile: a.eventsFile, eventsThrottleMs: a.eventsThrottleMs, maxCellOutput: a.maxCellOutput,
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    killAllKernelsSync();
    interruptActiveRunsSync(signal);
    process.stderr.write(`notebook run interrupted by ${signal}; kernel killed (partial record in ${a.output})\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let s;
  try {
    s = await runNotebook(options);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (!a.quiet) {
    const where = s.failedCell === undefined ? '' : ` at cell ${s.failedCell + 1}`;
    const err = s.error ? `: ${String(s.error.code)}: ${String(s.error.message).trim().split('\n')[0]}` : '';
    (s.exitCode === 0 ? process.stdout : process.stderr).write(`notebook run ${s.status}${where} (${s.cellsExecuted} cells, ${(s.durationMs / 1000).toFixed(2)} s) -> ${s.output}${err}\n`);
  }
  return s.exitCode;
}

if (require.main === module) {
  notebookCommand(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (e: unknown) => {
    process.stderr.write(`${describeError(e)}\n`);
    process.exitCode = EXIT.failed;
  });
}
