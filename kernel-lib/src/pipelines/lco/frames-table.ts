/**
 * Every LCO frame the pipeline has seen, in the run ledger (table `lco_frames`): it replaces the
 * seed's `main_data_list.txt`. States: `sorted` (in its dataset directory), `held` (dataset.lock was
 * present: decompressed in the download dir, sorted by a later run), `failed` (download or
 * decompression failed; retried next run), `refused` (unsafe file name; never fetched).
 * Created with IF NOT EXISTS, like acquisition_downloads (the engine's migrations stay the engine's).
 */
import type { Ledger } from '../../ledger/ledger';

export type LcoFrameState = 'sorted' | 'held' | 'failed' | 'refused';

/** A row of lco_frames. */
export interface LcoFrameRow {
  basename: string;
  archive: string;
  proposal_id: string;
  frame_id: number | null;
  target: string | null;
  instrument: string | null;
  filter: string | null;
  day_obs: string | null;
  obstype: string | null;
  dataset: string | null;
  path: string | null;
  md5: string | null;
  state: LcoFrameState;
  error_code: string | null;
  error_message: string | null;
  run_id: string | null;
  updated_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS lco_frames (
  basename TEXT PRIMARY KEY,
  archive TEXT NOT NULL,
  proposal_id TEXT NOT NULL,
  frame_id INTEGER,
  target TEXT, instrument TEXT, filter TEXT, day_obs TEXT, obstype TEXT,
  dataset TEXT, path TEXT, md5 TEXT,
  state TEXT NOT NULL CHECK (state IN ('sorted','held','failed','refused')),
  error_code TEXT, error_message TEXT, run_id TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS lco_frames_state ON lco_frames (state);
`;

/** Access to lco_frames. */
export class LcoFrameTable {
  constructor(readonly ledger: Ledger) {
    ledger.db.exec(SCHEMA);
  }

  upsert(row: Omit<LcoFrameRow, 'updated_at'>): void {
    this.ledger.write(() => {
      this.ledger
        .sql(
          `INSERT OR REPLACE INTO lco_frames (basename, archive, proposal_id, frame_id, target, instrument, filter, day_obs, obstype, dataset, path, md5, state, error_code, error_message, run_id, updated_at)
        VALUES (@basename, @archive, @proposal_id, @frame_id, @target, @instrument, @filter, @day_obs, @obstype, @dataset, @path, @md5, @state, @error_code, @error_message, @run_id, @updated_at)`,
        )
        .run({ ...row, updated_at: Date.now() });
    });
  }

  get(basename: string): LcoFrameRow | undefined {
    return this.ledger.sql('SELECT * FROM lco_frames WHERE basename = ?').get(basename) as LcoFrameRow | undefined;
  }

  list(state?: LcoFrameState): LcoFrameRow[] {
    return (
      state
        ? this.ledger.sql('SELECT * FROM lco_frames WHERE state = ? ORDER BY basename').all(state)
        : this.ledger.sql('SELECT * FROM lco_frames ORDER BY basename').all()
    ) as LcoFrameRow[];
  }
}
