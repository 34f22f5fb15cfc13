/**
 * Following a paginated listing (DRF `{count, next, previous, results}`, as the LCO science archive
 * serves it) to its end, without trusting the archive. The listing ends only when `next` is null;
 * `count` is advisory (a mismatch is a warning); records are de-duplicated by `id`. Three traps end
 * the query with E_ARCHIVE_PAGINATION instead of returning a wrong list as success:
 *   - a `next` URL already visited (the listing loops),
 *   - a page that adds no new id (a `next` that never repeats a URL but repeats the records),
 *   - the page cap reached with a `next` still to follow.
 * Why: the seed's data_download.py stopped after 10 pages; our first version stopped at `count`
 * records, so an archive whose count lied lost frames silently, and a looping `next` returned the
 * same 20 frames 50 times over as success.
 */
import { displayUrl } from '../acquisition/attempt';
import { StagebookError } from '../errors/stagebook-error';

/** One page as the archive returned it. */
export interface ListingPage {
  count?: number;
  next?: string | null;
  results: Array<Record<string, unknown>>;
}

/** What to follow and how to name it in messages. */
export interface ListingWalk {
  /** Archive name (messages, error context). */
  archive: string;
  /** What the query is, for messages: e.g. `proposal KEY2025-004`. */
  query: string;
  /** Proposal id, when the query has one (error context). */
  proposal?: string;
  /** Most pages to read. */
  maxPages: number;
  /** Reads one page (throws StagebookError on HTTP/format errors). */
  fetchPage(url: string): Promise<ListingPage>;
  /** Checks a `next` URL before it is fetched (e.g. same origin: the token goes nowhere else). */
  checkNext?(url: string, page: number): void;
}

/** The records of a listing and what was odd about it. */
export interface ListingResult {
  records: Array<Record<string, unknown>>;
  pages: number;
  /** The archive's last `count`, when it gave one. */
  count?: number;
  /** Non-fatal oddities (count mismatch, duplicate records), one sentence each. */
  warnings: string[];
}

/** A stable text form of a URL for the visited set (the fragment never reaches the server). */
function visitKey(url: string): string {
  const u = new URL(url);
  u.hash = '';
  return u.href;
}

/** Follows `next` from `firstUrl` to the end (see the module comment for the rules). */
export async function followListing(firstUrl: string, walk: ListingWalk): Promise<ListingResult> {
  const where = 'followListing';
  const fail = (page: number, message: string, extra: Record<string, unknown> = {}): StagebookError =>
    new StagebookError(
      'E_ARCHIVE_PAGINATION',
      `archive ${walk.archive} ${walk.query}, page ${page}: ${message}; the query is incomplete`,
      {
        where,
        archive: walk.archive,
        proposal: walk.proposal,
        page,
        ...extra,
      },
    );
  const visited = new Map<string, number>();
  const byId = new Map<string, Record<string, unknown>>();
  const warnings: string[] = [];
  let duplicates = 0;
  let count: number | undefined;
  let url: string | null = firstUrl;
  let page = 0;
  while (url !== null) {
    page++;
    if (page > walk.maxPages)
      throw fail(page, `more than maxPages=${walk.maxPages} pages (narrow the date range or raise maxPages)`, {
        field: 'maxPages',
      });
    visited.set(visitKey(url), page);
    const body = await walk.fetchPage(url);
    if (typeof body.count === 'number') count = body.count;
    let added = 0;
    for (const r of body.results) {
      if (r === null || typeof r !== 'object' || (typeof r.id !== 'number' && typeof r.id !== 'string')) {
        throw new StagebookError(
          'E_ARCHIVE_FORMAT',
          `archive ${walk.archive} ${walk.query}, page ${page}: a record without an 'id'`,
          { where, archive: walk.archive, proposal: walk.proposal, page, field: 'id' },
        );
      }
      const id = String(r.id);
      if (byId.has(id)) duplicates++;
      else {
        byId.set(id, r);
        added++;
      }
    }
    const next: string | null = body.next ?? null;
    if (added === 0 && (body.results.length > 0 || next !== null)) {
      throw fail(
        page,
        body.results.length > 0
          ? `the page adds no new record (all ${body.results.length} already read)`
          : "an empty page with a 'next' link",
        { field: 'next' },
      );
    }
    if (next !== null) {
      let key: string;
      try {
        key = visitKey(next);
      } catch {
        throw fail(page, `'next' is not a URL`, { field: 'next' });
      }
      const seen = visited.get(key);
      if (seen !== undefined)
        throw fail(page, `'next' points back to page ${seen} (${displayUrl(next)}), already read: the listing loops`, {
          field: 'next',
        });
      walk.checkNext?.(next, page);
    }
    url = next;
  }
  if (duplicates > 0)
    warnings.push(
      `archive ${walk.archive} ${walk.query}: ${duplicates} duplicate record(s) (same id on two pages) dropped`,
    );
  if (count !== undefined && count !== byId.size) {
    warnings.push(
      `archive ${walk.archive} ${walk.query}: the archive's count says ${count} records, the pages held ${byId.size} distinct ones`,
    );
  }
  return { records: [...byId.values()], pages: page, count, warnings };
}
