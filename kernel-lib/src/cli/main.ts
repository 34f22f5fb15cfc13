#!/usr/bin/env node
/**
 * `stagebook` command line: run / resume / status / ledger query / pipelines over the same engine
 * and ledger that notebook cells use. Exit codes are documented in docs/cli.md.
 */
import { isStagebookError } from '../errors/stagebook-error';
import '../examples';
import '../pipelines';
import '../pipelines/lco';
import '../pipelines/xpcs-flow';
import { EXIT, cmdLedger, cmdPipelines, cmdResume, cmdRun, cmdStatus } from './commands';

const HELP = `usage: stagebook <command> [options]

  run <pipeline> --config F [--start-level L0 --end-level L2] [--filter GLOB]
      [--input-files A,B,...] [--stop-on-error | --continue-on-error] [--force]
      [--out-file F] [--log-file F --log-level debug|info|warn|error] [--clean [--yes]] [--verbose]
  resume <run-id> --config F [--out-file F] [--log-file F --log-level L]
  status --config F [--run ID] [--pipeline P] [--limit N] [--json]
  ledger query --config F [--level L] [--version-lt N] [--product P] [--stage S] [--state S] [--json]
  pipelines
  flow run|resume|wait|status ...     Automate-style flows (stagebook flow --help)
  xpcs automate|crawl ...             XPCS datasets through the xpcs flow (stagebook xpcs --help)
  search QUERY --config F             the dataset search index (stagebook search --help)

<pipeline> is a registered name (built in: example, xpcs, lco-data-management) or a path to a .js module exporting \`pipeline\`.
Exit codes: 0 ok, 1 stage failures, 2 usage, 3 config, 4 locked, 5 no inputs, 6 run not found,
70 internal, 130 interrupted (docs/cli.md).
`;

/** Maps an error code to an exit code. */
export function exitCodeOf(code: string): number {
  if (code === 'E_USAGE' || code === 'E_INVALID_ARGUMENT' || code === 'E_SEARCH_QUERY') return EXIT.usage;
  if (code === 'E_FLOW_DEFINITION' || code === 'E_FLOW_INPUT') return EXIT.config;
  if (code === 'E_FLOW_ACTION' || code === 'E_FLOW_FAILED' || code === 'E_FLOW_TIMEOUT') return EXIT.failed;
  if (code.startsWith('E_CONFIG') || code === 'E_STAGE_PARAMS' || code === 'E_SECRET_MISSING' || code === 'E_PIPELINE_NOT_FOUND' || code === 'E_PATH_ESCAPE') return EXIT.config;
  if (code === 'E_RUN_LOCKED') return EXIT.locked;
  if (code === 'E_NO_INPUTS') return EXIT.noInputs;
  if (code === 'E_RUN_NOT_FOUND') return EXIT.notFound;
  return EXIT.internal;
}

/** `stagebook xpcs automate|crawl` (flows). */
async function xpcsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help')) {
    process.stdout.write(`usage: stagebook xpcs <command>\n${(await import('../pipelines/xpcs-flow/cli')).XPCS_FLOW_HELP}`);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  return (await import('../pipelines/xpcs-flow/cli')).xpcsFlowCommand(sub, rest);
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run': return await cmdRun(rest);
      case 'resume': return await cmdResume(rest);
      case 'status': return await cmdStatus(rest);
      case 'ledger': return await cmdLedger(rest);
      case 'pipelines': return await cmdPipelines();
      // Loaded on demand: the notebook runner pulls in zeromq, which other commands never need.
      case 'notebook': return await (await import('../notebook/cli')).notebookCommand(rest);
      case 'archive': return await (await import('../local-archive/cli')).archiveCommand(rest);
      case 'flow': return await (await import('../flows/cli')).flowCommand(rest);
      case 'search': return await (await import('../search/cli')).searchCommand(rest);
      case 'xpcs': return await xpcsCommand(rest);
      case undefined: case '--help': case '-h': case 'help':
        process.stdout.write(HELP);
        return cmd === undefined ? EXIT.usage : EXIT.ok;
      default:
        process.stderr.write(`stagebook: unknown command ${cmd}\n${HELP}`);
        return EXIT.usage;
    }
  } catch (e) {
    if (isStagebookError(e)) {
      process.stderr.write(`stagebook: ${e.code}: ${e.message}\n`);
      return exitCodeOf(e.code);
    }
    process.stderr.write(`stagebook: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.internal;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
