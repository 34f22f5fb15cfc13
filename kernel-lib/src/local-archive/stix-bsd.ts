/**
 * The STIX data center's BSD request-information API as the local archive serves it:
 * `GET /api/bsd/info/{YYYYMMDD}/{YYYYMMDD}` answers the requests whose `start_utc` lies in
 * [from, to) as CSV with the RID-table columns (what STIXCore's `RidLutManager` reads with
 * `ascii.read(delimiter=",", quotechar='"')`). Every request is in the archive's request log with
 * its arrival time, so a test measures the client's request rate from the server side.
 */
import type http from 'node:http';
import { formatRidCsv, type RidRow } from '../pipelines/stix/publish/rid-table';

const DAY = /^(\d{4})(\d{2})(\d{2})$/;

function dayMs(s: string): number | undefined {
  const m = DAY.exec(s);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

/** Synthetic BSD requests: one every `everyDays` days from `from` to `to` (ISO days), ids from 1000. */
export function syntheticBsdRequests(from = '2020-01-01', to = '2024-12-31', everyDays = 9): RidRow[] {
  const rows: RidRow[] = [];
  for (
    let t = Date.parse(`${from}T06:00:00Z`), i = 0;
    t <= Date.parse(`${to}T23:59:59Z`);
    t += everyDays * 86_400_000, i++
  ) {
    rows.push({
      _id: String(i + 1),
      unique_id: String(1000 + i),
      start_utc: new Date(t).toISOString().slice(0, 19),
      duration: String(600 + (i % 5) * 300),
      type: i % 7 === 0 ? 'L1' : 'BSD',
      subject: `flare ${i}`,
      purpose: i % 3 === 0 ? 'imaging' : 'spectroscopy',
      scaling_factor: i % 4 === 0 ? '' : String(10 + (i % 3) * 10),
      ior_id: `IOR-${i}`,
      comment: i % 2 === 0 ? 'requested by "ops", twice' : '',
    });
  }
  return rows;
}

/** Serves `/api/bsd/info/...`; undefined when the path is not this API's. */
export function handleBsdInfo(rows: readonly RidRow[], u: URL, res: http.ServerResponse): number | undefined {
  const m = /^\/api\/bsd\/info\/(\d{8})\/(\d{8})\/?$/.exec(u.pathname);
  if (!u.pathname.startsWith('/api/bsd/info/')) return undefined;
  const from = m ? dayMs(m[1]) : undefined;
  const to = m ? dayMs(m[2]) : undefined;
  if (from === undefined || to === undefined || to < from) {
    res
      .writeHead(400, { 'content-type': 'application/json' })
      .end('{"detail":"expected /api/bsd/info/YYYYMMDD/YYYYMMDD"}');
    return 400;
  }
  const hit = rows.filter((r) => {
    const t = Date.parse(`${r.start_utc}Z`);
    return t >= from && t < to;
  });
  res.writeHead(200, { 'content-type': 'text/csv' }).end(formatRidCsv(hit));
  return 200;
}
