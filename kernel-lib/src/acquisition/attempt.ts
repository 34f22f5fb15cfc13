/**
 * One HTTP attempt of one URL: resume from the `.part` file with `Range` + `If-Range` (RFC 9110
 * sections 14.2 and 13.1.5: the server sends the remainder only if the validator still matches,
 * otherwise the whole new representation with 200), stream the body into the part file while
 * hashing, and classify every failure as retryable (network, 408/425/429/5xx, truncated body,
 * checksum mismatch) or final (other 4xx).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { finished, type Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { StagebookError, type StagebookErrorCode } from '../errors/stagebook-error';
import type { DownloadCache } from './cache';
import { isRetryableStatus, parseRetryAfterMs, type DownloadPolicy } from './policy';

/** Bytes buffered before one writev to the .part file. */
const WRITE_BATCH_BYTES = 1 << 20;

/** An item as the attempt needs it. */
export interface AttemptItem {
  url: string;
  key: string;
  size?: number;
  md5?: string;
  sha256?: string;
  headers?: Record<string, string>;
}

/** A failed attempt: retry or give up. */
export class AttemptError extends StagebookError {
  constructor(
    code: StagebookErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    readonly status?: number,
    cause?: unknown,
  ) {
    super(code, message, { where: 'download', status }, { cause });
  }
}

/** What a successful attempt produced (the `.part` file is complete and verified). */
export interface AttemptResult {
  size: number;
  sha256: string;
  md5?: string;
  etag?: string;
  lastModified?: string;
  bytesTransferred: number;
  resumedFrom: number;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

/**
 * scheme + host + path of a URL: what messages show (a query string may hold a signature or token,
 * user:password@ may hold credentials). Built from the parts, not from `origin`, which is the string
 * `null` for file:, data: and other non-special schemes (`download null/etc/passwd`).
 */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

function header(h: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Classifies a thrown error of undici/fs into an AttemptError. */
export function classifyError(e: unknown, url: string, signal?: AbortSignal): StagebookError {
  if (e instanceof StagebookError) return e;
  if (signal?.aborted)
    return new StagebookError('E_ABORTED', `download ${displayUrl(url)}: aborted`, { where: 'download' });
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err?.code ?? err?.cause?.code ?? '';
  const retryable =
    NETWORK_CODES.has(code) || /other side closed|socket|terminated|ECONNRESET/i.test(err?.message ?? '');
  return new AttemptError(
    retryable ? 'E_DOWNLOAD_NETWORK' : 'E_DOWNLOAD_FAILED',
    `download ${displayUrl(url)}: ${code ? code + ' ' : ''}${err?.message ?? String(e)}`,
    retryable,
    undefined,
    undefined,
    e,
  );
}

async function hashPrefix(file: string, bytes: number, md5: Hash | undefined, sha: Hash): Promise<void> {
  if (bytes === 0) return;
  for await (const chunk of createReadStream(file, { start: 0, end: bytes - 1, highWaterMark: 1 << 20 })) {
    sha.update(chunk as Buffer);
    md5?.update(chunk as Buffer);
  }
}

/** Parses `Content-Range: bytes a-b/total`. */
function parseContentRange(v: string | undefined): { start: number; total?: number } | undefined {
  const m = v ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(v.trim()) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[2] === '*' ? undefined : Number(m[2]) };
}

/**
 * Starts taking a response body's chunks at once, before the awaits that prepare the `.part` file:
 * a chunk that arrived while nobody listened was still in the stream's buffer when undici destroyed
 * the stream on a reset or early close, and was dropped, so the next attempt had nothing to resume
 * from (small files are one chunk: all of it). Pauses the body after one write batch.
 */
function holdBody(body: Readable): { take(): Buffer[] } {
  const chunks: Buffer[] = [];
  let bytes = 0;
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    bytes += chunk.length;
    if (bytes >= WRITE_BATCH_BYTES) body.pause();
  };
  body.on('error', () => undefined); // reported by consumeBody (finished()); never an unhandled 'error'
  body.on('data', onData);
  return {
    take: () => {
      body.pause();
      body.off('data', onData);
      return chunks.splice(0);
    },
  };
}

