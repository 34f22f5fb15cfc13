/**
 * Help texts of the `stagebook` binary: the overview lists every command, and every command and
 * subcommand answers `--help` (exit 0). Exit codes are one table for the whole binary
 * (errors/exit-codes.ts, docs/cli.md).
 */

export const EXIT_CODES_LINE = `Exit codes (the same for every command; docs/cli.md): 0 ok, 1 failures (stage or cell), 2 usage,
3 configuration, 4 locked, 5 no inputs, 6 not found, 7 bad input data, 8 network/archive, 9 timeout,
10 kernel died, 70 internal, 130/143 interrupted.
`;

const RUN = `usage: stagebook run <pipeline> [--config F] [--start-level L0 --end-level L2] [--filter GLOB]
    [--input-files A,B,...] [--stop-on-error | --continue-on-error] [--force]
    [--out-file F] [--log-file F --log-level debug|info|warn|error] [--clean [--yes]] [--verbose]

Runs a pipeline over the workspace of the config file; cached units are skipped.
<pipeline> is a registered name (stagebook pipelines) or a path to a .js module exporting \`pipeline\`.
--config defaults to the stagebook.yaml of the current directory or a parent directory.
`;

const RESUME = `usage: stagebook resume <run-id> [--config F] [--out-file F] [--log-file F --log-level L] [--verbose]

Continues a run whose process died (once its lease has expired), with the run's original options.
`;

const STATUS = `usage: stagebook status [--config F] [--run ID] [--pipeline P] [--limit N] [--json] [--executor]

Lists recent runs (status, start, duration) with per-stage unit counts and durations, and failures.
With executor: bullmq it also shows retries, the units running on each worker, queue depths and the
live workers; --executor shows only the queues and workers (with --json: as JSON).
--config defaults to the stagebook.yaml of the current directory or a parent directory.
`;

const LEDGER = `usage: stagebook ledger query [--config F] [--level L] [--version-lt N] [--product P] [--stage S]
    [--pipeline P] [--state source|complete|superseded|deleted] [--limit N] [--json]

Lists the files the ledger records (reprocessing selections, e.g. --level L1 --version-lt 3).
`;

const PIPELINES = `usage: stagebook pipelines

Lists the registered pipelines with their stages [kind, level].
`;

/** The overview (`stagebook --help`). */
export const OVERVIEW = `usage: stagebook <command> [options]     (stagebook <command> --help for details)

Pipelines, runs and the ledger:
  run <pipeline> [--config F] [...]       run a pipeline (cached units are skipped)
  resume <run-id> [--config F]            continue a run whose process died
  status [--config F] [--run ID]          recent runs, stages, durations, failures
  ledger query [--config F] [...]         files recorded in the ledger
  pipelines                               registered pipelines and their stages
  worker --redis URL [--queues a,b] [...]  run units of BullMQ-executor runs (docs/scale-out.md)

Notebooks:
  notebook run IN.ipynb [OUT.ipynb] [-p name value ...] [-f params.yaml] [-y YAML]
                                          execute a notebook headless (papermill-style)
  notebook reproduce RECORD.ipynb [...]   re-run an executed notebook, compare with its record
  notebook diff A.ipynb B.ipynb [--html F]  two run records side by side
  notebook pack RECORD.ipynb -o B.tar.gz  the record with its inputs; notebook unpack B.tar.gz -o DIR

Archives:
  archive serve [--port N] [...]          the offline LCO-compatible archive on 127.0.0.1
  archive lco-sync <data_download.yaml>   run the LCO data-management pipeline once

Systems:
  xpcs corr <hdf> [--imm F | ...]         XPCS-Eigen's corr: correlate a dataset, results into the HDF5 file
  xpcs automate | crawl [...]             the XPCS flow for one dataset / every new dataset of a tree
  stix serve | status | monitor | process STIX operations: watched-folder service, status, stuck monitor, levels
  stix publish | daily                    STIX: publish to SOAR (history, supplements), daily ANC/LL03 products
  punch serve-control | run | process | status | simulate
                                          the PUNCH control segment (scheduler, launcher, cleaner)
  flow run | resume | wait | status       Automate-style flows recorded in the ledger
  search QUERY --config F                 the dataset search index (fields, ranges, text)

--config defaults to the stagebook.yaml of the current directory or a parent directory.
${EXIT_CODES_LINE}`;

const XPCS = `usage: stagebook xpcs <command>
  corr <hdf> [--imm F | --rigaku F | --hdf5 F] [--g2out] [--darkout] [--frameout N] [--inpath /xpcs]
      [--outpath /exchange] [--nexus [--output F]] [--compat xpcs-eigen] [--fits] [--plots] [--stream [--memory-mb N]
      [--threads N]] [--config F]
  automate --config CFG --input HDF --imm RAW [--rigaku] [--expression REGEX] [--dry-run] [--block]
  crawl DIR --config CFG [--expression REGEX] [--watch] [--dry-run] [--block]
See docs/xpcs-corr.md and docs/xpcs-flow.md.
`;

/** Help per top-level command (notebook, archive, stix, flow and search print their own). */
export const COMMAND_HELP: Record<string, string> = {
  run: RUN,
  resume: RESUME,
  status: STATUS,
  ledger: LEDGER,
  pipelines: PIPELINES,
  xpcs: XPCS,
};

/** True when argv asks for help (`--help` or `-h` anywhere before a `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}
