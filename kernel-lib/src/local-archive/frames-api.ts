/**
 * The frames API's query semantics (science-archive archive/frames/filters.py and pagination.py):
 * `start`/`end` filter observation_date (gte/lte, naive times are UTC), exact filters by the
 * lower-case names or their old upper-case aliases, ordering `-observation_date`, and DRF
 * LimitOffsetPagination `{count, next, previous, results}` with absolute `next`/`previous` URLs.
 */
import type { FrameRecord } from './synthetic';

/** lower-case filter -> the old alias the archive also accepts. */
const EXACT: Array<[string, string | undefined]> = [
  ['proposal_id', 'PROPID'],
  ['reduction_level', 'RLEVEL'],
  ['configuration_type', 'OBSTYPE'],
  ['target_name', 'OBJECT'],
  ['instrument_id', 'INSTRUME'],
  ['site_id', 'SITEID'],
  ['telescope_id', 'TELID'],
  ['primary_optical_element', 'FILTER'],
  ['request_id', 'REQNUM'],
  ['basename_exact', undefined],
];

function parseTime(v: string): number {
  return Date.parse(/Z|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`);
}

/** Frames matching the query parameters, newest first. */
export function filterFrames(records: readonly FrameRecord[], q: URLSearchParams): FrameRecord[] {
  const start = q.get('start');
  const end = q.get('end');
  const t0 = start ? parseTime(start) : -Infinity;
  const t1 = end ? parseTime(end) : Infinity;
  const exact: Array<[string, string]> = [];
  for (const [field, alias] of EXACT) {
    const v = q.get(field) ?? (alias ? q.get(alias) : null);
    if (v !== null && v !== '') exact.push([field === 'basename_exact' ? 'basename' : field, v]);
  }
  const basename = q.get('basename');
  return records
    .filter((r) => {
      const t = Date.parse(r.observation_date);
      if (t < t0 || t > t1) return false;
      if (basename && !r.basename.includes(basename)) return false;
      return exact.every(([f, v]) => String(r[f]) === v);
    })
    .sort((a, b) => Date.parse(b.observation_date) - Date.parse(a.observation_date) || b.id - a.id);
}

/** One page of `matched` for the request URL `u` (limit default 100, capped at 1000). */
export function pageOf(
  matched: readonly FrameRecord[],
  u: URL,
  origin: string,
): { count: number; next: string | null; previous: string | null; results: FrameRecord[] } {
  const limit = Math.min(1000, Math.max(1, Number(u.searchParams.get('limit') ?? 100) || 100));
  const offset = Math.max(0, Number(u.searchParams.get('offset') ?? 0) || 0);
  const link = (off: number): string => {
    const n = new URL(u.pathname + u.search, origin);
    n.searchParams.set('limit', String(limit));
    n.searchParams.set('offset', String(off));
    return n.href;
  };
  return {
    count: matched.length,
    next: offset + limit < matched.length ? link(offset + limit) : null,
    previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
    results: matched.slice(offset, offset + limit),
  };
}

/** Pagination faults of a listing (see faults.ts): a `next` that loops, a `count` that lies. */
export interface PaginationFaults {
  nextLoop?: { loop?: 'first' | 'self' | 'stale'; fromPage?: number };
  countDelta?: number;
}

/**
 * Applies pagination faults to a page served for `u`. `first`/`self` send the client back to a URL
 * it has read; `stale` invents a URL never served before (a `cursor` parameter) that repeats the
 * page's records, so only de-duplication by id catches it. Only pages that have a `next` are
 * changed, and the last page still ends the listing unless the loop is on it.
 */
export function withPaginationFaults<P extends { count: number; next: string | null }>(
  page: P,
  u: URL,
  origin: string,
  faults: PaginationFaults,
): P {
  const out = { ...page };
  if (faults.countDelta !== undefined) out.count = Math.max(0, page.count + faults.countDelta);
  const loop = faults.nextLoop;
  if (!loop) return out;
  const limit = Math.min(1000, Math.max(1, Number(u.searchParams.get('limit') ?? 100) || 100));
  const offset = Math.max(0, Number(u.searchParams.get('offset') ?? 0) || 0);
  if (Math.floor(offset / limit) < (loop.fromPage ?? 1)) return out;
  const here = new URL(u.pathname + u.search, origin);
  if (loop.loop === 'self') out.next = here.href;
  else if (loop.loop === 'stale') {
    here.searchParams.set('cursor', String(Number(here.searchParams.get('cursor') ?? 0) + 1));
    out.next = here.href;
  } else {
    here.searchParams.set('offset', '0');
    out.next = here.href;
  }
  return out;
}
