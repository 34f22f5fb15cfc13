/**
 * Ledger schema migrations, applied in order by `PRAGMA user_version` (SQLite's own schema counter:
 * no migrations table to race on). Append a new entry to add a version; never edit an old one.
 * A step that SQL alone cannot express is a marker entry with code in `MIGRATION_CODE` (keyed by the
 * marker text, so its position in the list does not matter when branches are merged).
 */
import type Database from 'better-sqlite3';
import { allowPartialRunStatus } from './rebuild-run-status';
import { PUNCH_TABLES_MIGRATION } from './punch-tables';

/** Marker of the step that lets `runs.status` be `partial` (rebuild-run-status.ts). */
export const ALLOW_PARTIAL_RUN_STATUS = "-- runs.status also accepts 'partial' (code: rebuild-run-status.ts)";

/** Migration i brings the schema from user_version i to i+1. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    pipeline TEXT NOT NULL,
    scope TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed','interrupted')),
    options_json TEXT NOT NULL,
    config_file TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER,
    owner_pid INTEGER,
    owner_host TEXT,
    lease_token TEXT,
    lease_expires_at INTEGER,
    resume_count INTEGER NOT NULL DEFAULT 0,
    units_done INTEGER NOT NULL DEFAULT 0,
    error_json TEXT
  );
  CREATE INDEX runs_scope ON runs (scope, status);
  CREATE TABLE stage_runs (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs (id),
    pipeline TEXT NOT NULL,
    stage TEXT NOT NULL,
    unit TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed','cached','interrupted','blocked')),
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    duration_ms INTEGER,
    stage_version INTEGER NOT NULL,
    params_json TEXT NOT NULL,
    cache_key TEXT NOT NULL,
    inputs_json TEXT NOT NULL,
    outputs_json TEXT,
    error_json TEXT,
    log TEXT
  );
  CREATE INDEX stage_runs_cache ON stage_runs (pipeline, stage, unit, cache_key, status);
  CREATE INDEX stage_runs_run ON stage_runs (run_id, status);
  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    sha256 TEXT,
    size INTEGER,
    mtime_ms REAL,
    level TEXT,
    product TEXT,
    version INTEGER,
    state TEXT NOT NULL CHECK (state IN ('source','complete','superseded','deleted')),
    pipeline TEXT,
    stage TEXT,
    unit TEXT,
    stage_run_id INTEGER,
    run_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX files_level ON files (level, version, state);
  CREATE INDEX files_producer ON files (pipeline, stage, unit);
  CREATE TABLE file_links (
    parent_id INTEGER NOT NULL REFERENCES files (id),
    child_id INTEGER NOT NULL REFERENCES files (id),
    stage_run_id INTEGER,
    PRIMARY KEY (parent_id, child_id)
  );
  CREATE INDEX file_links_child ON file_links (child_id);
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    run_id TEXT,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    stage TEXT,
    unit TEXT,
    n INTEGER,
    total INTEGER,
    message TEXT,
    data_json TEXT
  );
  CREATE INDEX events_run ON events (run_id, id);
  `,
  // 2: downloads (acquisition/record.ts). IF NOT EXISTS: ledgers written before this migration
  // existed may already hold the table, created on first use by the downloader.
  `
CREATE TABLE IF NOT EXISTS acquisition_downloads (
  key TEXT PRIMARY KEY,
  key_sha256 TEXT NOT NULL,
  host TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok','failed')),
  dest TEXT,
  size INTEGER,
  sha256 TEXT,
  md5 TEXT,
  attempts INTEGER NOT NULL,
  bytes_transferred INTEGER NOT NULL,
  error_code TEXT,
  error_message TEXT,
  run_id TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS acquisition_downloads_status ON acquisition_downloads (status);
  `,
  // 3: workspace identity and lease fencing (issue 11). `workspace` is the real path of the root a
  // stage run / file belongs to: cache hits and supersession stay inside one workspace even when
  // several share a ledger. `lease_generation` grows at every takeover; a commit checks it in its
  // own transaction, so a process that lost its lease can never commit (fencing token).
  `
ALTER TABLE runs ADD COLUMN lease_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stage_runs ADD COLUMN workspace TEXT;
ALTER TABLE files ADD COLUMN workspace TEXT;
CREATE INDEX stage_runs_workspace ON stage_runs (pipeline, stage, unit, workspace, cache_key, status);
CREATE INDEX files_workspace ON files (pipeline, stage, unit, workspace, state);
  `,
  // runs.status also accepts 'partial' (issue 22: a run whose units partly failed is not 'failed').
  ALLOW_PARTIAL_RUN_STATUS,
  // PUNCH control segment: punch_files, punch_flows, punch_relationships, punch_health (issue 17; punch-tables.ts)
  PUNCH_TABLES_MIGRATION,
  // side inputs of a unit (engine/stage.ts `sideInputs`): the labelled digests of data it read
  // besides its input files (catalogue rows), part of its cache key; null for stages without them
  `ALTER TABLE stage_runs ADD COLUMN side_inputs_json TEXT;`,
];

/** Code run right after a marker entry of MIGRATIONS, in the same transaction. */
export const MIGRATION_CODE: ReadonlyMap<string, (db: Database.Database) => void> = new Map([
  [ALLOW_PARTIAL_RUN_STATUS, allowPartialRunStatus],
]);

/** Schema version a fully migrated ledger has. */
export const LEDGER_SCHEMA_VERSION = MIGRATIONS.length;
