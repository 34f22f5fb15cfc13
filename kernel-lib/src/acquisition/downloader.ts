/**
 * The downloader: many URLs into a content-addressed cache with bounded concurrency (overall and
 * per host), per-host pacing, retries with full-jitter backoff honouring Retry-After, resume of
 * partial files, size and checksum verification, atomic placement, and one ledger row per URL.
 * Partial failure is a value: `fetchAll` resolves to `{ok, failed}` and never throws for a URL;
 * `retry(result)` fetches the failed ones again and merges.
 *
 * Why not the seeds' way: ALEXIS's `while True: os.system('wget ...')` never retries (os.system
 * does not raise) and LCO's `requests.get` has no retry at all; both lose files silently.
 */
import { setMaxListeners } from 'node:events';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { Agent, interceptors, type Dispatcher } from 'undici';
import type { Redactor } from '../config/secrets';
import { StagebookError } from '../errors/stagebook-error';
import type { Ledger } from '../ledger/ledger';
import { PathGuard } from '../workdirs/confine';
import { attemptDownload, AttemptError, classifyError, displayUrl } from './attempt';
import { DownloadCache, hashFile, type CacheEntry } from './cache';
import { HostGate, Semaphore, sleep, StartOrder } from './limits';
import { backoffDelayMs, resolveDownloadPolicy, type DownloadPolicy, type DownloadPolicyInput } from './policy';
import { DownloadProgressTracker, type DownloadProgressListener } from './progress';
import { archiveNameProblem, escapeForLog, quoteName, relativePathProblem } from './names';
import { DownloadRecorder } from './record';

/** One thing to fetch. */
export interface DownloadItem {
  url: string;
  /** Cache key (default: the URL). Give a stable one for presigned URLs (see `stableKey`). */
  key?: string;
  /** Also place the file here, relative to `dataRoot` (segments checked like archive names: see names.ts). */
  dest?: string;
  /**
   * The file name as the archive gave it, when `dest` is built from one: it must be ONE safe name
   * (`archiveNameProblem`), so `a/b` from an archive is refused even though `a/b` is a valid `dest`.
   */
  archiveName?: string;
  /** Expected size in bytes (catches truncation even without Content-Length). */
  size?: number;
  /** Expected checksums (hex) from the archive. */
  md5?: string;
  sha256?: string;
  /** Extra request headers (e.g. Authorization; never recorded or logged). */
  headers?: Record<string, string>;
}

/** A file that arrived (or was already in the cache). */
export interface DownloadedFile {
  item: DownloadItem;
  key: string;
  /** Absolute path in the cache. */
  path: string;
  /** Absolute path of the placed copy, when `dest` was given. */
  dest?: string;
  size: number;
  sha256: string;
  md5?: string;
  fromCache: boolean;
  attempts: number;
  /** Bytes received over the network for this file in this call. */
  bytesTransferred: number;
  /** Byte offset a partial file was resumed from (0 = full download). */
  resumedFrom: number;
}

/** A URL that did not arrive. */
export interface DownloadFailure {
  item: DownloadItem;
  key: string;
  code: string;
  message: string;
  attempts: number;
  status?: number;
}

/** Outcome of a batch. */
export interface DownloadResult {
  ok: DownloadedFile[];
  failed: DownloadFailure[];
  /** Bytes received over the network, wall time, and requests sent. */
  stats: { bytes: number; elapsedMs: number; requests: number };
}

/** Options of a Downloader. */
export interface DownloaderOptions {
  /** Root of the content-addressed cache. */
  cacheDir: string;
  /** Root that `dest` paths are confined to (default: no placement allowed). */
  dataRoot?: string;
  policy?: DownloadPolicyInput;
  /** Ledger to record every URL's outcome in (table acquisition_downloads). */
  ledger?: Ledger;
  /** Run id stored with each outcome. */
  runId?: string;
  /** Applied to every message stored or returned (add secrets to it). */
  redactor?: Redactor;
  onProgress?: DownloadProgressListener;
  /** Progress throttle (ms). Default 250. */
  progressIntervalMs?: number;
  signal?: AbortSignal;
  /** Random source for jitter (tests). */
  random?: () => number;
}

/** A stable cache key for a URL: origin + path, without the (presigned) query string. */
export function stableKey(url: string): string {
  return displayUrl(url);
}

/**
 * Why a relative `dest` is unsafe (undefined when safe): every segment must pass the archive-name
 * boundary (names.ts), so `.`, `./`, `..`, absolute paths, control and bidi characters are refused.
 */
export function unsafeDestReason(dest: string): string | undefined {
  return relativePathProblem(dest);
}

