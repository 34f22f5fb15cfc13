/** Row and record types of the run ledger (plain data, JSON-friendly). */

import type { RunStatus, StageStatus } from '../types/run-status';

/** Status of a whole run (the shared vocabulary, types/run-status.ts). `running` with an expired lease: stale. */
export type { RunStatus };

/** Status of one unit of one stage in one run, as the ledger stores it (never `pending`). */
export type StageRunStatus = Exclude<StageStatus, 'pending'>;

/** Lifecycle of a file the ledger knows. */
export type FileState = 'source' | 'complete' | 'superseded' | 'deleted';

/** A file as the engine passes it between stages. */
export interface FileRef {
  /** Absolute path. */
  path: string;
  sha256: string;
  size: number;
  /** Processing level (e.g. `L1`), when known. */
  level?: string;
  /** Product name (e.g. `words`, `stix-ql-lightcurve`). */
  product?: string;
}

export interface RunRow {
  id: string;
  pipeline: string;
  scope: string;
  status: RunStatus;
  options_json: string;
  config_file: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  owner_pid: number | null;
  owner_host: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  /** Fencing token: grows at every takeover (migration 3). */
  lease_generation: number;
  resume_count: number;
  units_done: number;
  error_json: string | null;
}

export interface StageRunRow {
  id: number;
  run_id: string;
  pipeline: string;
  stage: string;
  unit: string;
  status: StageRunStatus;
  started_at: number;
  finished_at: number | null;
  duration_ms: number | null;
  stage_version: number;
  params_json: string;
  cache_key: string;
  inputs_json: string;
  outputs_json: string | null;
  error_json: string | null;
  log: string | null;
  /** Real path of the workspace root the unit ran in (migration 3; null on older rows). */
  workspace: string | null;
  /** JSON `[{path, sha256}]`: side inputs the unit read (engine `sideInputs` hook); null without them. */
  side_inputs_json: string | null;
}

export interface FileRow {
  id: number;
  path: string;
  sha256: string | null;
  size: number | null;
  mtime_ms: number | null;
  level: string | null;
  product: string | null;
  version: number | null;
  state: FileState;
  pipeline: string | null;
  stage: string | null;
  unit: string | null;
  stage_run_id: number | null;
  run_id: string | null;
  created_at: number;
  updated_at: number;
  /** Real path of the producing workspace's root (migration 3; null for sources and older rows). */
  workspace: string | null;
}

/** A progress/lifecycle event as stored. */
export interface EventRow {
  id: number;
  run_id: string | null;
  at: number;
  type: string;
  stage: string | null;
  unit: string | null;
  n: number | null;
  total: number | null;
  message: string | null;
  data_json: string | null;
}

/** What a new run records. */
export interface NewRun {
  pipeline: string;
  /** Lease scope: at most one live run per scope (pipeline + workspace root). */
  scope: string;
  /** Everything needed to resume the run (levels, filters, input list...). */
  options: Record<string, unknown>;
  configFile?: string;
  leaseMs: number;
  /** Run id; generated when absent. */
  id?: string;
}

/**
 * A held lease: the token proves ownership at every renewal; the generation (grows at every
 * takeover) is the fencing token every commit checks in its own transaction.
 */
export interface Lease {
  runId: string;
  token: string;
  generation: number;
}

/** What a stage unit records when it starts. */
export interface NewStageRun {
  runId: string;
  pipeline: string;
  stage: string;
  unit: string;
  stageVersion: number;
  params: unknown;
  cacheKey: string;
  inputs: FileRef[];
  status?: StageRunStatus;
  /** Real path of the workspace root (cache hits never cross workspaces). */
  workspace?: string;
  /** Side inputs (label, digest) of a stage with a `sideInputs` hook (part of the cache key). */
  sideInputs?: { path: string; sha256: string }[];
}

/** An output to register when a unit commits. */
export interface CommittedOutput extends FileRef {
  mtimeMs: number;
}

/** The unit a commit belongs to. */
export interface UnitMeta {
  runId: string;
  pipeline: string;
  stage: string;
  unit: string;
  version: number;
  /** Real path of the workspace root. */
  workspace?: string;
}

/** A succeeded unit found by its cache key. */
export interface CachedUnit {
  id: number;
  runId: string;
  stageVersion: number;
  outputs: FileRef[];
}

/** The outcome of a unit. */
export interface StageRunOutcome {
  status: StageRunStatus;
  outputs?: FileRef[];
  error?: unknown;
  log?: string;
}
