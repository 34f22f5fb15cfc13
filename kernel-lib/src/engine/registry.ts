/**
 * Pipelines by name, for the CLI (`stagebook run <pipeline>`) and notebooks. A name that is a path
 * to a .js file is loaded as a module exporting `pipeline` (or `default`).
 */
import path from 'node:path';
import { StagebookError } from '../errors/stagebook-error';
import type { Pipeline } from './pipeline';

const registry = new Map<string, Pipeline>();

/** Registers (or replaces) a pipeline under its name. */
export function registerPipeline(p: Pipeline): void {
  registry.set(p.name, p);
}

/** Names of the registered pipelines. */
export function registeredPipelines(): string[] {
  return [...registry.keys()].sort();
}

/** The pipeline registered as `nameOrPath`, or exported by the module at that path. */
export function resolvePipeline(nameOrPath: string): Pipeline {
  const known = registry.get(nameOrPath);
  if (known) return known;
  if (/\.(c?js)$/.test(nameOrPath)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.resolve(nameOrPath)) as { pipeline?: Pipeline; default?: Pipeline };
    const p = mod.pipeline ?? mod.default;
    if (p && Array.isArray(p.order)) return p;
    throw new StagebookError(
      'E_PIPELINE_NOT_FOUND',
      `resolvePipeline: ${nameOrPath} exports no pipeline (export \`pipeline\` built with definePipeline)`,
      { where: 'resolvePipeline', file: nameOrPath },
    );
  }
  throw new StagebookError(
    'E_PIPELINE_NOT_FOUND',
    `resolvePipeline: no pipeline named ${JSON.stringify(nameOrPath)} (known: ${registeredPipelines().join(', ') || 'none'})`,
    { where: 'resolvePipeline', field: 'pipeline' },
  );
}