/** An item's place in its batch's start order. */
type Turn = ReturnType<StartOrder['take']>;

/** Downloads into a cache; reusable across batches (one connection pool). */
export class Downloader {
  readonly policy: DownloadPolicy;
  readonly cache: DownloadCache;
  private readonly guard?: PathGuard;
  private readonly dispatcher: Dispatcher;
  private readonly agent: Agent;
  private readonly overall: Semaphore;
  private readonly hosts = new Map<string, { slots: Semaphore; gate: HostGate }>();
  private readonly recorder?: DownloadRecorder;
  private requests = 0;
  /** Follows `options.signal` (one listener on it, removed by `close`): every wait of every item listens here. */
  private readonly signal?: AbortSignal;
  private readonly unlinkSignal: () => void;

  constructor(private readonly options: DownloaderOptions) {
    if (!options || typeof options.cacheDir !== 'string' || options.cacheDir === '') {
      throw new StagebookError('E_INVALID_ARGUMENT', 'Downloader: options.cacheDir: expected a directory path', {
        where: 'Downloader',
        field: 'cacheDir',
      });
    }
    this.policy = resolveDownloadPolicy(options.policy, 'Downloader');
    this.cache = new DownloadCache(options.cacheDir);
    this.guard = options.dataRoot ? new PathGuard([options.dataRoot]) : undefined;
    this.agent = new Agent({
      connections: this.policy.maxPerHost,
      headersTimeout: this.policy.headersTimeoutMs,
      bodyTimeout: this.policy.stallTimeoutMs,
      keepAliveTimeout: 10_000,
    });
    this.dispatcher = this.agent.compose(interceptors.redirect({ maxRedirections: 5 }));
    this.overall = new Semaphore(this.policy.maxConnections);
    const linked = linkedSignal(options.signal);
    this.signal = linked?.signal;
    this.unlinkSignal = linked?.unlink ?? (() => undefined);
    this.recorder = options.ledger ? new DownloadRecorder(options.ledger, options.runId) : undefined;
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    this.unlinkSignal();
    await this.agent.close();
  }

  private host(url: string): { slots: Semaphore; gate: HostGate } {
    let origin = '';
    try {
      origin = new URL(url).origin;
    } catch {
      /* invalid URLs fail later, in one place */
    }
    let h = this.hosts.get(origin);
    if (!h) {
      h = { slots: new Semaphore(this.policy.maxPerHost), gate: new HostGate(this.policy.requestsPerSecondPerHost) };
      this.hosts.set(origin, h);
    }
    return h;
  }

  /** Fetches every item (at most `maxConnections` at once); never rejects for a single URL. */
  async fetchAll(items: readonly DownloadItem[]): Promise<DownloadResult> {
    const started = Date.now();
    const requestsBefore = this.requests;
    const sizes = items.map((i) => i.size);
    const bytesTotal = sizes.every((s) => s !== undefined) ? (sizes as number[]).reduce((a, b) => a + b, 0) : undefined;
    const progress = new DownloadProgressTracker(
      items.length,
      bytesTotal,
      this.options.onProgress,
      this.options.progressIntervalMs ?? 250,
    );
    const order = new StartOrder(); // requests leave in batch order (limits.ts)
    const outcomes = await Promise.all(
      items.map((item) => {
        const turn = order.take();
        return this.fetchOne(item, progress, turn).finally(turn.pass);
      }),
    );
    progress.finish();
    const ok = outcomes.filter((o): o is DownloadedFile => 'sha256' in o);
    const failed = outcomes.filter((o): o is DownloadFailure => 'code' in o);
    return {
      ok,
      failed,
      stats: {
        bytes: progress.snapshot.bytesDone,
        elapsedMs: Date.now() - started,
        requests: this.requests - requestsBefore,
      },
    };
  }

  /** Fetches the failures of `result` again; returns the merged result. */
  async retry(result: DownloadResult): Promise<DownloadResult> {
    const again = await this.fetchAll(result.failed.map((f) => f.item));
    return {
      ok: [...result.ok, ...again.ok],
      failed: again.failed,
      stats: {
        bytes: result.stats.bytes + again.stats.bytes,
        elapsedMs: result.stats.elapsedMs + again.stats.elapsedMs,
        requests: result.stats.requests + again.stats.requests,
      },
    };
  }

  private redact(text: string): string {
    return this.options.redactor ? this.options.redactor.redact(text) : text;
  }