/**
 * Reads a response body in flowing mode (each chunk reaches `onChunk` as soon as undici pushes it),
 * starting with the chunks `holdBody` took. Whenever `onChunk` returns true the stream is paused
 * while `drain()` writes the batch (backpressure).
 */
async function consumeBody(
  body: Readable,
  early: Buffer[],
  onChunk: (buf: Buffer) => boolean,
  drain: () => Promise<void>,
): Promise<void> {
  let full = false;
  for (const chunk of early) full = onChunk(chunk) || full;
  if (full) await drain();
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    // The batch being written, if any: settling waits for it, so the caller's final flush never
    // writes to the file at the same time.
    let draining: Promise<void> = Promise.resolve();
    const settle = (e?: unknown): void => {
      if (settled) return;
      settled = true;
      void draining.then(() => (e === undefined ? resolve() : reject(e)), reject);
    };
    body.on('data', (chunk: Buffer) => {
      if (settled || !onChunk(chunk)) return;
      body.pause();
      draining = drain().then(
        () => {
          body.resume();
        },
        (e: unknown) => {
          body.destroy(e as Error);
          throw e;
        },
      );
    });
    // finished() also reports a close without 'end' or 'error' (premature close) as an error.
    finished(body, (e) => settle(e ?? undefined));
    body.resume();
  });
}

/**
 * Runs one attempt. `onBytes` is called per received chunk. Leaves a (possibly partial) `.part`
 * file: a retry resumes it; a checksum or size contradiction discards it first.
 */
