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
import { issuePath, prettifyIssues } from '../errors/zod-issues';

// The policies are data with stated defaults, written once: in these schemas (issue 12, point 7). The
// types are the schemas' outputs and the DEFAULT_* objects their parse of {}.
const retrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(100).default(6).describe('Attempts per URL including the first'),
  baseDelayMs: z.number().min(0).default(500).describe('First backoff ceiling (ms)'),
  factor: z.number().min(1).default(2).describe('Growth of the backoff ceiling per attempt'),
  maxDelayMs: z.number().min(0).default(30_000).describe('Largest backoff ceiling (ms)'),
  jitter: z
    .enum(['full', 'none'])
    .default('full')
    .describe('full: uniform in [0, ceiling]; none: exactly the ceiling (tests, debugging)'),
  maxRetryAfterMs: z
    .number()
    .min(0)
    .default(120_000)
    .describe('Longest Retry-After honoured (ms); a longer one fails the URL instead of stalling the run'),
  retryAfterScope: z
    .enum(['host', 'url'])
    .default('host')
    .describe(
      'What a Retry-After holds back: every request to that host (a throttling listing API), or only that URL (presigned download URLs)',
    ),
});

/** Zod schema of a policy (every field optional, defaults as documented). */
export const downloadPolicySchema = z.strictObject({
  maxConnections: z
    .number()
    .int()
    .min(1)
    .max(256)
    .default(10)
    .describe("Connections at once over all hosts (ALEXIS's @jobs_limit(10))"),
  maxPerHost: z
    .number()
    .int()
    .min(1)
    .max(256)
    .default(6)
    .describe("Connections at once to one host (browsers' per-host limit)"),
  requestsPerSecondPerHost: z
    .number()
    .min(0)
    .default(0)
    .describe('Requests started per second per host (0 = unlimited)'),
  retry: retrySchema.prefault({}),
  headersTimeoutMs: z.number().int().min(1).default(30_000).describe('Time to receive response headers (ms)'),
  stallTimeoutMs: z
    .number()
    .int()
    .min(1)
    .default(60_000)
    .describe('Longest silence inside a body before the attempt is abandoned (ms)'),
  maxTimePerUrlMs: z
    .number()
    .int()
    .min(1)
    .default(3_600_000)
    .describe('Deadline for one URL over all its attempts (ms)'),
  resume: z.boolean().default(true).describe('Keep a .part file and resume it with Range'),
  verifyCached: z
    .enum(['size', 'hash'])
    .default('size')
    .describe('Check of a completed cache entry before it is trusted: size, or hash (sha256 re-read)'),
});

/** Retry behaviour. */
export type RetryPolicy = z.output<typeof retrySchema>;
/** Complete downloader policy. */
export type DownloadPolicy = z.output<typeof downloadPolicySchema>;
export const DEFAULT_RETRY_POLICY: RetryPolicy = retrySchema.parse({});
export const DEFAULT_DOWNLOAD_POLICY: DownloadPolicy = downloadPolicySchema.parse({});

/** Input form of a policy: any subset, nested retry subset included. */
export type DownloadPolicyInput = z.input<typeof downloadPolicySchema>;

/** Validates a partial policy and fills in the defaults (E_INVALID_ARGUMENT names the field). */
export function resolveDownloadPolicy(
  input: DownloadPolicyInput = {},
  where = 'resolveDownloadPolicy',
): DownloadPolicy {
  const r = downloadPolicySchema.safeParse(input);
  if (!r.success) {
    const field = issuePath(r.error.issues[0].path, ['policy']);
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: invalid policy\n${prettifyIssues(r.error.issues, ['policy'])}`,
      { where, field },
    );
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