  private async fetchOne(
    item: DownloadItem,
    progress: DownloadProgressTracker,
    turn: Turn,
  ): Promise<DownloadedFile | DownloadFailure> {
    const key = item.key ?? item.url;
    const label = escapeForLog(item.dest ?? displayUrl(item.url));
    const fail = (code: string, message: string, attempts: number, status?: number): DownloadFailure => {
      const f: DownloadFailure = { item, key, code, message: this.redact(message), attempts, status };
      const dest = item.dest === undefined ? null : escapeForLog(item.dest);
      this.recorder?.record({
        key,
        key_sha256: this.cacheHashOf(key),
        host: hostOf(item.url),
        status: 'failed',
        dest,
        size: null,
        sha256: null,
        md5: null,
        attempts,
        bytes_transferred: 0,
        error_code: code,
        error_message: f.message,
      });
      progress.fileDone('failed', label);
      return f;
    };
    let destPath: string | undefined;
    const nameProblem = item.archiveName !== undefined ? archiveNameProblem(item.archiveName) : undefined;
    if (nameProblem !== undefined) {
      return fail(
        'E_UNSAFE_NAME',
        `download: archive file name ${quoteName(item.archiveName)} refused: ${nameProblem}`,
        0,
      );
    }
    if (item.dest !== undefined) {
      const reason = unsafeDestReason(item.dest);
      if (reason) return fail('E_UNSAFE_NAME', `download: dest ${quoteName(item.dest)} refused: ${reason}`, 0);
      if (!this.guard) {
        return fail('E_PATH_ESCAPE', `download: dest ${quoteName(item.dest)} refused: no dataRoot configured`, 0);
      }
      try {
        destPath = this.guard.resolve(item.dest, 'download dest');
      } catch (e) {
        return fail('E_PATH_ESCAPE', escapeForLog((e as Error).message), 0);
      }
    }
    let protocol: string;
    try {
      protocol = new URL(item.url).protocol;
    } catch {
      return fail('E_INVALID_ARGUMENT', `download: invalid URL for ${label}`, 0);
    }
    // An archive decides the URLs: file:, data: or ftp: would read local files or leave HTTP's checks.
    if (protocol !== 'http:' && protocol !== 'https:') {
      const shown = escapeForLog(displayUrl(item.url));
      return fail(
        'E_INVALID_ARGUMENT',
        `download ${shown}: unsupported URL scheme '${protocol}' (only http: and https:)`,
        0,
      );
    }
    try {
      const cached = await this.cachedEntry(key, item);
      if (cached)
        return await this.finish(
          item,
          key,
          cached,
          destPath,
          { fromCache: true, attempts: 0, bytesTransferred: 0, resumedFrom: 0 },
          progress,
          label,
        );
      return await this.download(item, key, destPath, progress, label, fail, turn);
    } catch (e) {
      const err = classifyError(e, item.url, this.signal);
      return fail(err.code, err.message, 0);
    }
  }

  private cacheHashOf(key: string): string {
    return path.basename(this.cache.dataPath(key));
  }

  /** A usable completed cache entry (its checksums agree with what the archive now says). */
  private async cachedEntry(key: string, item: DownloadItem): Promise<CacheEntry | undefined> {
    const entry = await this.cache.complete(key, this.policy.verifyCached);
    if (!entry) return undefined;
    if (item.size !== undefined && entry.size !== item.size) return undefined;
    if (item.sha256 && entry.sha256 !== item.sha256.toLowerCase()) return undefined;
    if (item.md5) {
      const md5 = entry.md5 ?? (await hashFile(this.cache.dataPath(key), true)).md5;
      if (md5 !== item.md5.toLowerCase()) return undefined;
    }
    return entry;
  }

