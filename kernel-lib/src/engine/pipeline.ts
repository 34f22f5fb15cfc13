/**
 * Pipelines: named DAGs of stages with a level ladder. Validation at declaration time catches
 * duplicate names, unknown upstreams, cycles and levels missing from the ladder.
 */
import type { SchemaLike } from '../config/loader';
import { StagebookError } from '../errors/stagebook-error';
import { DEFAULT_LEVELS, levelIndex } from './levels';
import type { AnyStage } from './stage';

/** A pipeline as declared. */
export interface PipelineDefinition {
  name: string;
  description?: string;
  /** Level ladder, lowest first (default TM, LB, L0, L1, L2, L3, Q). */
  levels?: readonly string[];
  stages: readonly AnyStage[];
  /** Schema of the config's `options` section for this pipeline. */
  optionsSchema?: SchemaLike<Record<string, unknown>>;
}

/** A validated pipeline with its stages in execution (topological) order. */
export interface Pipeline extends PipelineDefinition {
  readonly levels: readonly string[];
  /** Stages sorted so every stage comes after its upstreams (declaration order among equals). */
  readonly order: readonly AnyStage[];
  stage(name: string): AnyStage;
}

/** Declares and validates a pipeline. */
export function definePipeline(def: PipelineDefinition): Pipeline {
  const where = `definePipeline(${JSON.stringify(def.name)})`;
  const levels = def.levels ?? DEFAULT_LEVELS;
  const byName = new Map<string, AnyStage>();
  for (const s of def.stages) {
    if (byName.has(s.name)) invalid(where, 'stages', `duplicate stage name ${s.name}`);
    byName.set(s.name, s);
    levelIndex(levels, s.level, `${where}: stage ${s.name}`);
  }
  for (const s of def.stages) {
    for (const u of s.after ?? [])
      if (!byName.has(u)) invalid(where, `stages.${s.name}.after`, `unknown upstream stage ${u}`);
  }
  const order = topologicalOrder(def.stages, where);
  return {
    ...def,
    levels,
    order,
    stage(name: string): AnyStage {
      const s = byName.get(name);
      if (!s)
        throw new StagebookError('E_INVALID_ARGUMENT', `${def.name}: no stage named ${JSON.stringify(name)}`, {
          where,
          field: 'stage',
        });
      return s;
    },
  };
}

function invalid(where: string, field: string, msg: string): never {
  throw new StagebookError('E_PIPELINE_INVALID', `${where}: ${field}: ${msg}`, { where, field });
}

/** Kahn's algorithm; the remaining stages on failure form a cycle. */
function topologicalOrder(stages: readonly AnyStage[], where: string): AnyStage[] {
  const pending = new Map(stages.map((s) => [s.name, new Set(s.after ?? [])]));
  const order: AnyStage[] = [];
  while (pending.size > 0) {
    const ready = stages.filter((s) => pending.has(s.name) && (pending.get(s.name) as Set<string>).size === 0);
    if (ready.length === 0) invalid(where, 'stages', `cycle among ${[...pending.keys()].join(', ')}`);
    for (const s of ready) {
      order.push(s);
      pending.delete(s.name);
      for (const deps of pending.values()) deps.delete(s.name);
    }
  }
  return order;
}
