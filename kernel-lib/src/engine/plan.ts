/**
 * Planning a run: stage parameters validated against each stage's schema (errors located in the
 * YAML), source inputs discovered (glob, explicit list, filter), and inputs grouped into units.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { SchemaLike, YamlSource } from '../config/loader';
import { validateYaml } from '../config/loader';
import { canonicalPath } from '../config/canonical-path';
import type { StagebookConfig } from '../config/schema';
import { StagebookError, type StagebookErrorCode } from '../errors/stagebook-error';
import { issuePath, prettifyIssues } from '../errors/zod-issues';
import type { FileRef } from '../ledger/types';
import { unitPath } from './context';
import { globFiles, matchesGlob } from './glob';
import type { Pipeline } from './pipeline';
import type { AnyStage } from './stage';

/** One unit of work of a stage. */
export interface Unit {
  key: string;
  inputs: FileRef[];
}

function validateSection<T>(
  schema: SchemaLike<T>,
  value: unknown,
  prefix: string[],
  source: YamlSource | undefined,
  code: StagebookErrorCode,
): T {
  if (source) return validateYaml(source, schema, prefix, value);
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new StagebookError(code, `invalid ${issuePath(prefix)}\n${prettifyIssues(r.error.issues, prefix)}`, {
    where: 'validateStageParams',
    field: issuePath(r.error.issues[0]?.path ?? [], prefix),
  });
}

/** Validated parameters of every stage (defaults applied); unknown stage names are refused. */
export function validateStageParams(
  pipeline: Pipeline,
  config: StagebookConfig,
  source?: YamlSource,
): Map<string, unknown> {
  const names = new Set(pipeline.order.map((s) => s.name));
  for (const name of Object.keys(config.stages)) {
    if (!names.has(name)) {
      const issue = {
        path: [name],
        message: `no stage named ${name} in pipeline ${pipeline.name} (stages: ${[...names].join(', ')})`,
      };
      validateSection(
        { safeParse: () => ({ success: false as const, error: { issues: [issue] } }) },
        null,
        ['stages'],
        source,
        'E_STAGE_PARAMS',
      );
    }
  }
  const out = new Map<string, unknown>();
  for (const s of pipeline.order) {
    const raw = config.stages[s.name] ?? {};
    out.set(s.name, s.params ? validateSection(s.params, raw, ['stages', s.name], source, 'E_STAGE_PARAMS') : raw);
  }
  return out;
}

/** Validated pipeline options (the config's `options`). */
export function validatePipelineOptions(
  pipeline: Pipeline,
  config: StagebookConfig,
  source?: YamlSource,
): Record<string, unknown> {
  if (!pipeline.optionsSchema) return config.options;
  return validateSection(pipeline.optionsSchema, config.options, ['options'], source, 'E_CONFIG_INVALID');
}

/** Source files: the explicit list (paths relative to the cwd) or the config's glob, then the filter. */
export function discoverSources(config: StagebookConfig, inputFiles?: readonly string[], filter?: string): string[] {
  let files: string[];
  if (inputFiles && inputFiles.length > 0) {
    files = inputFiles.map((f) => canonicalPath(f)); // same spelling as the canonical root (config/canonical-path.ts)
    for (const f of files) {
      try {
        if (!statSync(f).isFile()) throw new Error('not a file');
      } catch {
        throw new StagebookError('E_NO_INPUTS', `discoverSources: input file ${f} does not exist or is not a file`, {
          where: 'discoverSources',
          file: f,
        });
      }
    }
  } else {
    files = globFiles(config.inputs.dir, config.inputs.pattern);
  }
  if (filter) files = files.filter((f) => matchesGlob(unitPath(config.inputs.dir, f), filter));
  return files;
}

/** Splits a stage's inputs into units (map/split: one per input; merge: one per group). */
export function buildUnits(stage: AnyStage, inputs: FileRef[], root: string): Unit[] {
  const accepted = stage.accepts
    ? inputs.filter((f) => matchesGlob(unitPath(root, f.path), stage.accepts as string))
    : inputs;
  if (stage.kind !== 'merge') return accepted.map((f) => ({ key: unitPath(root, f.path), inputs: [f] }));
  const groups = new Map<string, FileRef[]>();
  for (const f of accepted) {
    const key = stage.groupBy ? stage.groupBy(f, root) : 'all';
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  }
  return [...groups.entries()].map(([key, files]) => ({ key, inputs: files }));
}

/** Runs `fn` over `items` with at most `limit` at once; stops launching when `stop()` turns true. */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
  stop: () => boolean,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !stop()) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