  private async download(
    item: DownloadItem,
    key: string,
    destPath: string | undefined,
    progress: DownloadProgressTracker,
    label: string,
    fail: (code: string, message: string, attempts: number, status?: number) => DownloadFailure,
    turn: Turn,
  ): Promise<DownloadedFile | DownloadFailure> {
    const deadline = Date.now() + this.policy.maxTimePerUrlMs;
    const host = this.host(item.url);
    const signal = this.signal;
    let transferred = 0;
    let last: AttemptError | StagebookError | undefined;
    for (let attempt = 1; attempt <= this.policy.retry.maxAttempts; attempt++) {
      if (attempt === 1) await turn.ready;
      const acquiring = this.overall.acquire(signal); // queues synchronously (FIFO)
      turn.pass();
      const release = await acquiring;
      const releaseHost = await host.slots.acquire(signal).catch((e) => {
        release();
        throw e;
      });
      try {
        await host.gate.admit(signal);
        this.requests++;
        const r = await attemptDownload(
          { ...item, key },
          this.cache,
          this.policy,
          this.dispatcher,
          (n) => {
            transferred += n;
            progress.bytes(n, label);
          },
          signal,
        );
        const entry = await this.cache.commit(key, {
          size: r.size,
          sha256: r.sha256,
          md5: r.md5,
          etag: r.etag,
          lastModified: r.lastModified,
        });
        return await this.finish(
          item,
          key,
          entry,
          destPath,
          { fromCache: false, attempts: attempt, bytesTransferred: transferred, resumedFrom: r.resumedFrom },
          progress,
          label,
        );
      } catch (e) {
        last = classifyError(e, item.url, signal);
        if (last.code === 'E_ABORTED') throw last;
      } finally {
        releaseHost();
        release();
      }
      const retryable = last instanceof AttemptError && last.retryable;
      if (!retryable || attempt === this.policy.retry.maxAttempts) break;
      const ra = (last as AttemptError).retryAfterMs;
      if (ra !== undefined && ra > this.policy.retry.maxRetryAfterMs) break;
      // Scope as data (policy.retry.retryAfterScope): a listing API throttles the client as a whole
      // ('host'); presigned download URLs are throttled one object at a time ('url').
      if (ra !== undefined && ra > 0 && this.policy.retry.retryAfterScope === 'host') host.gate.pause(Date.now() + ra);
      const wait = ra ?? backoffDelayMs(attempt, this.policy.retry, this.options.random);
      if (Date.now() + wait > deadline) break;
      await sleep(wait, signal);
    }
    const err = last as StagebookError;
    await this.cache.markBad({
      key,
      code: err.code,
      message: this.redact(err.message),
      attempts: this.policy.retry.maxAttempts,
    });
    return fail(err.code, err.message, this.policy.retry.maxAttempts, (err as AttemptError).status);
  }

  private async finish(
    item: DownloadItem,
    key: string,
    entry: CacheEntry,
    destPath: string | undefined,
    facts: Pick<DownloadedFile, 'fromCache' | 'attempts' | 'bytesTransferred' | 'resumedFrom'>,
    progress: DownloadProgressTracker,
    label: string,
  ): Promise<DownloadedFile> {
    const data = this.cache.dataPath(key);
    if (destPath) await placeFile(data, destPath, entry.size);
    this.recorder?.record({
      key,
      key_sha256: this.cacheHashOf(key),
      host: hostOf(item.url),
      status: 'ok',
      dest: item.dest ?? null,
      size: entry.size,
      sha256: entry.sha256,
      md5: entry.md5 ?? null,
      attempts: facts.attempts,
      bytes_transferred: facts.bytesTransferred,
      error_code: null,
      error_message: null,
    });
    progress.fileDone(facts.fromCache ? 'cached' : 'ok', label);
    return { item, key, path: data, dest: destPath, size: entry.size, sha256: entry.sha256, md5: entry.md5, ...facts };
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** Places the cache file at `dest` atomically (hard link, or copy across file systems), unless already there. */
async function placeFile(src: string, dest: string, size: number): Promise<void> {
  try {
    const [a, b] = await Promise.all([fsp.stat(src), fsp.stat(dest)]);
    if (a.ino === b.ino && a.dev === b.dev && b.size === size) return;
  } catch {
    /* dest absent */
  }
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.part-${process.pid}-${Date.now()}`);
  try {
    await fsp.link(src, tmp);
  } catch {
    await fsp.copyFile(src, tmp);
  }
  await fsp.rename(tmp, dest);
}

/**
 * The downloader's own signal, aborted when `outer` aborts. Each item waiting for a connection slot,
 * a host gate or a backoff holds one abort listener, so a batch of N items holds up to N at once:
 * on the caller's signal that passed Node's warning level (MaxListenersExceededWarning for runs of
 * more than 50 frames). Here the count is bounded by the batch and every listener is removed when
 * its wait ends, so the warning level is lifted on this signal only; the caller's gets one listener.
 */
function linkedSignal(outer: AbortSignal | undefined): { signal: AbortSignal; unlink: () => void } | undefined {
  if (!outer) return undefined;
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  const forward = (): void => inner.abort(outer.reason);
  if (outer.aborted) forward();
  else outer.addEventListener('abort', forward, { once: true });
  return { signal: inner.signal, unlink: () => outer.removeEventListener('abort', forward) };
}

/** Convenience: one batch with a fresh Downloader (closed afterwards). */
export async function downloadAll(items: readonly DownloadItem[], options: DownloaderOptions): Promise<DownloadResult> {
  const d = new Downloader(options);
  try {
    return await d.fetchAll(items);
  } finally {
    await d.close();
  }
}
