/**
 * What `stagebook notebook reproduce` and `diff` treat as volatile, what they compare, and how: the ONE place
 * these rules are declared (docs/reproducibility.md describes them). Everything here is data with stated
 * defaults; `resolveReproPolicy` validates an override at the boundary (zod) and names the bad field.
 */
import { z } from 'zod';
import { StagebookError } from '../errors/stagebook-error';
import { issuePath } from '../errors/zod-issues';

/** One text substitution applied to both sides before outputs are compared. */
export interface VolatilePattern {
  /** What the pattern stands for, used as the placeholder `<name>`. */
  name: string;
  pattern: RegExp;
}

/**
 * Text that legitimately differs between two runs of the same notebook. Order matters: timestamps before
 * durations (an ISO time holds digits a duration pattern would eat). Numbers outside these patterns are NOT
 * volatile: they are compared within the tolerance.
 */
export const DEFAULT_VOLATILE_PATTERNS: readonly VolatilePattern[] = [
  // ledger run ids (ledger/ledger.ts newRunId: 20261207T141935-443931), before the timestamp rule can see them
  { name: 'run-id', pattern: /\b\d{8}T\d{6}-[0-9a-f]{6}\b/g },
  // ISO 8601 timestamps (run start/end, ledger times): 2026-12-07T13:58:24.123Z, 2026-12-07 13:58:24
  { name: 'timestamp', pattern: /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g },
  // engine run ids and other UUIDs
  { name: 'uuid', pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi },
  { name: 'run-id', pattern: /\brun[-_][0-9a-z]{6,}(?:[-_][0-9a-z]{4,})*\b/gi },
  // ULIDs
  { name: 'ulid', pattern: /\b[0-9A-HJKMNP-TV-Z]{26}\b/g },
  // durations printed for humans ("120 ms", "took 4.1 s", "in 2 s"): a bare "12.3 s" may be a result (a
  // decay time), so seconds count as volatile only after a timing word
  { name: 'duration', pattern: /\b\d+(?:\.\d+)?\s?ms\b/g },
  { name: 'duration', pattern: /\b(?:in|took|elapsed|after)\s\d+(?:\.\d+)?\s?(?:s|sec|seconds|min)\b/g },
  { name: 'rate', pattern: /\b\d+(?:\.\d+)?\s?(?:[kMG]i?B|B)\/s\b/g },
  // fresh temporary directories (mkdtemp) and loopback ports of servers a notebook starts
  { name: 'tmpdir', pattern: /\/tmp\/[\w.-]+(?=\/|\b)/g },
  { name: 'loopback', pattern: /(?:\bhttps?:\/\/)?(?:\b127\.0\.0\.1|\blocalhost|\[::1\]):\d+/g },
  { name: 'pid', pattern: /\bpid[ =:]\s?\d+\b/gi },
];

/** Run-record fields that differ between any two runs and are never compared (notebook metadata.stagebook). */
export const DEFAULT_VOLATILE_RECORD_FIELDS: readonly string[] = [
  'start',
  'end',
  'duration_ms',
  'input_path',
  'output_path',
  'cwd',
  'kernel',
  'ledger_run_ids',
  'products_root',
];

/**
 * Versions checked before re-running: a mismatch is an error unless `--allow-version`. Node's version is
 * reported but not checked: the numerics run in the WASM core, whose bytes are hashed (`wasm_core`).
 */
export const DEFAULT_CHECKED_VERSIONS: readonly string[] = ['stagebook', 'wasm_core', 'tslab', 'typescript'];

/**
 * Parameters that name where a notebook WRITES (its workspace). They are not inputs: `reproduce` points them
 * at a fresh directory so the re-run neither overwrites nor reuses (engine cache hits) the recorded products,
 * and the path itself is normalised to `<outDir>` in outputs.
 */
export const DEFAULT_OUTPUT_PARAMETERS: readonly string[] = ['outDir', 'workspace', 'outputDir'];

/**
 * Product files not compared by content: SQLite ledgers and logs carry run times and ids by design (the
 * ledger IS the history); everything else a notebook writes (FITS, HDF5, JSON, CSV, PNG) must be
 * byte-identical (issue 21 item 4). Globs relative to the output directory: `*` = one segment, `**` = any.
 */
export const DEFAULT_VOLATILE_PRODUCTS: readonly string[] = [
  '**/*.db',
  '**/*.db-wal',
  '**/*.db-shm',
  '**/*.db-journal',
  '**/*.sqlite',
  '**/*.log',
  '**/*.jsonl',
  '**/logs/**',
  '**/*.lock',
  '**/.stagebook/**',
  // hidden files are in-flight temporaries by convention (`.name.x8k2q1`: a telemetry file still being
  // written, a crashed writer's leftovers); their names are random
  '**/.*',
  // download caches are named by URL (a local archive's port changes them); the placed files are compared
  '**/.cache/**',
];

/**
 * Entries of a content-addressed download cache (acquisition/cache.ts: data|done|bad/<h2>/<sha256 of the URL>),
 * wherever a notebook keeps it: named by URL, so by a local archive's port. The files placed from them are
 * compared.
 */
export const DOWNLOAD_CACHE_ENTRY = /(?:^|\/)(?:data|done|bad)\/[0-9a-f]{2}\/[0-9a-f]{64}(?:\.part)?(?:\.json)?$/;

