/**
 * HTTP directory listings (Apache/nginx autoindex, as NCEI serves
 * `.../goes-solar-xray-imager/access/fits/goes15/YYYY/MM/DD/`): collect the links of a page,
 * resolve them against the page URL, keep those matching a pattern. ALEXIS's
 * create_sxi_availability.py keeps links starting with `SXI` and treats 404 as "no data that day";
 * the same here (`missingOk`). SXI names parse into time, data level and spacecraft.
 */
import { displayUrl } from '../acquisition/attempt';
import { resolveDownloadPolicy, type DownloadPolicyInput } from '../acquisition/policy';
import { StagebookError } from '../errors/stagebook-error';
import type { AvailabilityRow } from './catalogue';
import { getText } from './http-json';
import type { ArchiveRecord } from './types';

/** Absolute URLs of the file links in a listing page (parent/sort/sub-directory links dropped). */
export function parseDirectoryListing(html: string, pageUrl: string, pattern?: RegExp): string[] {
  const out = new Set<string>();
  const base = new URL(pageUrl);
  for (const m of html.matchAll(/<a\s[^>]*href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)) {
    const href = (m[1] ?? m[2] ?? m[3] ?? '').replace(/&amp;/g, '&');
    if (!href || href.startsWith('?') || href.startsWith('#') || href.endsWith('/')) continue;
    let u: URL;
    try {
      u = new URL(href, base);
    } catch {
      continue;
    }
    if (u.origin !== base.origin || !u.pathname.startsWith(base.pathname.replace(/[^/]*$/, ''))) continue; // stay inside this directory
    const name = decodeURIComponent(u.pathname.split('/').pop() ?? '');
    if (pattern && !pattern.test(name)) continue;
    out.add(u.href);
  }
  return [...out];
}

/** ALEXIS's SXI name regex: `SXI_YYYYMMDD_HHMMSSmmm_{BA|AB}_{13-15}.FTS`. */
export const SXI_NAME = /^SXI_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(\d{3})_([AB]{2})_(\d{2})\.FTS$/;

/** Parses an SXI file name into an availability row (undefined when it is not one). */
export function parseSxiName(url: string): AvailabilityRow | undefined {
  const filename = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  const m = SXI_NAME.exec(filename);
  if (!m) return undefined;
  const time = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`;
  return { url, time, source: 'sxi', instrument: `goes${m[9]}`, wavelength: 'unknown', filename, dataLevel: m[8] };
}

/** Lists one directory; `missingOk` turns a 404 into an empty list (ALEXIS: no data that day). */
export async function listDirectory(
  pageUrl: string,
  options: { pattern?: RegExp; policy?: DownloadPolicyInput; missingOk?: boolean; signal?: AbortSignal } = {},
): Promise<string[]> {
  const policy = resolveDownloadPolicy(options.policy, 'listDirectory');
  try {
    return parseDirectoryListing(
      await getText(pageUrl, { policy, signal: options.signal, headers: { accept: 'text/html' } }),
      pageUrl,
      options.pattern,
    );
  } catch (e) {
    if (options.missingOk !== false && e instanceof StagebookError && e.context.status === 404) return [];
    throw e;
  }
}

/** Day directories `<base>/YYYY/MM/DD/` for every UTC day of [start, end]. */
export function dayDirectories(base: string, start: Date, end: Date, maxDays = 3660): string[] {
  const out: string[] = [];
  const root = base.endsWith('/') ? base : `${base}/`;
  const d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (let i = 0; d.getTime() <= end.getTime(); i++) {
    if (i >= maxDays)
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `dayDirectories: more than ${maxDays} days between ${start.toISOString()} and ${end.toISOString()}`,
        { where: 'dayDirectories', field: 'end' },
      );
    out.push(
      `${root}${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/`,
    );
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** Listing URLs as archive records. */
export function listingToRecords(urls: readonly string[]): ArchiveRecord[] {
  return urls.map((url) => ({
    id: url,
    url,
    filename: decodeURIComponent(new URL(url).pathname.split('/').pop() ?? ''),
    meta: { listing: displayUrl(url) },
  }));
}
