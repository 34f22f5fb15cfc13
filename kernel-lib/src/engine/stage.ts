/**
 * Stage declarations. A stage has a name, an integer version (bump it when its code changes what
 * it writes: the version is part of the cache key and of every output's ledger row), a parameter
 * schema (zod), the upstream stages it reads, the level/product of what it writes, and an async
 * `run(ctx)`, and optionally `sideInputs(ctx)` (data read besides the input files, keyed). Three shapes cover the seeds' chains:
 * - `map`: one input -> exactly one output (most transforms),
 * - `split`: one input -> any number of outputs (ALEXIS per-cluster files, Ruffus @subdivide),
 * - `merge`: many inputs -> outputs per group (collation, Ruffus @collate / @merge).
 */
import type { Secret } from '../config/secrets';
import type { SchemaLike } from '../config/loader';
import type { FileRef } from '../ledger/types';
import type { StageLogger } from '../logging/unit-log';
import type { PathGuard } from '../workdirs/confine';
import { StagebookError } from '../errors/stagebook-error';

/** How inputs map to units of work. */
export type StageKind = 'map' | 'split' | 'merge';

/** Options of a declared output. */
export interface OutputOptions {
  /** Level of this output (default: the stage's level). */
  level?: string;
  /** Product name (default: the stage's product). */
  product?: string;
}

/** What a stage's `run` receives. */
export interface StageContext<P = Record<string, unknown>> {
  readonly runId: string;
  readonly pipeline: string;
  readonly stage: string;
  /** Unit key: the input's path relative to the root (map/split) or the group key (merge). */
  readonly unit: string;
  /** Validated parameters (defaults applied). */
  readonly params: P;
  /** Inputs of this unit (one for map/split; the group's files for merge). */
  readonly inputs: readonly FileRef[];
  /** The first input (convenience for map/split). */
  readonly input: FileRef;
  /** Workspace root (absolute). */
  readonly root: string;
  /** Write confinement: resolve any path you write yourself through it. */
  readonly guard: PathGuard;
  /** Pipeline-specific options from the config. */
  readonly options: Record<string, unknown>;
  /** Captured log (ledger, per-input log file, run log, events). Secrets are redacted. */
  readonly log: StageLogger;
  /** Aborted when the run is stopped or this process lost its lease. */
  readonly signal: AbortSignal;
  /** Emits a progress event (n of total, with a message). */
  progress(n: number, total: number, message?: string): void;
  /**
   * Declares an output (path relative to the root, or absolute inside a write root) and returns the
   * TEMPORARY path to write it to. The engine renames it to the final path only after `run`
   * resolves, so a crash never leaves a half-written file under the final name.
   */
  output(relPath: string, options?: OutputOptions): string;
  /** Declares an output and writes text to it (atomic, as `output`). */
  writeText(relPath: string, text: string, options?: OutputOptions): Promise<void>;
  /** Declares a JSON record output (pretty-printed, atomic). */
  writeJson(relPath: string, value: unknown, options?: OutputOptions): Promise<void>;
  /** A secret declared in the config's `secrets` map (value only via `reveal()`). */
  secret(name: string): Secret;
}

/** One side input of a unit: data it reads that is not among its input files (see `sideInputs`). */
export interface SideInput {
  /** Stable label of what is read, e.g. `data_products/availability.db#goes_data[2017-09-06T11:00,12:00]`. */
  path: string;
  /** sha256 (64 hex digits) of exactly what the unit will read under that label. */
  sha256: string;
}

/** What a stage's `sideInputs` hook receives: the unit's identity and inputs (nothing to write with). */
export type SideInputContext<P = Record<string, unknown>> = Pick<
  StageContext<P>,
  'runId' | 'pipeline' | 'stage' | 'unit' | 'params' | 'inputs' | 'input' | 'root' | 'options' | 'signal'
>;

/** A stage as declared. */
export interface StageDefinition<P = Record<string, unknown>> {
  name: string;
  /** Integer >= 1; part of the cache key and of output rows (`version < 3` reprocessing queries). */
  version: number;
  kind: StageKind;
  /** Level of the outputs (e.g. `L1`); selects the stage for `--start-level/--end-level`. */
  level: string;
  /** Product name recorded on outputs. */
  product?: string;
  /** Upstream stage names whose outputs are this stage's inputs; absent/empty = the pipeline sources. */
  after?: string[];
  /** Only inputs whose path (relative to the root; base name when the glob has no `/`) matches. */
  accepts?: string;
  /** Parameter schema (zod); parameters come from the config's `stages.<name>`. */
  params?: SchemaLike<P>;
  /** merge only: group key of an input (one unit per group). Default: all inputs in one group `all`. */
  groupBy?: (input: FileRef, root: string) => string;
  /** Whether the cache key includes the WASM core hash. Default true (safe); pure-I/O stages set false. */
  usesCore?: boolean;
  /**
   * Side inputs: data the unit reads besides its input files (rows of a catalogue database, a shared
   * table). Evaluated per unit by the control process BEFORE the cache decision; each entry's
   * `path` (a stable label) and `sha256` (a digest of exactly what the unit will read: the rows of
   * its time range in canonical order, not the whole file) go into the unit's cache key and into
   * its ledger row (`stage_runs.side_inputs_json`), so a rerun re-runs exactly the units whose side
   * data changed and the ledger shows what each unit read. A hook that throws fails the unit
   * (`E_STAGE_SIDE_INPUTS`, naming stage and unit); it is never a cached skip. Stages without the
   * hook keep their cache keys.
   */
  sideInputs?: (ctx: SideInputContext<P>) => Promise<SideInput[]> | SideInput[];
  description?: string;
  run(ctx: StageContext<P>): Promise<void> | void;
}

/** A stage after declaration (type-erased parameters, for pipelines). */
export type AnyStage = StageDefinition<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Declares a stage (validates the declaration; returns it unchanged). */
export function defineStage<P>(def: StageDefinition<P>): StageDefinition<P> {
  const where = `defineStage(${JSON.stringify(def?.name)})`;
  const bad = (field: string, msg: string): never => {
    throw new StagebookError('E_PIPELINE_INVALID', `${where}: ${field}: ${msg}`, { where, field });
  };
  if (typeof def.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(def.name))
    bad('name', 'expected letters, digits, _ . - (no spaces or slashes)');
  if (!Number.isInteger(def.version) || def.version < 1) bad('version', 'expected an integer >= 1');
  if (!['map', 'split', 'merge'].includes(def.kind)) bad('kind', "expected 'map', 'split' or 'merge'");
  if (typeof def.level !== 'string' || def.level.length === 0) bad('level', 'expected a level name such as L1');
  if (typeof def.run !== 'function') bad('run', 'expected an async function');
  if (def.sideInputs !== undefined && typeof def.sideInputs !== 'function')
    bad('sideInputs', 'expected a function returning [{ path, sha256 }]');
  if (def.groupBy && def.kind !== 'merge') bad('groupBy', 'only merge stages group their inputs');
  return def;
}
