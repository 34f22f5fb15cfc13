/**
 * The one error root of stagebook. Every failure the library raises is a StagebookError with a
 * stable machine-readable `code` (documented in docs/errors.md), a human message, structured
 * context fields (file, field, line, byte offset, stage, ...) and an optional `cause`.
 * Modelled on zod's structured issues: the message is for people, the fields are for code.
 */
export type StagebookErrorCode =
  // numeric kernels (wasm-core)
  | 'E_INVALID_ARGUMENT'
  | 'E_INVALID_SHAPE'
  | 'E_EMPTY_INPUT'
  | 'E_NON_FINITE'
  | 'E_WASM'
  | 'E_NOT_CONVERGED' // an iterative solver (bounded LASSO active set) did not converge in its iteration limit
  | 'E_FLOW_DEFINITION' // a flow definition is invalid (zod or a dangling StartAt/Next/Default), naming the state and field
  | 'E_FLOW_INPUT' // an action's input (at its InputPath) fails the action's schema, or names an unknown endpoint/command
  | 'E_FLOW_ACTION' // an action failed (a pipeline or notebook that did not succeed, a command's non-zero exit)
  | 'E_FLOW_TIMEOUT' // a flow step exceeded its WaitTime (Retry name: States.Timeout)
  | 'E_FLOW_FAILED' // a flow run ended failed (flow wait / flow run --block)
  | 'E_SEARCH_QUERY' // a search query does not parse (position given)
  | 'E_SEARCH_INDEX' // the search index file cannot be opened or written
  // oracle runner
  | 'E_ORACLE_FORMAT'
  // engine: configuration (YAML + zod), secrets, paths
  | 'E_CONFIG_SYNTAX' // YAML could not be parsed (file:line:col)
  | 'E_CONFIG_INVALID' // YAML parsed but a field failed its schema (file:line:col field)
  | 'E_CONFIG_NOT_FOUND' // the config file does not exist / is unreadable
  | 'E_CONFIG_UNSUPPORTED' // a configuration field (e.g. XPCS /xpcs/<name>) holds a value stagebook does not honour: refused, never ignored
  | 'E_SECRET_MISSING' // a secret's environment variable is not set (its NAME is reported, never a value)
  | 'E_PATH_ESCAPE' // a path would resolve outside the configured write roots
  | 'E_UNSAFE_NAME' // an archive's name is empty, `.`/`..`, has a separator, control or bidi character, or is too long
  | 'E_WORKDIR_NAME' // a working-directory name does not parse with its naming scheme
  // engine: pipelines, runs, ledger
  | 'E_PIPELINE_INVALID' // bad stage/pipeline declaration (unknown upstream, cycle, duplicate name, bad level)
  | 'E_PIPELINE_NOT_FOUND' // no pipeline registered under that name
  | 'E_STAGE_PARAMS' // stage parameters failed the stage's schema
  | 'E_STAGE_FAILED' // a stage's run() threw (the cause is attached)
  | 'E_STAGE_OUTPUT' // a stage did not write an output it declared, or wrote outside its roots
  | 'E_STAGE_SIDE_INPUTS' // a stage's sideInputs hook threw or returned malformed entries (the unit fails)
  | 'E_NO_INPUTS' // the first stage to run has no inputs (empty glob, nothing at the start level)
  | 'E_RUN_LOCKED' // another live run (valid lease) holds this pipeline
  | 'E_RUN_NOT_FOUND' // no run with that id in the ledger
  | 'E_LEASE_LOST' // this process's lease was taken over (it was presumed dead)
  | 'E_RUN_FINISHED' // resume of a run that already succeeded (nothing to resume)
  | 'E_EXECUTOR' // the BullMQ executor failed: Redis unreachable for longer than its policy, a job in an unknown format, a worker with other stage code
  | 'E_WORKER_LOST' // a unit's BullMQ job stalled (its worker died or hung) more often than the stalled-job policy allows
  // resource faults (ledger/resource-errors.ts): name the path, say what to do; the run stays resumable
  | 'E_DISK_FULL' // no space left (ENOSPC, EDQUOT, SQLITE_FULL) writing an output or the ledger
  | 'E_READ_ONLY' // an output directory or the ledger cannot be written (EACCES, EPERM, EROFS)
  | 'E_LEDGER_LOCKED' // another process held the ledger lock longer than engine.busyTimeoutMs
  | 'E_LEDGER_CORRUPT' // the ledger file is not a valid SQLite database (corrupt, garbage, 0 bytes)
  | 'E_OUTPUT_PATH' // --out-file / --log-file cannot be created (missing directory, unwritable)
  | 'E_LEDGER' // the SQLite ledger failed (open, migration, query)
  | 'E_USAGE' // CLI usage error
  // data formats (IMM, HDF5, FITS): context names the file, frame/HDU/dataset and byte offset
  | 'E_FILE_NOT_FOUND' // an input file does not exist
  | 'E_IO' // reading or writing failed at the OS level
  | 'E_TRUNCATED' // the file ends before the data its headers announce
  | 'E_FORMAT' // the bytes do not follow the format (bad magic, bad card, bad BITPIX, out-of-range index)
  | 'E_MISSING_DATASET' // an expected HDF5 dataset/group is absent
  | 'E_WRITE_FAILED' // a write failed halfway (the target is left untouched)
  | 'E_UNSUPPORTED' // a valid but unsupported variant (e.g. big-endian host)
  | 'E_DEPENDENCY' // an optional dependency (h5wasm, vega) failed to load
  // FITS (formats/fits/errors.ts): context names the file, HDU, card number and byte offset
  | 'E_FITS_TRUNCATED' // the file ends inside a header or data unit
  | 'E_FITS_CARD' // a header card cannot be parsed
  | 'E_FITS_BITPIX' // BITPIX is not one of 8, 16, 32, 64, -32, -64
  | 'E_FITS_FORMAT' // structurally invalid FITS (no SIMPLE/XTENSION, bad NAXISn, bad TFORM)
  | 'E_FITS_UNSUPPORTED' // valid but unsupported (an unknown ZCMPTYPE or ZQUANTIZ)
  | 'E_FITS_CHECKSUM' // CHECKSUM/DATASUM verification failed
  | 'E_FITS_IO' // reading or writing a FITS file failed at the OS level
  // notebooks: runner and display (docs/notebook-runner.md)
  | 'E_NOTEBOOK_FORMAT' // the .ipynb is not valid nbformat 4 JSON
  | 'E_NOTEBOOK_NOT_FOUND' // the notebook file does not exist
  | 'E_NOTEBOOK_PARAMS' // a parameter is unknown or fails the parameters cell's schema
  | 'E_NOTEBOOK_TIMEOUT' // a cell or the whole run exceeded its timeout
  | 'E_NOTEBOOK_CELL_FAILED' // a cell failed (execute_reply status error)
  | 'E_NOTEBOOK_CELL_ABORT' // a cell was aborted (syntax error, interrupt)
  | 'E_NOTEBOOK_UNHANDLED_REJECTION' // a promise a cell started was rejected unhandled (also after the cell ended)
  | 'E_REPRO_RECORD' // reproduce/diff/pack: the notebook holds no usable run record (metadata.stagebook)
  | 'E_REPRO_VERSION' // reproduce: library, WASM core or kernel version differs from the record (--allow-version)
  | 'E_REPRO_INPUT' // reproduce: a recorded input file is missing, or its sha256 differs from the record
  | 'E_REPRO_DIFFERS' // reproduce: the re-run's outputs or products differ from the record
  | 'E_PACK_FORMAT' // unpack: the bundle is not a stagebook tar.gz (bad header, unsafe member name, no manifest)
  | 'E_KERNEL_START' // the tslab kernel did not start or answer kernel_info
  | 'E_KERNEL_DIED' // the kernel process exited during the run
  | 'E_KERNEL_PROTOCOL' // a malformed or wrongly signed Jupyter message
  | 'E_PLOT_RENDER' // a Vega-Lite spec could not be compiled or rendered
  // data acquisition (docs/acquisition.md)
  | 'E_ABORTED' // a download or archive query was aborted by its signal
  | 'E_DOWNLOAD_NETWORK' // network error (reset, refused, timeout) on every allowed attempt
  | 'E_DOWNLOAD_HTTP' // a retryable HTTP status (408/425/429/5xx) on every allowed attempt
  | 'E_DOWNLOAD_HTTP_FINAL' // a final HTTP status (4xx other than 408/425/429): not retried
  | 'E_DOWNLOAD_TRUNCATED' // the body ended before the announced/expected size
  | 'E_DOWNLOAD_SIZE' // the size differs from what the archive lists, or more bytes than announced
  | 'E_DOWNLOAD_CHECKSUM' // md5/sha256 of the received bytes differs from the archive's
  | 'E_DOWNLOAD_RANGE' // a resume range was refused or not continued (the partial is restarted)
  | 'E_DOWNLOAD_FAILED' // any other failure of a download attempt
  | 'E_ARCHIVE_AUTH' // the archive refused the token (401/403); the env var NAME is the hint, never the value
  | 'E_ARCHIVE_HTTP' // an archive query failed with an HTTP status
  | 'E_ARCHIVE_NETWORK' // an archive query failed at the network level on every attempt
  | 'E_ARCHIVE_FORMAT' // an archive answer is not the expected JSON, or `next` leaves the archive's origin
  | 'E_ARCHIVE_PAGINATION' // a listing loops (`next` visited), a page adds no new record, or maxPages is reached
  | 'E_LCO_INSTRUMENT' // INSTRUME matches no known LCO instrument class
  | 'E_LCO_UNUSED' // a downloaded file is not FITS: moved to <download_dir>/unused/
  | 'E_LCO_UNLISTED' // a frame of an LCO manifest is no longer in the archive's listing when it is fetched
  | 'E_LCO_UNDELIVERED' // frames of an LCO manifest failed, were refused or unusable: the run ends partial
  // pipelines
  | 'E_XPCS_VALIDATION' // the XPCS notebook's check failed: a fitted decay time off the generator's, or QC failed
  | 'E_STIX_TM_FORMAT' // an EDDS XML file is neither PktRawResponse (TM) nor PktTcReportResponse (TC), or its XML is cut
  | 'E_STIX_PACKET' // a CCSDS packet is corrupt: bad hex, shorter than its headers, length field disagrees with its size
  | 'E_STIX_IDB' // the instrument database lacks a packet/parameter, or uses a MIB feature we do not support (table+row named)
  | 'E_STIX_TIMECORR' // the time-correlation file is invalid or does not cover the time asked
  | 'E_STIX_STATUS' // the pipeline status endpoint could not be reached or answered badly
  | 'E_STIX_MAIL' // the stuck monitor could not send its alert mail or run its alert command
  | 'E_STIX_PUBLISH_NAME' // a file to publish does not follow solo_LEVEL_stix-TYPE-NAME_DATES_VNN[U][_RID-SEQ].fits|.svg
  | 'E_STIX_PUBLISH_HISTORY' // the publish history database cannot be opened or is newer than this stagebook
  | 'E_STIX_PUBLISH_TARGET' // a published copy could not be placed in the target (local folder or scp/ssh)
  | 'E_STIX_RID_TABLE' // the RID table (rid_lut.csv) is malformed, or its request-information API failed
  | 'E_STIX_DAILY' // the daily pipeline (aspect/quick-look products) failed on an input file
  | 'E_PUNCH_TRANSITION' // a PUNCH file/flow state change the state machine forbids (row and both states named)
  | 'E_PUNCH_DUPLICATE' // a PUNCH product row already exists (level, type, observatory, date_obs, version)
  | 'E_PUNCH_FLOW_NOT_FOUND' // no PUNCH flow with that id in the control database
  | 'E_PUNCH_OUTPUT_EXISTS' // a PUNCH flow would overwrite an existing product file
  // generic
  | 'E_INTERNAL'; // an invariant of stagebook itself broke (a bug)

