/**
 * GOES SXI files from NCEI's HTML directory listings
 * (`.../goes-solar-xray-imager/access/fits/goes{13,14,15}/YYYY/MM/DD/`), as ALEXIS's
 * create_sxi_availability.py scrapes them: links starting with `SXI`, names parsed by regex; 404 =
 * no data that day; 429 is retried after its Retry-After (the shared policy), where ALEXIS only logged it.
 */
import type { DownloadPolicyInput } from '../acquisition/policy';
import { dayDirectories, listDirectory, parseSxiName } from './listing';
import { recordsToItems, type ArchiveClient, type ArchiveRecord } from './types';

export interface SxiQuery {
  start: string;
  end: string;
}

/** Lists SXI files of the satellites over the days of a window. */
export class NceiSxiClient implements ArchiveClient<SxiQuery> {
  readonly name = 'ncei-sxi';
  /** `base` is the directory holding `goes13/`, `goes14/`, `goes15/`. */
  constructor(
    readonly base: string,
    readonly satellites: readonly number[] = [13, 14, 15],
    private readonly policy?: DownloadPolicyInput,
    private readonly signal?: AbortSignal,
  ) {}

  async search(q: SxiQuery): Promise<ArchiveRecord[]> {
    const start = new Date(q.start);
    const end = new Date(q.end);
    const out: ArchiveRecord[] = [];
    for (const sat of this.satellites) {
      for (const dir of dayDirectories(`${this.base.replace(/\/$/, '')}/goes${sat}`, start, end)) {
        const urls = await listDirectory(dir, { pattern: /^SXI/, policy: this.policy, signal: this.signal });
        for (const url of urls) {
          const row = parseSxiName(url);
          if (!row) continue;
          const ms = Date.parse(row.time);
          if (ms < start.getTime() || ms > end.getTime()) continue;
          out.push({
            id: url,
            url,
            filename: row.filename,
            time: row.time,
            instrument: row.instrument,
            meta: { dataLevel: row.dataLevel, downloadString: url },
          });
        }
      }
    }
    return out.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? '') || a.url.localeCompare(b.url));
  }

  toDownloadItems(records: readonly ArchiveRecord[], subdir?: string) {
    return recordsToItems(records, subdir);
  }
}
