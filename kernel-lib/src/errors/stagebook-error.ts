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
  // oracle runner
  | 'E_ORACLE_FORMAT'
  // generic
  | 'E_INTERNAL'
  | (string & {});

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

export class StagebookError extends Error {
  readonly code: StagebookErrorCode;
  readonly context: StagebookErrorContext;

  constructor(code: StagebookErrorCode, message: string, context: StagebookErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StagebookError';
    this.code = code;
    this.context = context;
  }

  /** A plain JSON form for ledgers, event streams and notebook outputs. */
  toJSON(): { name: string; code: string; message: string; context: StagebookErrorContext } {
    return { name: this.name, code: this.code, message: this.message, context: this.context };
  }
}

/** True when `e` is a StagebookError (optionally with the given code). */
export function isStagebookError(e: unknown, code?: StagebookErrorCode): e is StagebookError {
  return e instanceof StagebookError && (code === undefined || e.code === code);
}

/** Raises E_INVALID_ARGUMENT naming the function and parameter. */
export function invalidArgument(where: string, field: string, message: string, extra: StagebookErrorContext = {}): never {
  throw new StagebookError('E_INVALID_ARGUMENT', `${where}: ${field}: ${message}`, { where, field, ...extra });
}
