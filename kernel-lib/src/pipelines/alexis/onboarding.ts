/**
 * ALEXIS's onboarding (`onboarding/*.py`) over a date range, in time windows, resumable: AIA from
 * JSOC in 4-hour windows (create_aia_12s_availability.py), SXI from NCEI day listings
 * (create_sxi_availability.py), GOES XRS science files per day with flags == 0 and flux > 0 kept
 * (xray_ftp_query.py), HEK flares per month and HARPs per day. A completed window is never asked
 * again; an interrupted run resumes at the first incomplete one (catalogues.ts).
 */
import { z } from 'zod';
import { Downloader } from '../../acquisition/downloader';
import { downloadPolicySchema, type DownloadPolicyInput } from '../../acquisition/policy';
import { queryHarps } from '../../archives/harp';
import { queryHekFlares } from '../../archives/hek';
import { JsocAiaClient } from '../../archives/jsoc';
import { NceiSxiClient } from '../../archives/ncei-sxi';
import { NoaaXrsClient, readXrsFile, xrsRowsKept, XRS_FILE } from '../../archives/noaa-xrs';
import { StagebookError } from '../../errors/stagebook-error';
import { AlexisCatalogues, ONBOARDING_SOURCES, type OnboardingSource, type WindowRows } from './catalogues';

const isoTime = z
  .string()
  .refine((s) => Number.isFinite(Date.parse(s)), { message: 'expected an ISO date/time (UTC)' });

/** Onboarding options (zod; defaults as ALEXIS's scripts). */
export const onboardingOptionsSchema = z.strictObject({
  start: isoTime.describe('First instant of the range (UTC)'),
  end: isoTime.describe('End of the range (exclusive, UTC)'),
  catalogue: z.string().min(1).describe('SQLite file of the catalogues (data_products/availability.db)'),
  cacheDir: z.string().min(1).describe('Download cache of the XRS science files'),
  jsocUrl: z.string().url().describe('JSOC server (drms)'),
  sxiUrl: z.string().url().describe('NCEI SXI fits directory holding goes13/ goes14/ goes15/'),
  xrsUrl: z.string().url().describe('NOAA XRS science directory holding goesNN/'),
  hekUrl: z.string().url().describe('HEK server'),
  aiaWindowHours: z.number().positive().max(24).default(4).describe('AIA query window (ALEXIS: 4 h)'),
  sxiSatellites: z.array(z.number().int().min(13).max(15)).min(1).default([13, 14, 15]),
  xrsSatellites: z.array(z.number().int().min(1).max(19)).min(1).default([15]),
  sources: z
    .array(z.enum(ONBOARDING_SOURCES))
    .min(1)
    .default([...ONBOARDING_SOURCES])
    .describe('Which catalogues to build'),
  policy: downloadPolicySchema.partial().optional().describe('Downloader/query policy'),
});
export type OnboardingOptions = z.input<typeof onboardingOptionsSchema>;
type Resolved = z.output<typeof onboardingOptionsSchema>;

/** Progress of one window. */
export interface OnboardingProgress {
  source: OnboardingSource;
  windowStart: string;
  windowEnd: string;
  done: number;
  total: number;
  rows: number;
  skipped: boolean;
}

/** What a run did. */
export interface OnboardingResult {
  windows: number;
  fetched: number;
  skipped: number;
  rows: Record<OnboardingSource, number>;
  counts: Record<string, number>;
}

const DAY = 86_400_000;

/** Windows of `hours` over [start, end) (ALEXIS: consecutive, aligned to start). */
export function timeWindows(startMs: number, endMs: number, stepMs: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let t = startMs; t < endMs; t += stepMs)
    out.push([new Date(t).toISOString(), new Date(Math.min(endMs, t + stepMs)).toISOString()]);
  return out;
}

function monthWindows(startMs: number, endMs: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let t = startMs; t < endMs;) {
    const d = new Date(t);
    const next = Math.min(endMs, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
    out.push([new Date(t).toISOString(), new Date(next).toISOString()]);
    t = next;
  }
  return out;
}

function windowsOf(source: OnboardingSource, o: Resolved): Array<[string, string]> {
  const s = Date.parse(o.start);
  const e = Date.parse(o.end);
  if (source === 'aia') return timeWindows(s, e, o.aiaWindowHours * 3_600_000);
  if (source === 'hek') return monthWindows(s, e);
  return timeWindows(s, e, DAY);
}

