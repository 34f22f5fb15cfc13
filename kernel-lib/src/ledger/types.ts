/** Row and record types of the run ledger (plain data, JSON-friendly). */

/**
 * Status of a whole run. `running` with an expired lease means the owner died (stale). `partial`:
 * some units failed (or were blocked) and others succeeded or were cached; `failed`: none did.
 */
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'interrupted';

/** Status of one unit of one stage in one run. */
export type StageRunStatus = 'running' | 'succeeded' | 'failed' | 'cached' | 'interrupted' | 'blocked';

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
