/**
 * LCO science-archive `frames/` client (observatorycontrolsystem/science-archive):
 * `GET {url}/frames/?start&end&proposal_id&reduction_level&public=false&limit&offset` with
 * `Authorization: Token <token>`; DRF LimitOffsetPagination `{count, next, previous, results}`.
 * Differences from the seed's data_download.py, on purpose:
 * - pagination follows `next` until it is null (the seed stopped at 10 pages), de-duplicates by
 *   id and refuses loops (pagination.ts); `count` is only checked, never trusted;
 * - `next` must stay on the configured origin: the token is never sent anywhere else;
 * - the md5 comes from `version_set` (the newest version), so the download is verified.
 */
import { resolveDownloadPolicy, type DownloadPolicy, type DownloadPolicyInput } from '../acquisition/policy';
import { displayUrl } from '../acquisition/attempt';
import type { DownloadItem } from '../acquisition/downloader';
import { Redactor, type Secret } from '../config/secrets';
import { StagebookError } from '../errors/stagebook-error';
import { getJson } from './http-json';
import { followListing, type ListingResult } from './pagination';
import { recordsToItems, type ArchiveClient, type ArchiveRecord } from './types';

/** A frames query. */
export interface LcoFrameQuery {
  proposalId?: string;
  /** Inclusive range on observation_date (ISO or Date). */
  start?: string | Date;
  end?: string | Date;
  reductionLevel?: number;
  /** Default false, like the seed (the proposal's own data, public or not). */
  public?: boolean;
  /** Any other archive filter (`OBSTYPE`, `target_name`, `basename`...). */
  extra?: Record<string, string | number | boolean>;
}

/** Client options. */
export interface LcoArchiveOptions {
  /** API root, e.g. https://archive-api.lco.global/ */
  url: string;
  /** The token (from the env var named in the config); omitted for public data. */
  token?: Secret;
  /** `public` sent when a query does not say (default false, as the seed sends it). */
  public?: boolean;
  /** Page size (`limit`). Default 100 (the seed's). */
  pageSize?: number;
  /** Safety bound on pages per query. Default 1000 (100,000 frames at the default page size). */
  maxPages?: number;
  policy?: DownloadPolicyInput;
  signal?: AbortSignal;
  name?: string;
}

/** `%Y-%m-%dT%H:%M:%S` (the seed's format; the archive reads it as UTC). */
export function lcoTime(t: string | Date): string {
  const d = t instanceof Date ? t : new Date(/Z|[+-]\d\d:?\d\d$/.test(t) ? t : `${t.replace(' ', 'T')}Z`);
  if (Number.isNaN(d.getTime()))
    throw new StagebookError('E_INVALID_ARGUMENT', `lcoTime: cannot parse time ${JSON.stringify(t)}`, {
      where: 'lcoTime',
      field: 'time',
    });
  return d.toISOString().slice(0, 19);
}

/** The md5 of a frame: newest `version_set` entry (by id), else a top-level md5. */
export function frameMd5(record: Record<string, unknown>): string | undefined {
  const versions = Array.isArray(record.version_set) ? (record.version_set as Array<Record<string, unknown>>) : [];
  const newest = [...versions].sort((a, b) => Number(b.id ?? 0) - Number(a.id ?? 0))[0];
  const md5 = newest?.md5 ?? record.md5;
  return typeof md5 === 'string' && /^[0-9a-f]{32}$/i.test(md5) ? md5.toLowerCase() : undefined;
}

/** A frame record as an ArchiveRecord (reading lower-case fields, falling back to the aliases). */
export function lcoFrameToRecord(f: Record<string, unknown>): ArchiveRecord {
  const basename = String(f.basename ?? '');
  const filename = String(f.filename ?? (basename ? `${basename}.fits.fz` : ''));
  const versions = Array.isArray(f.version_set) ? (f.version_set as Array<Record<string, unknown>>) : [];
  const url = String(f.url ?? versions[0]?.url ?? '');
  return {
    id: f.id as number,
    filename,
    url,
    time: (f.observation_date ?? f.DATE_OBS) as string | undefined,
    instrument: (f.instrument_id ?? f.INSTRUME) as string | undefined,
    md5: frameMd5(f),
    meta: f,
  };
}

/** The LCO frames client. */
export class LcoArchiveClient implements ArchiveClient<LcoFrameQuery> {
  readonly name: string;
  readonly policy: DownloadPolicy;
  private readonly origin: string;
  private readonly base: string;
  private readonly redactor = new Redactor();