/** The rows of one window of one source. */
async function fetchWindow(
  source: OnboardingSource,
  [ws, we]: [string, string],
  o: Resolved,
  downloader: Downloader,
): Promise<WindowRows> {
  const policy = o.policy as DownloadPolicyInput | undefined;
  const endIncl = new Date(Date.parse(we) - 1).toISOString();
  if (source === 'aia') {
    const recs = await new JsocAiaClient(o.jsocUrl, policy).search({ start: ws, end: endIncl });
    return {
      source,
      rows: recs.map((r) => ({
        time_stamp: Date.parse(r.time as string) / 1000,
        EXPTIME: Number(r.meta.EXPTIME),
        QUALITY: Number(r.meta.QUALITY),
        WAVELNTH: Number(r.meta.WAVELNTH),
        url: r.url,
        filename: r.filename,
      })),
    };
  }
  if (source === 'sxi') {
    const recs = await new NceiSxiClient(o.sxiUrl, o.sxiSatellites, policy).search({ start: ws, end: endIncl });
    return {
      source,
      rows: recs.map((r) => ({
        download_string: r.url,
        time_stamp: Date.parse(r.time as string) / 1000,
        url: r.url,
        data_level: String(r.meta.dataLevel),
        file_name: r.filename,
        instrument: r.instrument as string,
      })),
    };
  }
  if (source === 'goes') {
    const client = new NoaaXrsClient(o.xrsUrl, o.xrsSatellites, policy);
    const recs = await client.search({ start: ws, end: endIncl });
    const got = await downloader.fetchAll(client.toDownloadItems(recs).map((i) => ({ ...i, dest: undefined })));
    if (got.failed.length > 0)
      throw new StagebookError(
        'E_DOWNLOAD_FAILED',
        `onboarding goes ${ws}: ${got.failed.length} XRS file(s) failed: ${got.failed[0].message}`,
        { where: 'onboardAlexis', field: 'xrsUrl' },
      );
    const rows = [];
    for (const f of got.ok) {
      const sat = Number(XRS_FILE.exec(f.item.url.split('/').pop() as string)?.[1]);
      const a = Date.parse(ws) / 1000;
      const b = Date.parse(we) / 1000;
      rows.push(...xrsRowsKept(await readXrsFile(f.path), sat).filter((r) => r.time_stamp >= a && r.time_stamp < b));
    }
    return { source, rows };
  }
  if (source === 'hek') {
    const flares = await queryHekFlares(o.hekUrl, ws, endIncl, policy);
    return {
      source,
      rows: flares.map((f) => ({
        kb_archivid: f.kb_archivid,
        event_starttime: f.event_starttime,
        event_peaktime: f.event_peaktime,
        event_endtime: f.event_endtime,
        fl_goescls: f.fl_goescls,
        hpc_x: f.hpc_x,
        hpc_y: f.hpc_y,
        ar_noaanum: f.ar_noaanum,
        frm_name: f.frm_name,
      })),
    };
  }
  const harps = await queryHarps(o.jsocUrl, ws, endIncl, policy);
  return {
    source,
    rows: harps.map((h) => ({
      HARPNUM: h.harpnum,
      T_REC: h.time,
      NOAA_AR: h.noaaAr,
      NOAA_ARS: h.noaaArs,
      LAT_MIN: h.latMin,
      LAT_MAX: h.latMax,
      LON_MIN: h.lonMin,
      LON_MAX: h.lonMax,
    })),
  };
}

/** Builds (or completes) the catalogues; windows already complete are skipped. */
export async function onboardAlexis(
  options: OnboardingOptions,
  onProgress?: (p: OnboardingProgress) => void,
): Promise<OnboardingResult> {
  const parsed = onboardingOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new StagebookError('E_INVALID_ARGUMENT', `onboardAlexis: ${i.path.join('.') || 'options'}: ${i.message}`, {
      where: 'onboardAlexis',
      field: i.path.join('.'),
    });
  }
  const o = parsed.data;
  if (!(Date.parse(o.start) < Date.parse(o.end)))
    throw new StagebookError('E_INVALID_ARGUMENT', `onboardAlexis: end (${o.end}) must be after start (${o.start})`, {
      where: 'onboardAlexis',
      field: 'end',
    });
  const cat = new AlexisCatalogues(o.catalogue);
  const downloader = new Downloader({ cacheDir: o.cacheDir, policy: o.policy as DownloadPolicyInput | undefined });
  const result: OnboardingResult = {
    windows: 0,
    fetched: 0,
    skipped: 0,
    rows: { aia: 0, sxi: 0, goes: 0, hek: 0, harps: 0 },
    counts: {},
  };
  try {
    const plan = o.sources.flatMap((source) => windowsOf(source, o).map((w) => ({ source, w })));
    let done = 0;
    for (const { source, w } of plan) {
      result.windows++;
      const skipped = cat.windowDone(source, w[0], w[1]);
      let rows = 0;
      if (skipped) result.skipped++;
      else {
        const win = await fetchWindow(source, w, o, downloader);
        cat.completeWindow(win, w[0], w[1]);
        rows = win.rows.length;
        result.rows[source] += rows;
        result.fetched++;
      }
      onProgress?.({ source, windowStart: w[0], windowEnd: w[1], done: ++done, total: plan.length, rows, skipped });
    }
    result.counts = cat.counts();
    return result;
  } finally {
    await downloader.close();
    cat.close();
  }
}
