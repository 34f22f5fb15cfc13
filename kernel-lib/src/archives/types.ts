/**
 * The one interface of every archive client: `search(query)` returns records, `toDownloadItems`
 * turns records into downloader items (URL, stable cache key, destination name, expected size and
 * checksum). Fetching is always the shared Downloader, so every archive gets the same retries,
 * resume, verification and ledger records.
 */
import type { DownloadItem } from '../acquisition/downloader';

/** A file an archive offers. */
export interface ArchiveRecord {
  /** Archive-specific id (LCO frame id, catalogue URL, ...). */
  id: string | number;
  /** File name as the archive names it (validated before use as a path). */
  filename: string;
  url: string;
  /** Observation time (ISO), when known. */
  time?: string;
  instrument?: string;
  size?: number;
  md5?: string;
  sha256?: string;
  /** Everything else the archive returned. */
  meta: Record<string, unknown>;
}

/** A client behind the common interface. */
export interface ArchiveClient<Q> {
  readonly name: string;
  search(query: Q): Promise<ArchiveRecord[]>;
  /** Downloader items for records (dest = record file name under an optional subdirectory). */
  toDownloadItems(records: readonly ArchiveRecord[], subdir?: string): DownloadItem[];
}

/**
 * Default mapping record -> download item (the URL without its query string is the cache key). The
 * record's file name is passed as `archiveName`, so the downloader refuses an unsafe one (names.ts).
 */
export function recordsToItems(records: readonly ArchiveRecord[], subdir?: string): DownloadItem[] {
  return records.map((r) => {
    let key = r.url;
    try {
      const u = new URL(r.url);
      key = `${u.origin}${u.pathname}`;
    } catch {
      /* invalid URLs are reported by the downloader */
    }
    const dest = subdir ? `${subdir}/${r.filename}` : r.filename;
    return { url: r.url, key, archiveName: r.filename, dest, size: r.size, md5: r.md5, sha256: r.sha256 };
  });
}
