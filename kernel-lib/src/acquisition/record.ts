/**
 * Every URL's outcome in the run ledger (table `acquisition_downloads`, one row per cache key; the
 * latest outcome wins). The table is part of the ledger schema (ledger/migrations.ts, version 2).
 *
 * Only the cache key is stored, never the request URL: presigned URLs carry signatures and some
 * archives put tokens in query strings. Callers use keys without secrets (see `stableKey`).
 */
import type { Ledger } from '../ledger/ledger';

/** Outcome of one URL. */
export type DownloadOutcomeStatus = 'ok' | 'failed';

/** A row of `acquisition_downloads`. */
export interface DownloadRecordRow {
  key: string;
  key_sha256: string;
  host: string;
  status: DownloadOutcomeStatus;
  dest: string | null;
  size: number | null;
  sha256: string | null;
  md5: string | null;
  attempts: number;
  bytes_transferred: number;
  error_code: string | null;
  error_message: string | null;
  run_id: string | null;
  updated_at: number;
}

/** Reads and writes download outcomes in a ledger. */
export class DownloadRecorder {
  constructor(
    readonly ledger: Ledger,
    readonly runId?: string,
  ) {}

  /** Records (upserts) an outcome. */
  record(row: Omit<DownloadRecordRow, 'updated_at' | 'run_id'>): void {
    this.ledger.write(() => {
      this.ledger
        .sql(
          `INSERT INTO acquisition_downloads (key, key_sha256, host, status, dest, size, sha256, md5, attempts, bytes_transferred, error_code, error_message, run_id, updated_at)
        VALUES (@key, @key_sha256, @host, @status, @dest, @size, @sha256, @md5, @attempts, @bytes_transferred, @error_code, @error_message, @run_id, @updated_at)
        ON CONFLICT (key) DO UPDATE SET key_sha256 = excluded.key_sha256, host = excluded.host, status = excluded.status,
          dest = COALESCE(excluded.dest, acquisition_downloads.dest), size = excluded.size, sha256 = excluded.sha256, md5 = excluded.md5,
          attempts = excluded.attempts, bytes_transferred = excluded.bytes_transferred, error_code = excluded.error_code,
          error_message = excluded.error_message, run_id = excluded.run_id, updated_at = excluded.updated_at`,
        )
        .run({ ...row, run_id: this.runId ?? null, updated_at: Date.now() });
    });
  }

  /** The row of `key`, if any. */
  get(key: string): DownloadRecordRow | undefined {
    return this.ledger.sql('SELECT * FROM acquisition_downloads WHERE key = ?').get(key) as
      DownloadRecordRow | undefined;
  }

  /** All rows (optionally of one status), oldest first. */
  list(status?: DownloadOutcomeStatus): DownloadRecordRow[] {
    return (
      status
        ? this.ledger.sql('SELECT * FROM acquisition_downloads WHERE status = ? ORDER BY updated_at, key').all(status)
        : this.ledger.sql('SELECT * FROM acquisition_downloads ORDER BY updated_at, key').all()
    ) as DownloadRecordRow[];
  }
}