/**
 * Table columns (showTable's text: a header line over a dashed rule) whose values are timings: blanked before
 * comparing. Matched case-insensitively at the start of the header, so `duration (s)` is volatile and a result
 * column such as `tau (s)` is not.
 */
export const DEFAULT_VOLATILE_COLUMNS: readonly string[] = [
  'duration',
  'elapsed',
  'runtime',
  'wall time',
  'took',
  'seconds',
];

/**
 * Display MIME types compared, most specific first: the first one present in a bundle decides. Vega-Lite
 * plots compare by their spec's data and encoding (the SVG/PNG twins are renderings of it: font hinting
 * changes them, not the result); tables by their text; progress by stage names and states; errors by code.
 */
export const COMPARED_MIME_ORDER: readonly string[] = [
  'application/vnd.vegalite.v6+json',
  'application/vnd.vegalite.v5+json',
  'application/vnd.stagebook.progress.v1+json',
  'application/vnd.stagebook.error.v1+json',
  'text/plain',
  'text/markdown',
  'text/html',
  'image/png',
];

/** Spec keys of a Vega-Lite plot that carry its meaning (the rest is layout and styling). */
export const VEGA_LITE_COMPARED_KEYS: readonly string[] = [
  'data',
  'datasets',
  'encoding',
  'mark',
  'layer',
  'hconcat',
  'vconcat',
  'concat',
  'facet',
  'repeat',
  'spec',
  'transform',
];

const policySchema = z
  .object({
    rtol: z.number().min(0).max(1).default(1e-9),
    atol: z.number().min(0).default(0),
    checkedVersions: z.array(z.string()).default([...DEFAULT_CHECKED_VERSIONS]),
    outputParameters: z.array(z.string()).default([...DEFAULT_OUTPUT_PARAMETERS]),
    volatileProducts: z.array(z.string()).default([...DEFAULT_VOLATILE_PRODUCTS]),
    volatileRecordFields: z.array(z.string()).default([...DEFAULT_VOLATILE_RECORD_FIELDS]),
    volatileColumns: z.array(z.string()).default([...DEFAULT_VOLATILE_COLUMNS]),
    /** Inputs larger than this are packed as URL + hash instead of bytes (`pack`). */
    maxPackedInputBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024 * 1024),
  })
  .strict();

export type ReproPolicy = z.output<typeof policySchema> & { volatilePatterns: readonly VolatilePattern[] };
export type ReproPolicyInput = z.input<typeof policySchema>;

/** The policy with defaults filled in; an unknown or ill-typed field is refused by name. */
export function resolveReproPolicy(input: ReproPolicyInput = {}): ReproPolicy {
  const r = policySchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `reproduce policy: ${issuePath(issue.path) || '(root)'}: ${issue.message}`,
      { where: 'resolveReproPolicy', field: issuePath(issue.path) },
    );
  }
  return { ...r.data, volatilePatterns: DEFAULT_VOLATILE_PATTERNS };
}

/** Replaces every volatile substring by its `<name>` placeholder (paths are replaced by the callers first). */
export function normaliseText(text: string, policy: ReproPolicy): string {
  let t = blankVolatileColumns(text, policy.volatileColumns);
  for (const v of policy.volatilePatterns) t = t.replace(v.pattern, `<${v.name}>`);
  return t;
}

const RULE = /^-+(?: {2}-+)*$/;

/** A timing column: its header starts with one of `headers`, or ends in `_s`/`_ms` (ALEXIS's `clean_s`). */
function isTimingHeader(h: string, headers: readonly string[]): boolean {
  const l = h.toLowerCase();
  return headers.some((x) => l.startsWith(x.toLowerCase())) || /^[a-z0-9]+_(?:s|ms)$/.test(l);
}

/**
 * Rewrites showTable-style text tables (header line, dashed rule, rows) as `cell | cell` lines with the cells
 * of timing columns blanked: column widths follow the widest value, so a volatile value elsewhere in a
 * column (a run id, a time) must not make the whole table differ.
 */
export function blankVolatileColumns(text: string, headers: readonly string[]): string {
  if (!text.includes('--')) return text;
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    if (!RULE.test(lines[i])) continue;
    const spans = [...lines[i].matchAll(/-+/g)].map((m) => [m.index as number, (m.index as number) + m[0].length]);
    const cells = (line: string): string[] =>
      spans.map(([a, b], k) => line.slice(a, k === spans.length - 1 ? undefined : b).trim());
    const header = cells(lines[i - 1]);
    const timing = header.map((h) => isTimingHeader(h, headers));
    lines[i - 1] = header.join(' | ');
    lines[i] = '-';
    for (let r = i + 1; r < lines.length && lines[r].trim() !== '' && !lines[r].startsWith('['); r++)
      lines[r] = cells(lines[r])
        .map((c, k) => (timing[k] ? '<duration>' : c))
        .join(' | ');
  }
  return lines.join('\n');
}

/** True when a product file is not compared (volatile globs, or a download-cache entry). */
export function isVolatileProduct(rel: string, policy: Pick<ReproPolicy, 'volatileProducts'>): boolean {
  return DOWNLOAD_CACHE_ENTRY.test(rel) || matchesGlob(rel, policy.volatileProducts);
}

/** True when `rel` (a '/'-separated path) matches one of the globs. */
export function matchesGlob(rel: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(rel));
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more whole segments
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
