/**
 * JSOC DRMS record-set queries, as the `drms` Python package sends them
 * (`<server>/cgi-bin/ajax/jsoc_info?op=rs_list&ds=<record set>&key=K1,K2&seg=image`) and the JSON it
 * reads back: `{keywords: [{name, values: [...]}], segments: [{name, values: [path]}], count, status}`.
 * A segment's URL is the server origin + its path (ALEXIS: `http://jsoc.stanford.edu` + path).
 * `JsocAiaClient` is ALEXIS's AIA onboarding query (`aia.lev1_euv_12s[t1Z-t2Z]{image}`) behind the
 * common search-then-fetch interface.
 */
import { z } from 'zod';
import { resolveDownloadPolicy, type DownloadPolicyInput, type DownloadPolicy } from '../acquisition/policy';
import { StagebookError } from '../errors/stagebook-error';
import { getJson } from './http-json';
import { recordsToItems, type ArchiveClient, type ArchiveRecord } from './types';

const drmsResponseSchema = z.object({
  status: z.number(),
  error: z.string().optional(),
  count: z.number().optional(),
  keywords: z.array(z.object({ name: z.string(), values: z.array(z.union([z.string(), z.number()])) })).default([]),
  segments: z.array(z.object({ name: z.string(), values: z.array(z.string()) })).default([]),
});

/** One DRMS query result: keyword values as strings (as drms receives them) and segment paths. */
export interface DrmsResult {
  count: number;
  rows: Array<Record<string, string>>;
  /** Segment paths per row, by segment name. */
  segments: Array<Record<string, string>>;
}

/** ALEXIS's AIA file name: aia_lev1_{WL}a_{YYYY_MM_DDtHH_MM_SS_ff}z_image_lev1.fits */
export function aiaLev1FileName(wavelength: string | number, time: string | number | Date): string {
  const t = new Date(time).toISOString();
  return `aia_lev1_${wavelength}a_${t.slice(0, 4)}_${t.slice(5, 7)}_${t.slice(8, 10)}t${t.slice(11, 13)}_${t.slice(14, 16)}_${t.slice(17, 19)}_${t.slice(20, 22)}z_image_lev1.fits`;
}

/** JSOC time text `2011.02.08_21:11:02.12_TAI`-style or ISO -> ms (T_OBS in lev1 headers is ISO with Z). */
export function jsocTimeMs(text: string): number {
  const iso = text.replace(/^(\d{4})\.(\d{2})\.(\d{2})_/, '$1-$2-$3T').replace(/_(UTC|TAI)$/, 'Z');
  const ms = Date.parse(/Z$/.test(iso) ? iso : `${iso}Z`);
  if (!Number.isFinite(ms))
    throw new StagebookError('E_ARCHIVE_FORMAT', `jsocTimeMs: cannot parse JSOC time ${JSON.stringify(text)}`, {
      where: 'jsocTimeMs',
      field: 'T_OBS',
    });
  return ms;
}

/** A DRMS JSON client. */
export class DrmsClient {
  readonly policy: DownloadPolicy;
  /** `server` is the JSOC origin (e.g. http://jsoc.stanford.edu or the local archive's `<url>jsoc`). */
  constructor(
    readonly server: string,
    policy?: DownloadPolicyInput,
    private readonly signal?: AbortSignal,
  ) {
    this.policy = resolveDownloadPolicy(policy, 'DrmsClient');
  }

  /** `drms.Client.query(ds, key=keys, seg=seg)`. */
  async query(ds: string, keys: readonly string[], seg?: string): Promise<DrmsResult> {
    const u = new URL(`${this.server.replace(/\/$/, '')}/cgi-bin/ajax/jsoc_info`);
    u.searchParams.set('op', 'rs_list');
    u.searchParams.set('ds', ds);
    u.searchParams.set('key', keys.join(','));
    if (seg) u.searchParams.set('seg', seg);
    const raw = await getJson(u.href, { policy: this.policy, signal: this.signal });
    const parsed = drmsResponseSchema.safeParse(raw);
    if (!parsed.success)
      throw new StagebookError(
        'E_ARCHIVE_FORMAT',
        `DrmsClient.query(${ds}): unexpected response: ${parsed.error.issues[0].message} at ${parsed.error.issues[0].path.join('.')}`,
        { where: 'DrmsClient.query', field: 'response' },
      );
    const r = parsed.data;
    if (r.status !== 0)
      throw new StagebookError(
        'E_ARCHIVE_HTTP',
        `DrmsClient.query(${ds}): JSOC status ${r.status}: ${r.error ?? 'no message'}`,
        { where: 'DrmsClient.query', status: r.status },
      );
    const count = r.count ?? r.keywords[0]?.values.length ?? 0;
    const rows = Array.from({ length: count }, (_, i) =>
      Object.fromEntries(r.keywords.map((k) => [k.name, String(k.values[i])])),
    );
    const segments = Array.from({ length: count }, (_, i) =>
      Object.fromEntries(r.segments.map((s) => [s.name, s.values[i]])),
    );
    return { count, rows, segments };
  }

  /** Absolute URL of a segment path. */
  segmentUrl(pathOrUrl: string): string {
    return /^https?:/.test(pathOrUrl) ? pathOrUrl : `${new URL(this.server).origin}${pathOrUrl}`;
  }
}

/** An AIA availability query window. */
export interface AiaQuery {
  /** ISO start/end (inclusive). */
  start: string;
  end: string;
}

/** ALEXIS's keys of the AIA onboarding query. */
export const AIA_QUERY_KEYS = ['T_OBS', 'WAVELNTH', 'EXPTIME', 'QUALITY', 'R_SUN'] as const;

/** `aia.lev1_euv_12s[t1Z-t2Z]{image}` with ALEXIS's keys; records carry ALEXIS's file names. */
export class JsocAiaClient implements ArchiveClient<AiaQuery> {
  readonly name = 'jsoc-aia';
  readonly drms: DrmsClient;
  constructor(server: string, policy?: DownloadPolicyInput, signal?: AbortSignal) {
    this.drms = new DrmsClient(server, policy, signal);
  }

  /** The record-set text of a window (ALEXIS: `aia.lev1_euv_12s[<t1>Z-<t2>Z]{image}`). */
  static recordSet(q: AiaQuery): string {
    const t = (s: string): string => new Date(Date.parse(s)).toISOString().slice(0, 19);
    return `aia.lev1_euv_12s[${t(q.start)}Z-${t(q.end)}Z]{image}`;
  }

  async search(q: AiaQuery): Promise<ArchiveRecord[]> {
    const r = await this.drms.query(JsocAiaClient.recordSet(q), AIA_QUERY_KEYS, 'image');
    return r.rows.map((row, i) => {
      const timeMs = jsocTimeMs(row.T_OBS);
      const url = this.drms.segmentUrl(r.segments[i].image);
      return {
        id: url,
        url,
        filename: aiaLev1FileName(row.WAVELNTH, timeMs),
        time: new Date(timeMs).toISOString(),
        instrument: 'AIA',
        meta: { ...row },
      };
    });
  }

  toDownloadItems(records: readonly ArchiveRecord[], subdir?: string) {
    return recordsToItems(records, subdir);
  }
}
