/**
 * The engine's own configuration file (one per pipeline workspace). Every field is described; the
 * policies (lease, concurrency, error handling, output verification) are data with stated defaults.
 * Paths are relative to the directory of the config file unless absolute.
 */
import path from 'node:path';
import { z } from 'zod';
import { StagebookError } from '../errors/stagebook-error';
import { issuePath, prettifyIssues } from '../errors/zod-issues';
import { canonicalPath } from './canonical-path';
import { envVarNameSchema } from './secrets';
import { executorSchema } from './executor-schema';
import { readYamlFile, validateYaml, type YamlSource } from './loader';

const leaseSchema = z
  .strictObject({
    timeoutMs: z
      .number()
      .int()
      .min(200)
      .default(30_000)
      .describe('A run whose last heartbeat is older than this (ms) is presumed dead and may be resumed'),
    heartbeatMs: z.number().int().min(50).default(5_000).describe('Interval (ms) at which a live run renews its lease'),
  })
  .refine((l) => l.heartbeatMs < l.timeoutMs, {
    message: 'heartbeatMs must be smaller than timeoutMs',
    path: ['heartbeatMs'],
  })
  .describe('Liveness lease of a run (heartbeat)');

/** Lease (liveness) policy of a run: a run whose lease expired is presumed dead and may be resumed. */
export type LeasePolicy = z.output<typeof leaseSchema>;
/** The lease defaults (30 s timeout, 5 s heartbeat), from the schema: written once, there. */
export const DEFAULT_LEASE_POLICY: LeasePolicy = leaseSchema.parse({});

const engineSchema = z
  .strictObject({
    // prefault: an absent section is parsed as {} so the field defaults above apply (no second copy of them).
    lease: leaseSchema.prefault({}),
    concurrency: z.number().int().min(1).max(64).default(1).describe('Units of one stage processed at once'),
    onError: z
      .enum(['stop', 'continue'])
      .default('stop')
      .describe('What a failed unit does to the run: stop it, or continue with independent units'),
    verifyOutputs: z
      .enum(['hash', 'size'])
      .default('hash')
      .describe('Check of cached outputs before skipping a stage: sha256 (hash) or size only'),
    busyTimeoutMs: z.number().int().min(0).default(10_000).describe('SQLite busy timeout (ms) for concurrent writers'),
  })
  .describe('Engine policies');

/** Engine policies (lease, concurrency, error handling, output verification, SQLite busy timeout). */
export type EnginePolicy = z.output<typeof engineSchema>;

/** Zod schema of the engine config file (raw, before path resolution). */
export const stagebookConfigSchema = z
  .strictObject({
    root: z
      .string()
      .min(1)
      .describe('Workspace root, relative to the config file; all writes stay inside it or writeRoots'),
    writeRoots: z
      .array(z.string().min(1).describe('An extra directory the pipeline may write into'))
      .default([])
      .describe('Extra write roots besides root'),
    ledger: z.string().min(1).default('.stagebook/ledger.db').describe('SQLite ledger file, relative to root'),
    logDir: z.string().min(1).default('logs').describe('Per-input logs and .err markers, relative to root'),
    inputs: z
      .strictObject({
        dir: z.string().min(1).default('incoming').describe('Directory of source inputs, relative to root'),
        pattern: z
          .string()
          .min(1)
          .default('**/*')
          .describe('Glob of source inputs relative to inputs.dir (*, **, ?, {a,b})'),
      })
      .prefault({})
      .describe('Where the first stages find their inputs'),
    engine: engineSchema.prefault({}),
    executor: executorSchema,
    stages: z
      .record(z.string(), z.record(z.string(), z.unknown()).describe('Parameters of one stage'))
      .default({})
      .describe('Parameters per stage name'),
    secrets: z
      .record(z.string(), envVarNameSchema)
      .default({})
      .describe('Logical secret name -> environment variable NAME'),
    options: z.record(z.string(), z.unknown()).default({}).describe('Pipeline-specific options'),
  })
  .describe('Stagebook engine configuration');

type RawConfig = z.output<typeof stagebookConfigSchema>;

/**
 * Validated engine configuration: the schema's output with every path made absolute (`root`,
 * `writeRoots` with `root` first, `ledger`, `logDir`, `inputs.dir`) and the config file it came from
 * (`'<inline>'` when built in code).
 */
export type StagebookConfig = RawConfig & { configFile: string };

/** Resolves the raw config's paths against the config file's directory / the root. */
export function resolveConfigPaths(raw: RawConfig, configFile: string, dir: string): StagebookConfig {
  // canonical: unit keys and ledger paths are relative to the root, whatever path led to it
  const baseDir = canonicalPath(dir);
  const root = canonicalPath(path.resolve(baseDir, raw.root));
  const fromRoot = (p: string): string => path.resolve(root, p);
  return {
    configFile,
    root,
    writeRoots: [root, ...raw.writeRoots.map((r) => path.resolve(baseDir, r))],
    ledger: fromRoot(raw.ledger),
    logDir: fromRoot(raw.logDir),
    inputs: { dir: fromRoot(raw.inputs.dir), pattern: raw.inputs.pattern },
    engine: raw.engine,
    executor: raw.executor,
    stages: raw.stages,
    secrets: raw.secrets,
    options: raw.options,
  };
}

/** Loads and validates an engine config file (errors name file:line:col and the field). */
export function loadStagebookConfig(file: string): { config: StagebookConfig; source: YamlSource } {
  const source = readYamlFile(file);
  const raw = validateYaml(source, stagebookConfigSchema);
  return { config: resolveConfigPaths(raw, source.absolutePath, path.dirname(source.absolutePath)), source };
}

/** Builds a config in code (notebooks): same validation, paths relative to `baseDir`. */
export function makeStagebookConfig(input: Record<string, unknown>, baseDir: string = process.cwd()): StagebookConfig {
  const r = stagebookConfigSchema.safeParse(input);
  if (!r.success) {
    throw new StagebookError(
      'E_CONFIG_INVALID',
      `makeStagebookConfig: invalid config\n${prettifyIssues(r.error.issues)}`,
      {
        where: 'makeStagebookConfig',
        field: issuePath(r.error.issues[0].path),
      },
    );
  }
  return resolveConfigPaths(r.data, '<inline>', baseDir);
}
