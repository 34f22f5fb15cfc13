/**
 * GET a JSON/text document with the downloader's retry policy (network errors, 408/425/429/5xx,
 * Retry-After honoured up to the policy's cap). Error messages show origin + path only and pass
 * through the redactor, so a token can never leak through them.
 */
import { request, type Dispatcher } from 'undici';
import { classifyError, displayUrl } from '../acquisition/attempt';
import { sleep } from '../acquisition/limits';
import { backoffDelayMs, isRetryableStatus, parseRetryAfterMs, type DownloadPolicy } from '../acquisition/policy';
import type { Redactor } from '../config/secrets';
import { StagebookError } from '../errors/stagebook-error';

/** Options of one GET. */
export interface GetOptions {
  policy: DownloadPolicy;
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
  redactor?: Redactor;
  signal?: AbortSignal;
  random?: () => number;
}

/** GET `url` as text with retries; resolves to the body of a 2xx response. */
export async function getText(url: string, o: GetOptions): Promise<string> {
  const where = `GET ${displayUrl(url)}`;
  const redact = (s: string): string => (o.redactor ? o.redactor.redact(s) : s);
  let last: StagebookError | undefined;
  for (let attempt = 1; attempt <= o.policy.retry.maxAttempts; attempt++) {
    let retryAfter: number | undefined;
    try {
      const res = await request(url, {
        method: 'GET',
        headers: { accept: 'application/json', ...(o.headers ?? {}) },
        dispatcher: o.dispatcher,
        signal: o.signal,
        headersTimeout: o.policy.headersTimeoutMs,
        bodyTimeout: o.policy.stallTimeoutMs,
      });
      if (res.statusCode >= 200 && res.statusCode < 300) return await res.body.text();
      await res.body.dump().catch(() => undefined);
      retryAfter = parseRetryAfterMs(res.headers['retry-after']);
      const code = res.statusCode === 401 || res.statusCode === 403 ? 'E_ARCHIVE_AUTH' : 'E_ARCHIVE_HTTP';
      last = new StagebookError(
        code,
        `${where}: HTTP ${res.statusCode}${code === 'E_ARCHIVE_AUTH' ? ' (check the token environment variable)' : ''}`,
        { where, status: res.statusCode },
      );
      if (!isRetryableStatus(res.statusCode)) throw last;
    } catch (e) {
      if (last !== undefined && e === last) throw new StagebookError(last.code, redact(last.message), last.context);
      const err = classifyError(e, url, o.signal);
      if (err.code === 'E_ABORTED') throw err;
      last = new StagebookError('E_ARCHIVE_NETWORK', redact(`${where}: ${err.message}`), { where });
    }
    if (attempt === o.policy.retry.maxAttempts) break;
    if (retryAfter !== undefined && retryAfter > o.policy.retry.maxRetryAfterMs) break;
    await sleep(retryAfter ?? backoffDelayMs(attempt, o.policy.retry, o.random), o.signal);
  }
  const l = last as StagebookError;
  throw new StagebookError(l.code, redact(`${l.message} (after ${o.policy.retry.maxAttempts} attempts)`), l.context);
}

/** GET `url` and parse JSON (E_ARCHIVE_FORMAT when it is not JSON). */
export async function getJson(url: string, o: GetOptions): Promise<unknown> {
  const text = await getText(url, o);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new StagebookError(
      'E_ARCHIVE_FORMAT',
      `GET ${displayUrl(url)}: the response is not JSON`,
      { where: 'getJson' },
      { cause },
    );
  }
}
