/**
 * The ONE exit-code table of the `stagebook` binary (every command: run, resume, status, ledger,
 * notebook run, archive). Documented once in docs/cli.md; `test/cli-ux.test.ts` checks that every
 * StagebookError code maps to a row documented there. Codes 1-10 are ours; 70 is sysexits'
 * EX_SOFTWARE and 73-77 follow sysexits.h for resource faults (EX_CANTCREAT, EX_IOERR,
 * EX_TEMPFAIL: retry, 76 corrupt ledger, EX_NOPERM); 130/143 are the shell's 128 + SIGINT/SIGTERM.
 */
import type { StagebookErrorCode } from './stagebook-error';

/** Exit codes by meaning. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  config: 3,
  locked: 4,
  noInputs: 5,
  notFound: 6,
  badData: 7,
  network: 8,
  timeout: 9,
  kernel: 10,
  differs: 11,
  versionMismatch: 12,
  inputChanged: 13,
  internal: 70,
  outputPath: 73,
  diskFull: 74,
  ledgerLocked: 75,
  ledgerCorrupt: 76,
  readOnly: 77,
  interrupted: 130,
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Error codes per exit code. An entry ending in `*` is a prefix. Codes not listed map to
 * `internal` (70): an unknown code is a bug, not a user error.
 */
export const EXIT_CODE_OF_ERRORS: ReadonlyArray<{ exit: ExitCode; codes: readonly string[] }> = [
  {
    exit: EXIT.failed,
    codes: [
      'E_STAGE_FAILED',
      'E_STAGE_OUTPUT',
      'E_STAGE_SIDE_INPUTS',
      'E_WORKER_LOST',
      'E_NOTEBOOK_CELL_FAILED',
      'E_NOTEBOOK_CELL_ABORT',
      'E_NOTEBOOK_UNHANDLED_REJECTION',
      'E_XPCS_VALIDATION',
      'E_FLOW_ACTION',
      'E_FLOW_FAILED',
      'E_NOT_CONVERGED',
      'E_PUNCH_TRANSITION',
      'E_PUNCH_OUTPUT_EXISTS',
    ],
  },
  {
    exit: EXIT.usage,
    codes: ['E_USAGE', 'E_INVALID_ARGUMENT', 'E_NOTEBOOK_PARAMS', 'E_RUN_FINISHED', 'E_SEARCH_QUERY'],
  },
  {
    exit: EXIT.config,
    codes: [
      'E_CONFIG_*',
      'E_STAGE_PARAMS',
      'E_SECRET_MISSING',
      'E_PIPELINE_NOT_FOUND',
      'E_PIPELINE_INVALID',
      'E_PATH_ESCAPE',
      'E_WORKDIR_NAME',
      'E_FLOW_DEFINITION',
      'E_FLOW_INPUT',
    ],
  },
  { exit: EXIT.locked, codes: ['E_RUN_LOCKED', 'E_LEASE_LOST'] },
  { exit: EXIT.noInputs, codes: ['E_NO_INPUTS'] },
  {
    exit: EXIT.notFound,
    codes: ['E_RUN_NOT_FOUND', 'E_NOTEBOOK_NOT_FOUND', 'E_FILE_NOT_FOUND', 'E_PUNCH_FLOW_NOT_FOUND'],
  },
  {
    exit: EXIT.badData,
    codes: [
      'E_FORMAT',
      'E_TRUNCATED',
      'E_MISSING_DATASET',
      'E_UNSUPPORTED',
      'E_FITS_*',
      'E_INVALID_SHAPE',
      'E_EMPTY_INPUT',
      'E_NON_FINITE',
      'E_ORACLE_FORMAT',
      'E_NOTEBOOK_FORMAT',
      'E_REPRO_RECORD',
      'E_PACK_FORMAT',
      'E_LCO_*',
      'E_UNSAFE_NAME',
      'E_STIX_TM_FORMAT',
      'E_STIX_PACKET',
      'E_STIX_IDB',
      'E_STIX_TIMECORR',
      'E_STIX_PUBLISH_NAME',
      'E_STIX_RID_TABLE',
      'E_STIX_DAILY',
      'E_PUNCH_DUPLICATE',
    ],
  },
  { exit: EXIT.network, codes: ['E_DOWNLOAD_*', 'E_ARCHIVE_*', 'E_STIX_STATUS', 'E_EXECUTOR'] },
  { exit: EXIT.timeout, codes: ['E_NOTEBOOK_TIMEOUT', 'E_FLOW_TIMEOUT'] },
  { exit: EXIT.kernel, codes: ['E_KERNEL_*'] },
  { exit: EXIT.differs, codes: ['E_REPRO_DIFFERS'] },
  { exit: EXIT.versionMismatch, codes: ['E_REPRO_VERSION'] },
  { exit: EXIT.inputChanged, codes: ['E_REPRO_INPUT'] },
  { exit: EXIT.outputPath, codes: ['E_OUTPUT_PATH', 'E_STIX_PUBLISH_TARGET'] },
  { exit: EXIT.diskFull, codes: ['E_DISK_FULL'] },
  { exit: EXIT.ledgerLocked, codes: ['E_LEDGER_LOCKED'] },
  { exit: EXIT.ledgerCorrupt, codes: ['E_LEDGER_CORRUPT'] },
  { exit: EXIT.readOnly, codes: ['E_READ_ONLY'] },
  { exit: EXIT.interrupted, codes: ['E_ABORTED'] },
  {
    exit: EXIT.internal,
    codes: [
      'E_INTERNAL',
      'E_LEDGER',
      'E_IO',
      'E_WRITE_FAILED',
      'E_WASM',
      'E_DEPENDENCY',
      'E_PLOT_RENDER',
      'E_STIX_MAIL',
      'E_STIX_PUBLISH_HISTORY',
      'E_SEARCH_INDEX',
    ],
  },
];

function matches(pattern: string, code: string): boolean {
  return pattern.endsWith('*') ? code.startsWith(pattern.slice(0, -1)) : pattern === code;
}

/** The exit code for an error code (70 for codes the table does not list). */
export function exitCodeOf(code: StagebookErrorCode): ExitCode {
  // Exact names win over prefixes (E_NOTEBOOK_TIMEOUT is listed by name; no prefix covers it anyway).
  for (const row of EXIT_CODE_OF_ERRORS) if (row.codes.includes(code)) return row.exit;
  for (const row of EXIT_CODE_OF_ERRORS) if (row.codes.some((p) => matches(p, code))) return row.exit;
  return EXIT.internal;
}

/** The table row pattern that covers `code` (exact or prefix), or undefined. */
export function exitPatternOf(code: string): string | undefined {
  for (const row of EXIT_CODE_OF_ERRORS) for (const p of row.codes) if (p === code) return p;
  for (const row of EXIT_CODE_OF_ERRORS) for (const p of row.codes) if (matches(p, code)) return p;
  return undefined;
}
