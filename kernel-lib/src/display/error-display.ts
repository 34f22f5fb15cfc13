/**
 * Structured error display for a failed stage: code, message, stage and input in one bundle
 * (HTML box, text twin, `application/vnd.stagebook.error.v1+json` payload that the headless runner
 * copies into the run record). StagebookError fields are used as they are; any other thrown value
 * is shown under code E_INTERNAL with its message, never dropped.
 */
import { isStagebookError } from '../errors/stagebook-error';
import { escapeHtml, publish, type DisplayBundle } from './bundle';

export const ERROR_MIME = 'application/vnd.stagebook.error.v1+json';

export interface ErrorDisplayContext {
  /** Stage that failed (default: the error's context.stage / context.where). */
  stage?: string;
  /** Input (file, item id) being processed (default: the error's context.input / context.file). */
  input?: string;
}

/** The `application/vnd.stagebook.error.v1+json` payload. */
export interface ErrorPayload {
  version: 1;
  code: string;
  message: string;
  stage?: string;
  input?: string;
  context: Record<string, unknown>;
  cause?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Normalises any thrown value into the payload. */
export function errorPayload(err: unknown, ctx: ErrorDisplayContext = {}): ErrorPayload {
  const context: Record<string, unknown> = isStagebookError(err) ? { ...err.context } : {};
  const code = isStagebookError(err) ? err.code : 'E_INTERNAL';
  const message = err instanceof Error ? err.message : String(err);
  const cause =
    err instanceof Error && err.cause !== undefined
      ? err.cause instanceof Error
        ? err.cause.message
        : String(err.cause)
      : undefined;
  return {
    version: 1,
    code,
    message,
    stage: ctx.stage ?? str(context.stage) ?? str(context.where),
    input: ctx.input ?? str(context.input) ?? str(context.file),
    context: JSON.parse(JSON.stringify(context, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as Record<
      string,
      unknown
    >,
    ...(cause !== undefined ? { cause } : {}),
  };
}

/** Builds the error bundle without publishing it. */
export function errorBundle(err: unknown, ctx: ErrorDisplayContext = {}): DisplayBundle {
  const p = errorPayload(err, ctx);
  const rows: Array<[string, string | undefined]> = [
    ['stage', p.stage],
    ['input', p.input],
    ['cause', p.cause],
  ];
  const text = [`${p.code}: ${p.message}`, ...rows.filter(([, v]) => v).map(([k, v]) => `  ${k}: ${v}`)].join('\n');
  const html =
    `<div class="stagebook-error" style="border-left:4px solid #cf222e;padding:4px 8px;background:#fff5f5">` +
    `<b>${escapeHtml(p.code)}</b> ${escapeHtml(p.message)}` +
    rows
      .filter(([, v]) => v)
      .map(([k, v]) => `<div><small>${k}:</small> <code>${escapeHtml(v as string)}</code></div>`)
      .join('') +
    `</div>`;
  return { data: { [ERROR_MIME]: p, 'text/html': html, 'text/plain': text }, metadata: {} };
}

/** Shows the structured error (returns the bundle when not inside tslab). */
export function showError(err: unknown, ctx: ErrorDisplayContext = {}): DisplayBundle | undefined {
  return publish(errorBundle(err, ctx));
}

/**
 * Awaits `fn`; when it throws, shows the structured error and rethrows, so the cell still fails
 * (the headless runner stops there) and the notebook shows code/stage/input instead of a bare trace.
 */
export async function withErrorDisplay<T>(fn: () => T | Promise<T>, ctx: ErrorDisplayContext = {}): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    showError(e, ctx);
    throw e;
  }
}