/**
 * Every code, at run time (docs/errors.md lists exactly these; test/error-codes.test.ts checks it).
 * `satisfies Record<StagebookErrorCode, true>` makes this list and the union above fail to compile
 * when one has a code the other lacks: the union stays closed.
 */
const CODE_SET = {
  E_INVALID_ARGUMENT: true,
  E_INVALID_SHAPE: true,
  E_EMPTY_INPUT: true,
  E_NON_FINITE: true,
  E_WASM: true,
  E_NOT_CONVERGED: true,
  E_FLOW_DEFINITION: true,
  E_FLOW_INPUT: true,
  E_FLOW_ACTION: true,
  E_FLOW_TIMEOUT: true,
  E_FLOW_FAILED: true,
  E_SEARCH_QUERY: true,
  E_SEARCH_INDEX: true,
  E_ORACLE_FORMAT: true,
  E_CONFIG_SYNTAX: true,
  E_CONFIG_INVALID: true,
  E_CONFIG_NOT_FOUND: true,
  E_CONFIG_UNSUPPORTED: true,
  E_SECRET_MISSING: true,
  E_PATH_ESCAPE: true,
  E_UNSAFE_NAME: true,
  E_WORKDIR_NAME: true,
  E_PIPELINE_INVALID: true,
  E_PIPELINE_NOT_FOUND: true,
  E_STAGE_PARAMS: true,
  E_STAGE_FAILED: true,
  E_STAGE_OUTPUT: true,
  E_STAGE_SIDE_INPUTS: true,
  E_NO_INPUTS: true,
  E_RUN_LOCKED: true,
  E_RUN_NOT_FOUND: true,
  E_LEASE_LOST: true,
  E_RUN_FINISHED: true,
  E_EXECUTOR: true,
  E_WORKER_LOST: true,
  E_DISK_FULL: true,
  E_READ_ONLY: true,
  E_LEDGER_LOCKED: true,
  E_LEDGER_CORRUPT: true,
  E_OUTPUT_PATH: true,
  E_LEDGER: true,
  E_USAGE: true,
  E_FILE_NOT_FOUND: true,
  E_IO: true,
  E_TRUNCATED: true,
  E_FORMAT: true,
  E_MISSING_DATASET: true,
  E_WRITE_FAILED: true,
  E_UNSUPPORTED: true,
  E_DEPENDENCY: true,
  E_FITS_TRUNCATED: true,
  E_FITS_CARD: true,
  E_FITS_BITPIX: true,
  E_FITS_FORMAT: true,
  E_FITS_UNSUPPORTED: true,
  E_FITS_CHECKSUM: true,
  E_FITS_IO: true,
  E_NOTEBOOK_FORMAT: true,
  E_NOTEBOOK_NOT_FOUND: true,
  E_NOTEBOOK_PARAMS: true,
  E_NOTEBOOK_TIMEOUT: true,
  E_NOTEBOOK_CELL_FAILED: true,
  E_NOTEBOOK_CELL_ABORT: true,
  E_NOTEBOOK_UNHANDLED_REJECTION: true,
  E_REPRO_RECORD: true,
  E_REPRO_VERSION: true,
  E_REPRO_INPUT: true,
  E_REPRO_DIFFERS: true,
  E_PACK_FORMAT: true,
  E_KERNEL_START: true,
  E_KERNEL_DIED: true,
  E_KERNEL_PROTOCOL: true,
  E_PLOT_RENDER: true,
  E_ABORTED: true,
  E_DOWNLOAD_NETWORK: true,
  E_DOWNLOAD_HTTP: true,
  E_DOWNLOAD_HTTP_FINAL: true,
  E_DOWNLOAD_TRUNCATED: true,
  E_DOWNLOAD_SIZE: true,
  E_DOWNLOAD_CHECKSUM: true,
  E_DOWNLOAD_RANGE: true,
  E_DOWNLOAD_FAILED: true,
  E_ARCHIVE_AUTH: true,
  E_ARCHIVE_HTTP: true,
  E_ARCHIVE_NETWORK: true,
  E_ARCHIVE_FORMAT: true,
  E_ARCHIVE_PAGINATION: true,
  E_LCO_INSTRUMENT: true,
  E_LCO_UNUSED: true,
  E_LCO_UNLISTED: true,
  E_LCO_UNDELIVERED: true,
  E_XPCS_VALIDATION: true,
  E_STIX_TM_FORMAT: true,
  E_STIX_PACKET: true,
  E_STIX_IDB: true,
  E_STIX_TIMECORR: true,
  E_STIX_STATUS: true,
  E_STIX_MAIL: true,
  E_STIX_PUBLISH_NAME: true,
  E_STIX_PUBLISH_HISTORY: true,
  E_STIX_PUBLISH_TARGET: true,
  E_STIX_RID_TABLE: true,
  E_STIX_DAILY: true,
  E_PUNCH_TRANSITION: true,
  E_PUNCH_DUPLICATE: true,
  E_PUNCH_FLOW_NOT_FOUND: true,
  E_PUNCH_OUTPUT_EXISTS: true,
  E_INTERNAL: true,
} as const satisfies Record<StagebookErrorCode, true>;
export const STAGEBOOK_ERROR_CODES = Object.freeze(Object.keys(CODE_SET)) as readonly StagebookErrorCode[];

