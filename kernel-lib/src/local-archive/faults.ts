/**
 * Fault injection for the local archive, configured as data. A rule applies to requests whose path
 * matches `path` (a regular expression source; default every download), either to the first `times`
 * requests of each path (deterministic; default 1) or with `probability` (decided by a hash of seed,
 * path and request number, so a run is reproducible).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { StagebookError } from '../errors/stagebook-error';
import { issuePath, prettifyIssues } from '../errors/zod-issues';

/**
 * Metadata faults: permanent properties of the answers (not of one request), so `times` and
 * `probability` do not apply. `wrong-md5` lies about a frame's checksum; `next-loop` makes the frames
 * API's `next` link loop; `wrong-count` makes its `count` lie; `wrong-url` gives a frame another URL
 * (default `file:///etc/passwd`).
 */
const METADATA_KINDS: ReadonlySet<string> = new Set(['wrong-md5', 'wrong-url', 'next-loop', 'wrong-count']);

/** Pagination faults default to the frames listing; the others to downloads. */
const PAGINATION_KINDS: ReadonlySet<string> = new Set(['next-loop', 'wrong-count']);
export const DEFAULT_PAGINATION_FAULT_PATH = '^/frames/$';
export const DEFAULT_FAULT_PATH = '^/(download|blobs|solar|ncei)/';

const ruleSchema = z.strictObject({
  kind: z.enum([
    '429',
    '500',
    'reset',
    'truncate',
    'slow',
    'corrupt',
    'wrong-md5',
    'wrong-url',
    'next-loop',
    'wrong-count',
  ]),
  path: z
    .string()
    .optional()
    .describe(
      'Regex source on the request path. Default: downloads (DEFAULT_FAULT_PATH); pagination faults: the frames listing',
    ),
  times: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Fault the first N requests of each matching path (default 1 unless probability is given)'),
  probability: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Fault each matching request with this probability instead'),
  retryAfterSeconds: z.number().min(0).optional().describe('429: Retry-After seconds (default 1)'),
  status: z
    .number()
    .int()
    .min(500)
    .max(599)
    .optional()
    .describe('500: the status to send (default 500; 502/503/504 also useful)'),
  at: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe(
      'reset/truncate: fraction of the body sent before the connection is cut (default 0.5; reset 0 = before headers)',
    ),
  bytesPerSecond: z.number().min(1).optional().describe('slow: body rate in bytes per second (default 64 KiB/s)'),
  loop: z
    .enum(['first', 'self', 'stale'])
    .optional()
    .describe(
      'next-loop: where the `next` link of the faulty pages points: first page (default), the page itself, or a new URL serving the same records',
    ),
  fromPage: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('next-loop: index (0-based) of the first page whose `next` is wrong (default 1)'),
  countDelta: z
    .number()
    .int()
    .optional()
    .describe('wrong-count: added to the true `count` (negative: fewer than there are; default +1000)'),
  url: z
    .string()
    .optional()
    .describe('wrong-url: the URL the frame record carries instead of its download URL (default file:///etc/passwd)'),
});

/** One fault rule (the schema's output: no hand-written twin). */
export type FaultRule = z.output<typeof ruleSchema>;
/** The kinds of fault. */
export type FaultKind = FaultRule['kind'];

function defaultPath(kind: FaultKind): string {
  return PAGINATION_KINDS.has(kind) ? DEFAULT_PAGINATION_FAULT_PATH : DEFAULT_FAULT_PATH;
}

/** Validates fault rules (E_INVALID_ARGUMENT naming the rule index and field). */
export function parseFaultRules(input: unknown): FaultRule[] {
  const r = z.array(ruleSchema).safeParse(input ?? []);
  if (!r.success) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `local archive: invalid fault rules\n${prettifyIssues(r.error.issues, ['faults'])}`,
      {
        where: 'parseFaultRules',
        field: issuePath(r.error.issues[0].path, ['faults']),
      },
    );
  }
  for (const rule of r.data) new RegExp(rule.path ?? defaultPath(rule.kind));
  return r.data;
}

/** Decides which fault (if any) a request gets. */
export class FaultInjector {
  private readonly compiled: Array<{ rule: FaultRule; re: RegExp }>;
  private readonly counts = new Map<string, number>();

  constructor(
    rules: readonly FaultRule[],
    private readonly seed = 1,
  ) {
    this.compiled = rules.map((rule) => ({ rule, re: new RegExp(rule.path ?? defaultPath(rule.kind)) }));
  }

  /** Counts this request of `path` and returns the first rule that fires (one fault per request). */
  next(path: string): FaultRule | undefined {
    const n = (this.counts.get(path) ?? 0) + 1;
    this.counts.set(path, n);
    return this.match(path, n, (k) => !METADATA_KINDS.has(k));
  }

  /** The wrong-md5 rule for a frame path, if any (metadata faults are permanent). */
  wrongMd5(path: string): boolean {
    return this.compiled.some(({ rule, re }) => rule.kind === 'wrong-md5' && re.test(path));
  }

  /** The URL a frame record carries under a wrong-url rule for its download path, if any. */
  wrongUrl(path: string): string | undefined {
    const rule = this.compiled.find(({ rule: r, re }) => r.kind === 'wrong-url' && re.test(path))?.rule;
    return rule ? (rule.url ?? 'file:///etc/passwd') : undefined;
  }

  /** The pagination fault rule of `kind` for a listing path, if any. */
  pagination(path: string, kind: 'next-loop' | 'wrong-count'): FaultRule | undefined {
    return this.compiled.find(({ rule, re }) => rule.kind === kind && re.test(path))?.rule;
  }

  private match(path: string, n: number, kinds: (k: FaultKind) => boolean): FaultRule | undefined {
    for (const { rule, re } of this.compiled) {
      if (!kinds(rule.kind) || !re.test(path)) continue;
      if (rule.probability !== undefined) {
        const h =
          createHash('sha256').update(`${this.seed}:${path}:${n}:${rule.kind}`).digest().readUInt32LE(0) / 4294967296;
        if (h < rule.probability) return rule;
      } else if (n <= (rule.times ?? 1)) {
        return rule;
      }
    }
    return undefined;
  }
}
