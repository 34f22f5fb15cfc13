#!/usr/bin/env node
/**
 * `stagebook` command line: run / resume / status / ledger query / pipelines over the same engine
 * and ledger that notebook cells use, plus `notebook run` and `archive`. Exit codes: one table for
 * the whole binary (errors/exit-codes.ts), documented in docs/cli.md.
 */
import { isStagebookError } from '../errors/stagebook-error';
import '../examples';
import '../pipelines';
import '../pipelines/lco';
import '../pipelines/xpcs-flow';
import { resourceError } from '../ledger/resource-errors';
import { EXIT, exitCodeOf } from '../errors/exit-codes';
import { cmdLedger, cmdPipelines, cmdResume, cmdRun, cmdStatus } from './commands';
import { COMMAND_HELP, OVERVIEW, wantsHelp } from './help';

/** Maps an error code to an exit code (one table for the whole binary: errors/exit-codes.ts). */
export { exitCodeOf };
/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd !== undefined && COMMAND_HELP[cmd] && wantsHelp(rest)) {
      process.stdout.write(COMMAND_HELP[cmd]);
      return EXIT.ok;
    }
    switch (cmd) {
      case 'run':
        return await cmdRun(rest);
      case 'resume':
        return await cmdResume(rest);
      case 'status':
        return await cmdStatus(rest);
      case 'ledger':
        return await cmdLedger(rest);
      case 'pipelines':
        return await cmdPipelines();
      // Loaded on demand: the notebook runner pulls in zeromq, which other commands never need.
      case 'notebook':
        return await (await import('../notebook/cli')).notebookCommand(rest);
      case 'archive':
        return await (await import('../local-archive/cli')).archiveCommand(rest);
      case 'xpcs':
        return await (await import('./xpcs')).xpcsCommand(rest);
      case 'stix':
        return await (await import('../pipelines/stix/cli')).stixCommand(rest);
      case 'punch':
        return await (await import('../pipelines/punch/cli')).punchCommand(rest);
      case 'flow':
        return await (await import('../flows/cli')).flowCommand(rest);
      case 'worker':
        return await (await import('./worker')).workerCommand(rest);
      case 'search':
        return await (await import('../search/cli')).searchCommand(rest);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        (cmd === undefined ? process.stderr : process.stdout).write(OVERVIEW);
        return cmd === undefined ? EXIT.usage : EXIT.ok;
      default:
        process.stderr.write(`stagebook: unknown command ${cmd}\n${OVERVIEW}`);
        return EXIT.usage;
    }
  } catch (caught) {
    const e = resourceError(caught, `stagebook ${cmd}`) ?? caught;
    if (isStagebookError(e)) {
      process.stderr.write(`stagebook: ${e.code}: ${e.message}\n`);
      return exitCodeOf(e.code);
    }
    process.stderr.write(`stagebook: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.internal;
  }
}

/**
 * Runs the CLI as a process: argv from the command line, exit code set when done. A closed pipe
 * (`stagebook status | head`) ends the output quietly instead of crashing with EPIPE.
 */
export function runFromCommandLine(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) runFromCommandLine();
