/**
 * The PUNCH control segment's tables (issue 17), a ledger migration. Prefixed `punch_` because the
 * ledger already has a `files` table (the engine's outputs) and punchpipe's names (`files`, `flows`,
 * `relationships`, `health`, control/db.py) would collide with it or be ambiguous next to it.
 * Times are UTC epoch milliseconds (INTEGER): punchpipe uses microsecond DATETIMEs; integers sort and
 * compare in indexes without parsing. Every index serves a query of the control loop (named below):
 * punchpipe fixed its lock timeouts with indexes (changelog #268).
 */
export const PUNCH_TABLES_MIGRATION = `
CREATE TABLE punch_files (
  file_id INTEGER PRIMARY KEY,
  level TEXT NOT NULL CHECK (level IN ('0','1','2','3','Q','H')),
  file_type TEXT NOT NULL CHECK (length(file_type) = 2),
  observatory TEXT NOT NULL CHECK (length(observatory) = 1),
  file_version TEXT NOT NULL,
  software_version TEXT NOT NULL,
  date_created INTEGER,
  date_obs INTEGER NOT NULL,
  date_beg INTEGER,
  date_end INTEGER,
  polarization TEXT,
  state TEXT NOT NULL CHECK (state IN
    ('planned','creating','created','failed','unreported','timed_out','progressed','quickpunched','levelh')),
  processing_flow INTEGER,
  outlier INTEGER NOT NULL DEFAULT 0,
  bad_packets INTEGER NOT NULL DEFAULT 0,
  crota REAL
);
-- One row per product name: level, type, observatory, observation time and version make the file name,
-- so two rows for one L0 observation are impossible (punchpipe's level0_uniqueness, which also covers
-- every level: control/db.py:71-74).
CREATE UNIQUE INDEX punch_files_uniqueness ON punch_files (level, file_type, observatory, date_obs, file_version);
-- scheduler: ready files of a level and state
CREATE INDEX punch_files_ready ON punch_files (level, state, file_type, date_obs);
-- processor / cleaner: the outputs of a flow
CREATE INDEX punch_files_flow ON punch_files (processing_flow);
CREATE TABLE punch_flows (
  flow_id INTEGER PRIMARY KEY,
  flow_level TEXT NOT NULL,
  flow_type TEXT NOT NULL,
  flow_run_name TEXT,
  flow_run_id TEXT,
  state TEXT NOT NULL CHECK (state IN
    ('being_planned','planned','launched','running','completed','failed','timed_out','revivable')),
  creation_time INTEGER NOT NULL,
  launch_time INTEGER,
  start_time INTEGER,
  end_time INTEGER,
  priority INTEGER NOT NULL,
  is_backprocessing INTEGER NOT NULL DEFAULT 0,
  call_data TEXT,
  error TEXT
);
-- launcher: planned flows in launch order; scheduler: planned count per type; cleaner: by state and time
CREATE INDEX punch_flows_launch ON punch_flows (state, is_backprocessing, priority DESC, creation_time);
CREATE INDEX punch_flows_type ON punch_flows (state, flow_type, creation_time);
CREATE INDEX punch_flows_launched ON punch_flows (state, launch_time);
CREATE INDEX punch_flows_started ON punch_flows (state, start_time);
CREATE TABLE punch_relationships (
  relationship_id INTEGER PRIMARY KEY,
  parent INTEGER NOT NULL,
  child INTEGER NOT NULL,
  UNIQUE (parent, child)
);
CREATE INDEX punch_relationships_child ON punch_relationships (child);
CREATE TABLE punch_health (
  health_id INTEGER PRIMARY KEY,
  datetime INTEGER NOT NULL,
  cpu_usage REAL NOT NULL,
  memory_usage REAL NOT NULL,
  memory_percentage REAL NOT NULL,
  disk_usage REAL NOT NULL,
  disk_percentage REAL NOT NULL,
  num_pids INTEGER NOT NULL
);
CREATE INDEX punch_health_time ON punch_health (datetime);
`;