/** True when `code` is one of the codes above (e.g. a code read back from a worker or a ledger row). */
export function isStagebookErrorCode(code: unknown): code is StagebookErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(CODE_SET, code);
}

export interface StagebookErrorContext {
  /** The function or stage that raised. */
  where?: string;
  /** Parameter, config field or dataset path at fault. */
  field?: string;
  file?: string;
  line?: number;
  column?: number;
  offset?: number;
  [key: string]: unknown;
}

/**
 * Brand shared by every copy of this module: tslab (or a bundler) can load the library twice, and a
 * class identity check would then fail across copies. `Symbol.for` is process-global (undici's
 * errors do the same with `Symbol.for('undici.error.UND_ERR')`).
 */
const BRAND: unique symbol = Symbol.for('stagebook.error') as never;

export class StagebookError extends Error {
  readonly code: StagebookErrorCode;
  readonly context: StagebookErrorContext;

  constructor(
    code: StagebookErrorCode,
    message: string,
    context: StagebookErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StagebookError';
    this.code = code;
    this.context = context;
  }

  /**
   * `x instanceof StagebookError` holds for errors made by any loaded copy of the library. Subclasses
   * keep the ordinary prototype check (their own identity is theirs to brand).
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (this !== StagebookError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  /** A plain JSON form for ledgers, event streams and notebook outputs. */
  toJSON(): { name: string; code: string; message: string; context: StagebookErrorContext } {
    return { name: this.name, code: this.code, message: this.message, context: this.context };
  }
}

Object.defineProperty(StagebookError.prototype, BRAND, { value: true, enumerable: false });

/** True when `e` is a StagebookError (optionally with the given code), from any copy of the library. */
export function isStagebookError(e: unknown, code?: StagebookErrorCode): e is StagebookError {
  return e instanceof StagebookError && (code === undefined || e.code === code);
}

/** Raises E_INVALID_ARGUMENT naming the function and parameter. */
export function invalidArgument(
  where: string,
  field: string,
  message: string,
  extra: StagebookErrorContext = {},
): never {
  throw new StagebookError('E_INVALID_ARGUMENT', `${where}: ${field}: ${message}`, { where, field, ...extra });
}
