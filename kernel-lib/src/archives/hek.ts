/**
 * HEK flare queries (`<hek>/her?cosec=2&cmd=search&type=column&event_type=FL&event_starttime=..`),
 * the JSON `sunpy.net.hek` reads: `{result: [{event_starttime, event_peaktime, event_endtime,
 * fl_goescls, hpc_x, hpc_y, ar_noaanum, frm_name, kb_archivid, ...}], overmax}`. ALEXIS queries a
 * month at a time; `overmax: true` means the page was cut and the window must be split.
 */
import { z } from 'zod';
import { resolveDownloadPolicy, type DownloadPolicyInput } from '../acquisition/policy';
import { StagebookError } from '../errors/stagebook-error';
import { getJson } from './http-json';

const hekEventSchema = z.object({
  kb_archivid: z.string(),
  event_type: z.string(),
  event_starttime: z.string(),
  event_peaktime: z.string().nullable(),
  event_endtime: z.string(),
  fl_goescls: z.string().nullable().default(null),
  hpc_x: z.number(),
  hpc_y: z.number(),
  ar_noaanum: z.number().nullable().default(null),
  frm_name: z.string(),
  obs_observatory: z.string().optional(),
});
const hekResponseSchema = z.object({ result: z.array(hekEventSchema), overmax: z.boolean().default(false) });

/** One HEK flare. */
export type HekFlare = z.output<typeof hekEventSchema>;

const hekTime = (s: string): string => new Date(Date.parse(s)).toISOString().slice(0, 19);

/** Flares (event_type FL) whose time range intersects [start, end]. */
export async function queryHekFlares(
  server: string,
  start: string,
  end: string,
  policy?: DownloadPolicyInput,
): Promise<HekFlare[]> {
  const u = new URL(`${server.replace(/\/$/, '')}/her`);
  for (const [k, v] of Object.entries({
    cosec: '2',
    cmd: 'search',
    type: 'column',
    event_type: 'FL',
    event_starttime: hekTime(start),
    event_endtime: hekTime(end),
    event_coordsys: 'helioprojective',
    x1: '-1200',
    x2: '1200',
    y1: '-1200',
    y2: '1200',
    result_limit: '500',
  })) {
    u.searchParams.set(k, v);
  }
  const raw = await getJson(u.href, { policy: resolveDownloadPolicy(policy, 'queryHekFlares') });
  const r = hekResponseSchema.safeParse(raw);
  if (!r.success)
    throw new StagebookError(
      'E_ARCHIVE_FORMAT',
      `queryHekFlares: unexpected response: ${r.error.issues[0].message} at ${r.error.issues[0].path.join('.')}`,
      { where: 'queryHekFlares', field: 'response' },
    );
  if (r.data.overmax)
    throw new StagebookError(
      'E_ARCHIVE_HTTP',
      `queryHekFlares: more than 500 events in ${start} - ${end}: query shorter windows`,
      { where: 'queryHekFlares', field: 'end' },
    );
  return r.data.result;
}
