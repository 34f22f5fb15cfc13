/**
 * Stage 1 of ALEXIS (`ALEXIS_download_data.py`) with the flare list as a parameter instead of two
 * hard-coded Python lists: for each flare (class, UTC time) the working directory
 * `flare_candidates/flarecandidate_{class}_at_{time}.working` (class normalised C1 -> C1.0), the
 * catalogue rows at +-20 min (AIA) and +-40 min (SXI, data_level `BA` only), de-duplicated by URL
 * over all flares, and the downloads through the content-addressed cache keyed by sha256(url)
 * (ALEXIS's `image_data/<h2>/<sha>` layout) with 10 connections.
 *
 * For each URL that arrived, `image_data/downloaded/<h2>/<sha>.json` records its catalogue row
 * (ALEXIS's `.downloaded` marker plus `cached_directory/*.cached.pickle`); stage 2 reads those. A
 * URL that failed gets no record, so the next run retries it (ALEXIS's intent; its `os.system`
 * loop never retried). A 404 (listed but not on the server) is reported as `missing`; any other
 * failure fails the run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { cacheHash } from '../../acquisition/cache';
import { Downloader, type DownloadFailure } from '../../acquisition/downloader';
import { downloadPolicySchema, type DownloadPolicyInput } from '../../acquisition/policy';
import type { DownloadProgressListener } from '../../acquisition/progress';
import { StagebookError } from '../../errors/stagebook-error';
import { atomicWriteFile } from '../../workdirs/atomic';
import { alexisFlareNaming, normaliseFlareClass } from '../../workdirs/naming';
import { AlexisCatalogues } from './catalogues';

/** One flare of the list: GOES class and UTC time `YYYY-MM-DD HH:MM:SS.ss` (or ISO). */
export const flareSchema = z.strictObject({
  class: z
    .string()
    .regex(/^[ABCMXabcmx]\d+(\.\d+)?$/, 'expected a GOES class such as C4.0 or M1')
    .describe('GOES class'),
  time: z
    .string()
    .refine((s) => Number.isFinite(parseFlareTime(s)), { message: "expected a UTC time 'YYYY-MM-DD HH:MM:SS.ss'" })
    .describe('Flare time (UTC)'),
});
export type FlareSpec = z.output<typeof flareSchema>;

/** Stage 1 options. */
export const downloadOptionsSchema = z.strictObject({
  flares: z.array(flareSchema).min(1).describe('The flares to prepare (ALEXIS: input_class_list x input_time_list)'),
  mainDataDir: z.string().min(1).describe('MAIN_DATA_DIR: flare_candidates/ and image_data/ live under it'),
  catalogue: z.string().min(1).describe('The onboarding catalogues (availability.db)'),
  aiaMinutes: z.number().positive().default(20).describe('AIA half-window (ALEXIS: 20 min)'),
  sxiMinutes: z.number().positive().default(40).describe('SXI half-window (ALEXIS: 40 min)'),
  sxiDataLevel: z.string().default('BA').describe("SXI data level kept (ALEXIS: 'BA')"),
  connections: z.number().int().min(1).max(64).default(10).describe('Downloads at once (ALEXIS: jobs_limit(10))'),
  policy: downloadPolicySchema.partial().optional(),
});
export type DownloadOptions = z.input<typeof downloadOptionsSchema>;

/** What stage 2 needs of a downloaded file (ALEXIS's cached dict). */
export interface DownloadedRecord {
  url: string;
  file_name: string;
  /** `AIA` or `SXI`. */
  instrument: 'AIA' | 'SXI';
  /** `SDO` or `goes13..15`. */
  telescope: string;
  /** AIA channel (e.g. `171`); SXI: unknown until the header is read (`null`). */
  wavelength: string | null;
  time_stamp: number;
  file_path: string;
  file_size_MB: number;
  download_string: string;
  cached_dict_path: string;
}

/** Per-flare outcome. */
export interface FlareDownloadSummary {
  workingDir: string;
  flareClass: string;
  time: string;
  aia: number;
  sxi: number;
  ok: number;
  missing: number;
  failed: number;
}

export interface DownloadStageResult {
  flares: FlareDownloadSummary[];
  /** URLs in the union of the windows (after de-duplication). */
  urls: number;
  downloaded: number;
  fromCache: number;
  missing: DownloadFailure[];
  failed: DownloadFailure[];
}

