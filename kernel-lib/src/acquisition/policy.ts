/**
 * Download policy as data, with stated defaults. Every loop of the downloader is bounded by it:
 * attempts per URL, total time per URL, and the longest `Retry-After` it will honour.
 *
 * Backoff is "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015):
 * delay = random(0, min(maxDelayMs, baseDelayMs * factor^(attempt-1))). Full jitter spreads the
 * retries of many clients hit by the same outage, which plain exponential backoff synchronises.
 */
import { z } from 'zod';
import { StagebookError } from '../errors/stagebook-error';

/** Retry behaviour. */
export interface RetryPolicy {
  /** Attempts per URL including the first. Default 6. */
  maxAttempts: number;
  /** First backoff ceiling (ms). Default 500. */
  baseDelayMs: number;
  /** Growth of the ceiling per attempt. Default 2. */
  factor: number;
  /** Largest backoff ceiling (ms). Default 30000. */
  maxDelayMs: number;
  /** `full` = uniform in [0, ceiling] (default); `none` = exactly the ceiling (tests, debugging). */
  jitter: 'full' | 'none';
  /** Longest Retry-After (ms) honoured; a longer one fails the URL instead of stalling the run. Default 120000. */
  maxRetryAfterMs: number;
  /**
   * What a Retry-After holds back: `host` (default: every request to that host waits, as a listing
   * API that throttles the client asks) or `url` (only that URL waits: presigned download URLs, where
   * one throttled object says nothing about the others).
   */
  retryAfterScope: 'host' | 'url';
}

/** Complete downloader policy. */
export interface DownloadPolicy {
  /** Connections open at once over all hosts. Default 10 (ALEXIS's `@jobs_limit(10)`). */
  maxConnections: number;
  /** Connections open at once to one host (origin). Default 6 (browsers' per-host limit). */
  maxPerHost: number;
  /** Requests per second started per host; 0 = unlimited (default). */
  requestsPerSecondPerHost: number;
  retry: RetryPolicy;
  /** Time allowed to receive response headers (ms). Default 30000. */
  headersTimeoutMs: number;
  /** Longest silence inside a body before the attempt is abandoned (ms). Default 60000. */
  stallTimeoutMs: number;
  /** Deadline for one URL over all its attempts (ms). Default 3600000 (1 h). */
  maxTimePerUrlMs: number;
  /** Keep a `.part` file and resume it with Range (default true). */
  resume: boolean;
  /** How a completed cache entry is checked before it is trusted: `size` (default) or `hash` (sha256 re-read). */
  verifyCached: 'size' | 'hash';
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6, baseDelayMs: 500, factor: 2, maxDelayMs: 30_000, jitter: 'full', maxRetryAfterMs: 120_000,
  retryAfterScope: 'host',
};

export const DEFAULT_DOWNLOAD_POLICY: DownloadPolicy = {
  maxConnections: 10,
  maxPerHost: 6,
  requestsPerSecondPerHost: 0,
  retry: DEFAULT_RETRY_POLICY,
  headersTimeoutMs: 30_000,
  stallTimeoutMs: 60_000,
  maxTimePerUrlMs: 3_600_000,
  resume: true,
  verifyCached: 'size',
};

const retrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(100).default(DEFAULT_RETRY_POLICY.maxAttempts).describe('Attempts per URL including the first'),
  baseDelayMs: z.number().min(0).default(DEFAULT_RETRY_POLICY.baseDelayMs).describe('First backoff ceiling (ms)'),
  factor: z.number().min(1).default(DEFAULT_RETRY_POLICY.factor).describe('Growth of the backoff ceiling per attempt'),
  maxDelayMs: z.number().min(0).default(DEFAULT_RETRY_POLICY.maxDelayMs).describe('Largest backoff ceiling (ms)'),
  jitter: z.enum(['full', 'none']).default(DEFAULT_RETRY_POLICY.jitter).describe('full: uniform in [0, ceiling]; none: the ceiling'),
  maxRetryAfterMs: z.number().min(0).default(DEFAULT_RETRY_POLICY.maxRetryAfterMs).describe('Longest Retry-After honoured (ms)'),
  retryAfterScope: z.enum(['host', 'url']).default(DEFAULT_RETRY_POLICY.retryAfterScope)
    .describe('What a Retry-After holds back: every request to the host, or only that URL'),
});

/** Zod schema of a policy (every field optional, defaults as documented). */
export const downloadPolicySchema = z.strictObject({
  maxConnections: z.number().int().min(1).max(256).default(DEFAULT_DOWNLOAD_POLICY.maxConnections).describe('Connections at once over all hosts'),
  maxPerHost: z.number().int().min(1).max(256).default(DEFAULT_DOWNLOAD_POLICY.maxPerHost).describe('Connections at once to one host'),
  requestsPerSecondPerHost: z.number().min(0).default(0).describe('Requests started per second per host (0 = unlimited)'),
  retry: retrySchema.default(DEFAULT_RETRY_POLICY),
  headersTimeoutMs: z.number().int().min(1).default(DEFAULT_DOWNLOAD_POLICY.headersTimeoutMs).describe('Time to receive response headers (ms)'),
  stallTimeoutMs: z.number().int().min(1).default(DEFAULT_DOWNLOAD_POLICY.stallTimeoutMs).describe('Longest silence inside a body (ms)'),
  maxTimePerUrlMs: z.number().int().min(1).default(DEFAULT_DOWNLOAD_POLICY.maxTimePerUrlMs).describe('Deadline for one URL over all attempts (ms)'),
  resume: z.boolean().default(true).describe('Resume partial files with Range'),
  verifyCached: z.enum(['size', 'hash']).default('size').describe('Check of a completed cache entry before reuse'),
});

/** Input form of a policy: any subset, nested retry subset included. */
export type DownloadPolicyInput = Partial<Omit<DownloadPolicy, 'retry'>> & { retry?: Partial<RetryPolicy> };

/** Validates a partial policy and fills in the defaults (E_INVALID_ARGUMENT names the field). */
export function resolveDownloadPolicy(input: DownloadPolicyInput = {}, where = 'resolveDownloadPolicy'): DownloadPolicy {
  const r = downloadPolicySchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    const field = i.path.map(String).join('.') || '(root)';
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: policy.${field}: ${i.message}`, { where, field: `policy.${field}` });
  }
  return r.data;
}

/** Backoff before attempt `attempt + 1` after `attempt` failures (attempt >= 1). */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** Math.max(0, attempt - 1));
  return policy.jitter === 'none' ? ceiling : Math.floor(random() * ceiling);
}

/**
 * Parses a Retry-After header (RFC 9110 section 10.2.3: delay-seconds or an HTTP-date) into ms
 * from `now`; undefined when absent or unparseable. A date in the past gives 0.
 */
export function parseRetryAfterMs(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** HTTP statuses worth retrying: 408, 425, 429 and every 5xx except 501 (not implemented is final). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status !== 501);
}