  constructor(private readonly options: LcoArchiveOptions) {
    let u: URL;
    try {
      u = new URL(options.url);
    } catch {
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `LcoArchiveClient: url: not a URL: ${JSON.stringify(options.url)}`,
        { where: 'LcoArchiveClient', field: 'url' },
      );
    }
    this.origin = u.origin;
    this.base = u.href.endsWith('/') ? u.href : `${u.href}/`;
    this.name = options.name ?? 'LCO';
    this.policy = resolveDownloadPolicy(options.policy, 'LcoArchiveClient');
    if (options.token) this.redactor.add(options.token);
  }

  /** The first page URL of a query. */
  queryUrl(q: LcoFrameQuery): string {
    const u = new URL('frames/', this.base);
    const p = u.searchParams;
    if (q.start !== undefined) p.set('start', lcoTime(q.start));
    if (q.end !== undefined) p.set('end', lcoTime(q.end));
    if (q.proposalId !== undefined) p.set('proposal_id', q.proposalId);
    if (q.reductionLevel !== undefined) p.set('reduction_level', String(q.reductionLevel));
    p.set('public', String(q.public ?? this.options.public ?? false));
    for (const [k, v] of Object.entries(q.extra ?? {})) p.set(k, String(v));
    p.set('limit', String(this.options.pageSize ?? 100));
    p.set('offset', '0');
    return u.href;
  }

  /**
   * Every frame of a query with the listing's warnings (count mismatch, duplicates): follows `next`
   * until it is null, de-duplicates by id, and ends with E_ARCHIVE_PAGINATION when the listing loops,
   * a page adds nothing new, or `maxPages` is reached (see pagination.ts).
   */
  async queryFrames(q: LcoFrameQuery): Promise<ListingResult> {
    try {
      return await this.followFrames(q);
    } catch (e) {
      throw this.explainAuth(e);
    }
  }

  /**
   * A 401/403 names the archive, its URL and the environment variable the token came from (never
   * the token), so the user knows which setting to fix; the seed printed nothing at all.
   */
  private explainAuth(e: unknown): unknown {
    if (!(e instanceof StagebookError) || e.code !== 'E_ARCHIVE_AUTH') return e;
    const status = e.context.status as number | undefined;
    const envVar = this.options.token?.envVar;
    const source = envVar ? `the token in $${envVar}` : 'no token (none configured)';
    const message =
      `archive ${this.name} (${displayUrl(this.base)}) refused ${source}: HTTP ${status ?? '401/403'}; ` +
      'check that the variable holds a valid token for this archive';
    const context = { where: 'LcoArchiveClient.queryFrames', archive: this.name, status, envVar };
    return new StagebookError('E_ARCHIVE_AUTH', this.redactor.redact(message), context, { cause: e });
  }

  private async followFrames(q: LcoFrameQuery): Promise<ListingResult> {
    const where = 'LcoArchiveClient.queryFrames';
    const token = this.options.token;
    const headers: Record<string, string> = token ? { authorization: `Token ${token.reveal()}` } : {};
    const what = q.proposalId !== undefined ? `proposal ${q.proposalId}` : 'query';
    const formatError = (message: string, field?: string): StagebookError =>
      new StagebookError('E_ARCHIVE_FORMAT', `${where}: archive ${this.name}: ${message}`, {
        where,
        archive: this.name,
        field,
      });
    return followListing(this.queryUrl(q), {
      archive: this.name,
      query: what,
      proposal: q.proposalId,
      maxPages: this.options.maxPages ?? 1000,
      fetchPage: async (url) => {
        const options = { policy: this.policy, headers, redactor: this.redactor, signal: this.options.signal };
        const body = (await getJson(url, options)) as { count?: unknown; next?: unknown; results?: unknown };
        if (!body || !Array.isArray(body.results))
          throw formatError(`${displayUrl(url)}: no 'results' array in the response`);
        const next = body.next ?? null;
        if (next !== null && typeof next !== 'string')
          throw formatError(`${displayUrl(url)}: 'next' is neither a URL nor null`, 'next');
        const count = typeof body.count === 'number' ? body.count : undefined;
        return { count, next, results: body.results as Array<Record<string, unknown>> };
      },
      checkNext: (next) => {
        const origin = new URL(next).origin;
        if (origin !== this.origin) {
          throw formatError(`'next' points to another origin (${origin}); refusing to send the token there`, 'next');
        }
      },
    });
  }

  /** Raw frame dicts of every page of a query (warnings dropped: use `queryFrames` to see them). */
  async searchFrames(q: LcoFrameQuery): Promise<Array<Record<string, unknown>>> {
    return (await this.queryFrames(q)).records;
  }

  async search(q: LcoFrameQuery): Promise<ArchiveRecord[]> {
    return (await this.searchFrames(q)).map(lcoFrameToRecord);
  }

  toDownloadItems(records: readonly ArchiveRecord[], subdir?: string): DownloadItem[] {
    return recordsToItems(records, subdir);
  }
}