/** 'YYYY-MM-DD HH:MM:SS.ss' (UTC, ALEXIS's format) or ISO -> ms. */
export function parseFlareTime(s: string): number {
  const t = s.trim().replace(' ', 'T');
  return Date.parse(/Z|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`);
}

/** Path of a download record (ALEXIS's `.downloaded`) for a URL. */
export function downloadedRecordPath(mainDataDir: string, url: string): string {
  const sha = cacheHash(url);
  return path.join(mainDataDir, 'image_data', 'downloaded', sha.slice(0, 2), `${sha}.json`);
}

function parseOptions(options: DownloadOptions): z.output<typeof downloadOptionsSchema> {
  const r = downloadOptionsSchema.safeParse(options);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `downloadFlareData: ${i.path.join('.') || 'options'}: ${i.message}`,
      { where: 'downloadFlareData', field: i.path.join('.') },
    );
  }
  return r.data;
}

/** Downloads every flare's files (stage 1). Safe to rerun: what arrived is never fetched again. */
export async function downloadFlareData(
  options: DownloadOptions,
  onProgress?: DownloadProgressListener,
): Promise<DownloadStageResult> {
  const o = parseOptions(options);
  if (!existsSync(o.catalogue))
    throw new StagebookError(
      'E_FILE_NOT_FOUND',
      `downloadFlareData: catalogue ${o.catalogue} does not exist (run the onboarding first)`,
      { where: 'downloadFlareData', file: o.catalogue },
    );
  const cat = new AlexisCatalogues(o.catalogue, { readonly: true });
  const byUrl = new Map<string, Omit<DownloadedRecord, 'file_path' | 'file_size_MB' | 'cached_dict_path'>>();
  const perFlare: Array<{ summary: FlareDownloadSummary; urls: string[] }> = [];
  try {
    for (const f of o.flares) {
      const timeMs = parseFlareTime(f.time);
      const flareClass = normaliseFlareClass(f.class);
      const workingDir = path.join(
        o.mainDataDir,
        'flare_candidates',
        alexisFlareNaming.format({ flareClass, time: new Date(timeMs) }),
      );
      mkdirSync(workingDir, { recursive: true });
      const aia = cat.aiaAround(timeMs, o.aiaMinutes);
      const sxi = cat.sxiAround(timeMs, o.sxiMinutes).filter((r) => r.data_level === o.sxiDataLevel);
      for (const r of aia)
        byUrl.set(r.url, {
          url: r.url,
          file_name: r.filename,
          instrument: 'AIA',
          telescope: 'SDO',
          wavelength: String(r.WAVELNTH),
          time_stamp: r.time_stamp,
          download_string: r.url,
        });
      for (const r of sxi)
        byUrl.set(r.url, {
          url: r.url,
          file_name: r.file_name,
          instrument: 'SXI',
          telescope: r.instrument,
          wavelength: null,
          time_stamp: r.time_stamp,
          download_string: r.download_string,
        });
      const urls = [...new Set([...aia.map((r) => r.url), ...sxi.map((r) => r.url)])];
      perFlare.push({
        summary: {
          workingDir,
          flareClass,
          time: new Date(timeMs).toISOString(),
          aia: aia.length,
          sxi: sxi.length,
          ok: 0,
          missing: 0,
          failed: 0,
        },
        urls,
      });
    }
  } finally {
    cat.close();
  }
  const cacheDir = path.join(o.mainDataDir, 'image_data');
  const policy: DownloadPolicyInput = {
    ...(o.policy as DownloadPolicyInput | undefined),
    maxConnections: o.connections,
    maxPerHost: o.connections,
  };
  const downloader = new Downloader({ cacheDir, policy, onProgress });
  let result;
  try {
    result = await downloader.fetchAll([...byUrl.keys()].map((url) => ({ url, key: url })));
  } finally {
    await downloader.close();
  }
  for (const f of result.ok) {
    const rec = byUrl.get(f.item.url) as DownloadedRecord;
    const recPath = downloadedRecordPath(o.mainDataDir, f.item.url);
    if (!existsSync(recPath))
      await atomicWriteFile(
        recPath,
        JSON.stringify({ ...rec, file_path: f.path, file_size_MB: f.size / 1e6, cached_dict_path: recPath }, null, 1) +
          '\n',
      );
  }
  const missing = result.failed.filter((f) => f.status === 404);
  const failed = result.failed.filter((f) => f.status !== 404);
  const okSet = new Set(result.ok.map((f) => f.item.url));
  const missingSet = new Set(missing.map((f) => f.item.url));
  for (const { summary, urls } of perFlare) {
    summary.ok = urls.filter((u) => okSet.has(u)).length;
    summary.missing = urls.filter((u) => missingSet.has(u)).length;
    summary.failed = urls.length - summary.ok - summary.missing;
    await atomicWriteFile(
      path.join(summary.workingDir, 'download_summary.json'),
      JSON.stringify(summary, null, 1) + '\n',
    );
  }
  return {
    flares: perFlare.map((p) => p.summary),
    urls: byUrl.size,
    downloaded: result.ok.filter((f) => !f.fromCache).length,
    fromCache: result.ok.filter((f) => f.fromCache).length,
    missing,
    failed,
  };
}

/** Every download record under `mainDataDir` (stage 2's inputs, ALEXIS's glob of `*.downloaded`). */
export function listDownloadedRecords(mainDataDir: string): DownloadedRecord[] {
  const root = path.join(mainDataDir, 'image_data', 'downloaded');
  if (!existsSync(root)) return [];
  const out: DownloadedRecord[] = [];
  for (const h2 of readdirSync(root).sort()) {
    for (const f of readdirSync(path.join(root, h2))
      .filter((n) => n.endsWith('.json'))
      .sort())
      out.push(JSON.parse(readFileSync(path.join(root, h2, f), 'utf8')) as DownloadedRecord);
  }
  return out.sort((a, b) => a.time_stamp - b.time_stamp || a.url.localeCompare(b.url));
}
