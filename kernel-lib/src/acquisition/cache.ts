/**
 * Content-addressed download cache, laid out as ALEXIS's `download_module_w_new_file_syst.py`:
 * everything about one URL lives under `<h2>/<sha>` where `sha = sha256(key)` (the key is the URL,
 * or a stable key such as the URL without a presigned query string) and `h2` its first two hex
 * characters (fan-out keeps directories small: 1e6 items = ~4000 per directory).
 *
 *   data/<h2>/<sha>             the bytes (only ever created by rename from the .part)
 *   data/<h2>/<sha>.part        partial download (appended to on resume)
 *   data/<h2>/<sha>.part.json   validators of the partial (ETag / Last-Modified) for If-Range
 *   done/<h2>/<sha>.json        completion marker (size, sha256, md5, etag, time): ALEXIS's `.downloaded`
 *   bad/<h2>/<sha>.json         bad-download marker with the reason: ALEXIS's `bad_download_cache`
 *
 * The marker is written after the rename, so "marker present and data of that size" means complete;
 * a crash between the two leaves data without a marker, which is re-verified, never trusted blindly.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { atomicWriteFile } from '../workdirs/atomic';

/** What the completion marker records. */
export interface CacheEntry {
  key: string;
  size: number;
  sha256: string;
  md5?: string;
  etag?: string;
  lastModified?: string;
  completedAt: string;
}

/** Validators saved next to a `.part` file. */
export interface PartialInfo {
  key: string;
  etag?: string;
  lastModified?: string;
  totalSize?: number;
}

/** A bad-download marker. */
export interface BadMarker {
  key: string;
  code: string;
  message: string;
  attempts: number;
  at: string;
}

/** sha256 hex of a cache key. */
export function cacheHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** sha256 (and optionally md5) of a file, streamed. */
export async function hashFile(file: string, withMd5 = false): Promise<{ sha256: string; md5?: string; size: number }> {
  const sha = createHash('sha256');
  const md5 = withMd5 ? createHash('md5') : undefined;
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    sha.update(chunk as Buffer);
    md5?.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: sha.digest('hex'), md5: md5?.digest('hex'), size };
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Paths and markers of one content-addressed store. */
export class DownloadCache {
  /** Absolute root of the store. */
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private at(kind: 'data' | 'done' | 'bad', key: string, suffix = ''): string {
    const h = cacheHash(key);
    return path.join(this.root, kind, h.slice(0, 2), h + suffix);
  }

  /** Where the complete bytes of `key` live. */
  dataPath(key: string): string {
    return this.at('data', key);
  }
  /** The partial file of `key`. */
  partPath(key: string): string {
    return this.at('data', key, '.part');
  }
  partInfoPath(key: string): string {
    return this.at('data', key, '.part.json');
  }
  donePath(key: string): string {
    return this.at('done', key, '.json');
  }
  badPath(key: string): string {
    return this.at('bad', key, '.json');
  }

  /** The completion marker, if the data file still has the recorded size (and hash when asked). */
  async complete(key: string, verify: 'size' | 'hash' = 'size'): Promise<CacheEntry | undefined> {
    const entry = await readJson<CacheEntry>(this.donePath(key));
    if (!entry || entry.key !== key) return undefined;
    try {
      const st = await fsp.stat(this.dataPath(key));
      if (st.size !== entry.size) return undefined;
    } catch {
      return undefined;
    }
    if (verify === 'hash' && (await hashFile(this.dataPath(key))).sha256 !== entry.sha256) return undefined;
    return entry;
  }

  /** Moves a finished `.part` into place, then writes the completion marker and clears a bad marker. */
  async commit(key: string, entry: Omit<CacheEntry, 'key' | 'completedAt'>): Promise<CacheEntry> {
    const full: CacheEntry = { key, ...entry, completedAt: new Date().toISOString() };
    await fsp.rename(this.partPath(key), this.dataPath(key));
    await fsp.rm(this.partInfoPath(key), { force: true });
    await atomicWriteFile(this.donePath(key), JSON.stringify(full, null, 1) + '\n');
    await fsp.rm(this.badPath(key), { force: true });
    return full;
  }

  /** Size of the partial file (0 when none) and its saved validators. */
  async partial(key: string): Promise<{ size: number; info?: PartialInfo }> {
    try {
      const st = await fsp.stat(this.partPath(key));
      const info = await readJson<PartialInfo>(this.partInfoPath(key));
      return { size: st.size, info: info?.key === key ? info : undefined };
    } catch {
      return { size: 0 };
    }
  }

  /** Records the validators of a partial download (so a resume can send If-Range). */
  async savePartialInfo(info: PartialInfo): Promise<void> {
    await atomicWriteFile(this.partInfoPath(info.key), JSON.stringify(info) + '\n');
  }

  /** Deletes the partial file and its validators (restart from byte 0). */
  async discardPartial(key: string): Promise<void> {
    await fsp.rm(this.partPath(key), { force: true });
    await fsp.rm(this.partInfoPath(key), { force: true });
  }

  /** Writes the bad-download marker (the next run retries: the marker never blocks a fetch). */
  async markBad(marker: Omit<BadMarker, 'at'>): Promise<void> {
    await atomicWriteFile(
      this.badPath(marker.key),
      JSON.stringify({ ...marker, at: new Date().toISOString() }, null, 1) + '\n',
    );
  }

  async bad(key: string): Promise<BadMarker | undefined> {
    return readJson<BadMarker>(this.badPath(key));
  }

  /** Removes every trace of `key` (data, partial, markers). */
  async evict(key: string): Promise<void> {
    for (const p of [
      this.dataPath(key),
      this.partPath(key),
      this.partInfoPath(key),
      this.donePath(key),
      this.badPath(key),
    ])
      await fsp.rm(p, { force: true });
  }
}
