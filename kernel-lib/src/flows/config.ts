/**
 * Where flows run: the ledger that records them, the write roots nothing may leave, the named
 * endpoints transfers move data between (a directory on this machine or a mount, or an HTTP source),
 * the allow-list of commands the shell action may start, the search index, and the XPCS automate
 * defaults. YAML with file:line:col errors (config/loader.ts); paths relative to the file.
 */
import path from 'node:path';
import { z } from 'zod';
import { loadYamlConfig, type YamlSource } from '../config/loader';
import { StagebookError } from '../errors/stagebook-error';
import { PathGuard } from '../workdirs/confine';

const dirEndpoint = z
  .object({
    path: z.string().min(1),
    /** Bandwidth cap for copies into or out of this endpoint (bytes/s); default unlimited. */
    maxBytesPerSecond: z.number().positive().optional(),
  })
  .strict();
const httpEndpoint = z.object({ url: z.string().url() }).strict();

export const flowConfigSchema = z
  .object({
    ledger: z.string().min(1),
    roots: z.array(z.string().min(1)).min(1),
    endpoints: z.record(z.string(), z.union([dirEndpoint, httpEndpoint])).default({}),
    /** Commands the shell action may run: name -> executable path (never a shell). */
    shell: z
      .object({ allow: z.record(z.string(), z.string().min(1)).default({}) })
      .strict()
      .default({ allow: {} }),
    search: z
      .object({ index: z.string().min(1) })
      .strict()
      .optional(),
    /** Defaults of `stagebook xpcs automate` / `xpcs crawl` (the seed's Clutch -> Theta -> Clutch). */
    xpcs: z
      .object({
        source_endpoint: z.string(),
        compute_endpoint: z.string(),
        results_endpoint: z.string(),
        /** Staging directory on the compute endpoint; a dataset stages into <staging>/<hdf basename>/. */
        staging: z.string().default('Automate'),
        /** Results directory on the results endpoint. */
        results: z.string().default('ALCF_results'),
      })
      .strict()
      .optional(),
  })
  .strict();

export type FlowConfigInput = z.input<typeof flowConfigSchema>;
type FlowConfigRaw = z.output<typeof flowConfigSchema>;

export type FlowEndpoint = { kind: 'dir'; path: string; maxBytesPerSecond?: number } | { kind: 'http'; url: string };

/** A resolved flow environment (absolute paths). */
export interface FlowEnvironment {
  ledger: string;
  guard: PathGuard;
  endpoints: Record<string, FlowEndpoint>;
  shell: Record<string, string>;
  searchIndex?: string;
  xpcs?: FlowConfigRaw['xpcs'];
}

function resolveEnvironment(raw: FlowConfigRaw, baseDir: string): FlowEnvironment {
  const abs = (p: string): string => path.resolve(baseDir, p);
  const endpoints: Record<string, FlowEndpoint> = {};
  for (const [name, e] of Object.entries(raw.endpoints)) {
    endpoints[name] =
      'url' in e
        ? { kind: 'http', url: e.url }
        : { kind: 'dir', path: abs(e.path), maxBytesPerSecond: e.maxBytesPerSecond };
  }
  return {
    ledger: abs(raw.ledger),
    guard: new PathGuard(raw.roots.map(abs)),
    endpoints,
    shell: Object.fromEntries(Object.entries(raw.shell.allow).map(([k, v]) => [k, abs(v)])),
    searchIndex: raw.search ? abs(raw.search.index) : undefined,
    xpcs: raw.xpcs,
  };
}

/** Loads a flow config YAML (errors: file:line:col field). */
export function loadFlowConfig(file: string): { env: FlowEnvironment; source: YamlSource } {
  const { config, source } = loadYamlConfig(file, flowConfigSchema);
  return { env: resolveEnvironment(config, path.dirname(source.absolutePath)), source };
}

/** A flow environment from an object (notebooks, tests); relative paths against baseDir. */
export function makeFlowEnvironment(input: FlowConfigInput, baseDir = process.cwd()): FlowEnvironment {
  const r = flowConfigSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new StagebookError('E_CONFIG_INVALID', `flow config: ${issue.path.join('.') || '(root)'}: ${issue.message}`, {
      field: issue.path.join('.'),
    });
  }
  return resolveEnvironment(r.data, baseDir);
}

/** The named endpoint, or E_FLOW_ACTION naming the field. */
export function endpointOf(env: FlowEnvironment, name: string, field: string): FlowEndpoint {
  const e = env.endpoints[name];
  if (!e) {
    throw new StagebookError(
      'E_FLOW_INPUT',
      `${field}: unknown endpoint ${JSON.stringify(name)} (configured: ${Object.keys(env.endpoints).join(', ') || 'none'})`,
      { field },
    );
  }
  return e;
}