export async function attemptDownload(
  item: AttemptItem,
  cache: DownloadCache,
  policy: DownloadPolicy,
  dispatcher: Dispatcher,
  onBytes: (n: number) => void,
  signal?: AbortSignal,
): Promise<AttemptResult> {
  const where = `download ${displayUrl(item.url)}`;
  const partial = policy.resume ? await cache.partial(item.key) : { size: 0 };
  if (!policy.resume) await cache.discardPartial(item.key);
  let offset = partial.size;
  const headers: Record<string, string> = { ...(item.headers ?? {}), 'accept-encoding': 'identity' };
  const validator =
    partial.info?.etag && !partial.info.etag.startsWith('W/') ? partial.info.etag : partial.info?.lastModified;
  if (offset > 0 && validator) {
    headers.range = `bytes=${offset}-`;
    headers['if-range'] = validator;
  } else if (offset > 0) {
    offset = 0; // no validator to prove the partial belongs to the current representation
  }
  const res = await request(item.url, {
    method: 'GET',
    headers,
    dispatcher,
    signal,
    headersTimeout: policy.headersTimeoutMs,
    bodyTimeout: policy.stallTimeoutMs,
  });
  const etag = header(res.headers, 'etag');
  const lastModified = header(res.headers, 'last-modified');
  if (res.statusCode === 416) {
    await res.body.dump();
    await cache.discardPartial(item.key);
    throw new AttemptError(
      'E_DOWNLOAD_RANGE',
      `${where}: the server refused the resume range (416); restarting from byte 0`,
      true,
      0,
      416,
    );
  }
  if (res.statusCode !== 200 && res.statusCode !== 206) {
    await res.body.dump().catch(() => undefined);
    const retryAfterMs = parseRetryAfterMs(header(res.headers, 'retry-after'));
    const retryable = isRetryableStatus(res.statusCode);
    throw new AttemptError(
      retryable ? 'E_DOWNLOAD_HTTP' : 'E_DOWNLOAD_HTTP_FINAL',
      `${where}: HTTP ${res.statusCode}`,
      retryable,
      retryAfterMs,
      res.statusCode,
    );
  }
  let total: number | undefined;
  if (res.statusCode === 206) {
    const range = parseContentRange(header(res.headers, 'content-range'));
    if (!range || range.start !== offset || (partial.info?.etag && etag && etag !== partial.info.etag)) {
      await res.body.dump().catch(() => undefined);
      await cache.discardPartial(item.key);
      throw new AttemptError(
        'E_DOWNLOAD_RANGE',
        `${where}: the 206 response does not continue the partial file; restarting from byte 0`,
        true,
        0,
        206,
      );
    }
    total = range.total;
  } else {
    offset = 0; // 200: the full (possibly changed) representation
    const len = header(res.headers, 'content-length');
    total = len !== undefined ? Number(len) : undefined;
  }
  if (item.size !== undefined && total !== undefined && total !== item.size) {
    await res.body.dump().catch(() => undefined);
    throw new AttemptError(
      'E_DOWNLOAD_SIZE',
      `${where}: the server announces ${total} bytes but the archive lists ${item.size}`,
      true,
      undefined,
      res.statusCode,
    );
  }
  const held = holdBody(res.body);
  await cache.savePartialInfo({ key: item.key, etag, lastModified, totalSize: total });
  const sha = createHash('sha256');
  const md5 = item.md5 ? createHash('md5') : undefined;
  const part = cache.partPath(item.key);
  await fsp.mkdir(cache.partPath(item.key).replace(/\/[^/]+$/, ''), { recursive: true });
  if (offset > 0) await hashPrefix(part, offset, md5, sha);
  const fh = await fsp.open(part, offset > 0 ? 'a' : 'w');
  let received = 0;
  // Bodies arrive in ~64 KiB chunks; one awaited write each dominated large transfers
  // (bench/download.bench.js), so chunks are written in batches of WRITE_BATCH_BYTES with writev.
  // A kill -9 loses at most one batch: resume re-hashes whatever reached the .part file.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const batch = pending;
    pending = [];
    pendingBytes = 0;
    await fh.writev(batch);
  };
  try {
    await consumeBody(
      res.body,
      held.take(),
      (buf) => {
        sha.update(buf);
        md5?.update(buf);
        pending.push(buf);
        pendingBytes += buf.length;
        received += buf.length;
        onBytes(buf.length);
        return pendingBytes >= WRITE_BATCH_BYTES;
      },
      flush,
    );
  } finally {
    // Also on a cut connection: what arrived is a valid prefix, and the next attempt resumes after it.
    try {
      await flush();
    } finally {
      await fh.close();
    }
  }
  const size = offset + received;
  const expected = item.size ?? total;
  if (expected !== undefined && size < expected) {
    throw new AttemptError(
      'E_DOWNLOAD_TRUNCATED',
      `${where}: body ended at ${size} of ${expected} bytes`,
      true,
      undefined,
      res.statusCode,
    );
  }
  if (expected !== undefined && size > expected) {
    await cache.discardPartial(item.key);
    throw new AttemptError(
      'E_DOWNLOAD_SIZE',
      `${where}: received ${size} bytes, more than the expected ${expected}`,
      true,
      undefined,
      res.statusCode,
    );
  }
  const result: AttemptResult = {
    size,
    sha256: sha.digest('hex'),
    md5: md5?.digest('hex'),
    etag,
    lastModified,
    bytesTransferred: received,
    resumedFrom: offset,
  };
  const bad =
    item.md5 && result.md5 !== item.md5.toLowerCase()
      ? 'md5'
      : item.sha256 && result.sha256 !== item.sha256.toLowerCase()
        ? 'sha256'
        : undefined;
  if (bad) {
    await cache.discardPartial(item.key);
    throw new AttemptError(
      'E_DOWNLOAD_CHECKSUM',
      `${where}: ${bad} mismatch (expected ${bad === 'md5' ? item.md5 : item.sha256}, got ${bad === 'md5' ? result.md5 : result.sha256})`,
      true,
      undefined,
      res.statusCode,
    );
  }
  return result;
}
