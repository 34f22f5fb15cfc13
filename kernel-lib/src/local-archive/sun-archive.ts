/**
 * The archives ALEXIS talks to, served from the simulated Sun (testing/solar) by the local archive:
 *   GET /jsoc/cgi-bin/ajax/jsoc_info?op=rs_list&ds=aia.lev1_euv_12s[t1Z-t2Z]{image}&key=..&seg=image
 *   GET /jsoc/cgi-bin/ajax/jsoc_info?op=rs_list&ds=hmi.sharp_720s[][t1 - t2]&key=HARPNUM,..
 *   GET /SUM<n>/D<recnum>/S00000/image_lev1.fits            AIA segments (rendered on first request)
 *   GET /ncei-sxi/goes<NN>/YYYY/MM/DD/[SXI_*.FTS]           NCEI-style listings (404 = no data; 429 sometimes)
 *   GET /noaa-xrs/goes<NN>/gxrs-l2-irrad_science/YYYY/MM/[sci_*.nc]  XRS science files (netCDF4)
 *   GET /hek/her?cmd=search&event_type=FL&event_starttime=..&event_endtime=..  HEK flares (some of the injected ones)
 * Rendered files are cached under `dataDir`; a frame listed but "missing" (one in `missingEvery`) is a 404.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { jsocTimeMs } from '../archives/jsoc';
import { StagebookError } from '../errors/stagebook-error';
import {
  aiaExptime,
  aiaFrameTimeMs,
  aiaDefectOf,
  aiaTruePointing,
  AIA_BAD_HEADER_QUALITY,
  AIA_CADENCE_S,
  renderAiaFrame,
  writeAiaFits,
} from '../testing/solar/aia';
import {
  AIA_CHANNELS,
  inGap,
  makeSolarScene,
  stableHash,
  type AiaChannel,
  type SolarScene,
  type SolarSceneOptions,
} from '../testing/solar/scene';
import { renderSxiFrame, sxiFileName, sxiFrameTimeMs, writeSxiFits } from '../testing/solar/sxi';
import { simulateXrsDay, writeXrsNetcdf, xrsFileName } from '../testing/solar/xrs';
import { sendSource, type SendStats } from './body';
import type { FaultRule } from './faults';
import { listingHtml } from './solar';

/** What the simulated archives serve. */
export interface SunArchiveOptions {
  scene?: SolarSceneOptions;
  /** AIA image size (4096 real; default 1024, 256 in tests). */
  aiaScale?: number;
  /** Served AIA cadence (a multiple of 12 s; default 12). Larger values thin the data for quick demos. */
  aiaCadenceSeconds?: number;
  channels?: AiaChannel[];
  sxiSatellites?: number[];
  xrsSatellites?: number[];
  /** Every Nth SXI listing request answers 429 with Retry-After: 1 (default 5; 0 = never). */
  throttleEvery?: number;
}

/** The simulated archives (attach to the local archive with `sun` in its options). */
export class SunArchive {
  readonly scene: SolarScene;
  readonly aiaScale: number;
  readonly aiaStep: number;
  readonly channels: AiaChannel[];
  readonly sxiSatellites: number[];
  readonly xrsSatellites: number[];
  readonly throttleEvery: number;
  private listingRequests = 0;

  constructor(
    options: SunArchiveOptions,
    private readonly dataDir: string,
  ) {
    this.scene = makeSolarScene(options.scene);
    this.aiaScale = options.aiaScale ?? 1024;
    const cadence = options.aiaCadenceSeconds ?? AIA_CADENCE_S;
    if (!Number.isInteger(cadence / AIA_CADENCE_S) || cadence <= 0)
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `SunArchive: aiaCadenceSeconds must be a positive multiple of 12, got ${cadence}`,
        { where: 'SunArchive', field: 'aiaCadenceSeconds' },
      );
    this.aiaStep = cadence / AIA_CADENCE_S;
    this.channels = options.channels ?? [...AIA_CHANNELS];
    for (const c of this.channels)
      if (!AIA_CHANNELS.includes(c))
        throw new StagebookError('E_INVALID_ARGUMENT', `SunArchive: channels: unknown AIA channel ${c}`, {
          where: 'SunArchive',
          field: 'channels',
        });
    this.sxiSatellites = options.sxiSatellites ?? [15];
    this.xrsSatellites = options.xrsSatellites ?? [15];
    this.throttleEvery = options.throttleEvery ?? 5;
    mkdirSync(dataDir, { recursive: true });
  }

  /** Whether a listed file is missing from the archive (404). */
  missing(kind: string, ...key: Array<string | number>): boolean {
    return (
      this.scene.missingEvery > 0 &&
      stableHash('missing', this.scene.seed, kind, ...key) % this.scene.missingEvery === 1
    );
  }

  /** AIA frames (channel, index) in [fromMs, toMs]. */
  aiaFrames(
    fromMs: number,
    toMs: number,
    channels: readonly AiaChannel[] = this.channels,
  ): Array<{ channel: AiaChannel; index: number; timeMs: number }> {
    const out: Array<{ channel: AiaChannel; index: number; timeMs: number }> = [];
    const first = Math.max(0, Math.floor((fromMs - this.scene.dayStartMs) / 12_000) - 1);
    const last = Math.min(7199, Math.ceil((toMs - this.scene.dayStartMs) / 12_000) + 1);
    for (let k = first; k <= last; k++) {
      if (k % this.aiaStep !== 0) continue;
      for (const ch of channels) {
        const t = aiaFrameTimeMs(this.scene, ch, k);
        if (t >= fromMs && t <= toMs && !inGap(this.scene, 'aia', ch, t))
          out.push({ channel: ch, index: k, timeMs: t });
      }
    }
    return out.sort((a, b) => a.timeMs - b.timeMs);
  }

  /** Segment path of an AIA frame (JSOC SUMS-style). */
  aiaSegmentPath(channel: AiaChannel, index: number): string {
    const recnum = index * 8 + AIA_CHANNELS.indexOf(channel);
    return `/SUM${(recnum % 97) + 1}/D${recnum}/S00000/image_lev1.fits`;
  }

  /** Handles a request of the simulated archives; undefined when the path is not theirs. */
  async handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    u: URL,
    fault: FaultRule | undefined,
    counters: SendStats[],
  ): Promise<number | undefined> {
    const p = u.pathname;
    if (p === '/jsoc/cgi-bin/ajax/jsoc_info') return json(res, 200, this.drms(u.searchParams));
    let m = /^\/SUM\d+\/D(\d+)\/S00000\/image_lev1\.fits$/.exec(p);
    if (m) return this.serveAia(req, res, Number(m[1]), fault, counters);
    m = /^\/ncei-sxi\/goes(\d{2})\/(\d{4})\/(\d{2})\/(\d{2})\/(SXI_[^/]+\.FTS)?$/.exec(p);
    if (m) return this.sxi(req, res, Number(m[1]), `${m[2]}-${m[3]}-${m[4]}`, m[5], fault, counters);
    m = /^\/noaa-xrs\/goes(\d{2})\/gxrs-l2-irrad_science\/(\d{4})\/(\d{2})\/([^/]+\.nc)?$/.exec(p);
    if (m) return this.xrs(req, res, Number(m[1]), `${m[2]}-${m[3]}`, m[4], fault, counters);
    if (p === '/hek/her') return json(res, 200, this.hek(u.searchParams));
    return undefined;
  }

  private drms(q: URLSearchParams): Record<string, unknown> {
    const ds = q.get('ds') ?? '';
    const keys = (q.get('key') ?? '').split(',').filter(Boolean);
    let m = /^aia\.lev1_euv_12s\[(.+?)\](?:\[([\d,]*)\])?(?:\{(\w+)\})?$/.exec(ds);
    if (m) {
      const [fromMs, toMs] = parseRange(m[1]);
      const chans = m[2] ? (m[2].split(',') as AiaChannel[]).filter((c) => this.channels.includes(c)) : this.channels;
      const frames = this.aiaFrames(fromMs, toMs, chans);
      const values: Record<string, (f: { channel: AiaChannel; index: number; timeMs: number }) => string | number> = {
        T_OBS: (f) => new Date(f.timeMs).toISOString().replace(/(\.\d\d)\dZ$/, '$1Z'),
        WAVELNTH: (f) => Number(f.channel),
        EXPTIME: (f) => aiaExptime(f.channel),
        QUALITY: (f) => (aiaDefectOf(this.scene, f.channel, f.index) === 'header-quality' ? AIA_BAD_HEADER_QUALITY : 0),
        R_SUN: () => this.scene.rsunArcsec / aiaTruePointing(this.aiaScale).cdelt,
        RECNUM: (f) => f.index * 8 + AIA_CHANNELS.indexOf(f.channel),
      };
      const unknown = keys.filter((k) => !values[k]);
      if (unknown.length) return { status: 1, error: `Invalid KeyLink: ${unknown.join(',')}` };
      return {
        status: 0,
        count: frames.length,
        runtime: 0.01,
        keywords: keys.map((k) => ({ name: k, values: frames.map((f) => String(values[k](f))) })),
        segments:
          m[3] || q.get('seg')
            ? [
                {
                  name: m[3] ?? q.get('seg') ?? 'image',
                  values: frames.map((f) => this.aiaSegmentPath(f.channel, f.index)),
                  dims: frames.map(() => `${this.aiaScale}x${this.aiaScale}`),
                },
              ]
            : [],
      };
    }
    m = /^hmi\.sharp_720s\[\]\[(.+)\]$/.exec(ds);
    if (m) return this.harps(parseRange(m[1]), keys);
    return { status: 1, error: `unknown series in ${ds}` };
  }

  private harps([fromMs, toMs]: [number, number], keys: string[]): Record<string, unknown> {
    const rows: Array<Record<string, string | number>> = [];
    const R = this.scene.rsunArcsec;
    const deg = (v: number): number => (Math.asin(Math.max(-1, Math.min(1, v / R))) * 180) / Math.PI;
    // Stonyhurst box of the region's +-2 sigma square: lat = asin(y/R), lon = asin(x / (R cos lat))
    // (observer at B0 = 0, orthographic), so HGS -> HPC with x = R sin(lon) cos(lat) gives the square back.
    const lonDeg = (x: number, y: number): number => deg(x / Math.cos((deg(y) * Math.PI) / 180));
    for (let t = Math.ceil(fromMs / 720_000) * 720_000; t <= toMs; t += 720_000) {
      if (t < this.scene.dayStartMs || t >= this.scene.dayStartMs + 86_400_000) continue;
      const trec = new Date(t).toISOString().slice(0, 19).replace(/-/g, '.').replace('T', '_') + '_TAI';
      for (const ar of this.scene.activeRegions) {
        rows.push({
          HARPNUM: ar.harpnum,
          NOAA_AR: ar.noaa,
          NOAA_ARS: String(ar.noaa),
          LAT_MIN: deg(ar.y - 2 * ar.sigma),
          LAT_MAX: deg(ar.y + 2 * ar.sigma),
          LON_MIN: lonDeg(ar.x - 2 * ar.sigma, ar.y),
          LON_MAX: lonDeg(ar.x + 2 * ar.sigma, ar.y),
          T_REC: trec,
        });
      }
    }
    const unknown = keys.filter((k) => rows.length > 0 && !(k in rows[0]));
    if (unknown.length) return { status: 1, error: `Invalid KeyLink: ${unknown.join(',')}` };
    return {
      status: 0,
      count: rows.length,
      keywords: keys.map((k) => ({ name: k, values: rows.map((r) => String(r[k])) })),
      segments: [],
    };
  }

  private hek(q: URLSearchParams): Record<string, unknown> {
    const from = Date.parse(`${q.get('event_starttime')}Z`);
    const to = Date.parse(`${q.get('event_endtime')}Z`);
    const t = (ms: number): string => new Date(ms).toISOString().slice(0, 19);
    const result = this.scene.flares
      .filter((f) => f.inHek && f.endMs >= from && f.startMs <= to)
      .map((f) => ({
        kb_archivid: `ivo://helio-informatics.org/FL_SWPC_${t(f.startMs).replace(/\D/g, '')}_${f.noaa}`,
        event_type: 'FL',
        event_starttime: t(f.startMs),
        event_peaktime: t(f.peakMs),
        event_endtime: t(f.endMs),
        fl_goescls: f.goesClass,
        hpc_x: Math.round(f.x * 10) / 10 + 3.2,
        hpc_y: Math.round(f.y * 10) / 10 - 2.1,
        ar_noaanum: f.noaa,
        frm_name: 'SWPC',
        obs_observatory: 'GOES',
        obs_instrument: 'GOES',
      }));
    return { result, overmax: false };
  }

  private async serveAia(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    recnum: number,
    fault: FaultRule | undefined,
    counters: SendStats[],
  ): Promise<number> {
    const channel = AIA_CHANNELS[recnum % 8];
    const index = Math.floor(recnum / 8);
    if (
      !channel ||
      !this.channels.includes(channel) ||
      index % this.aiaStep !== 0 ||
      this.missing('aia', channel, index)
    )
      return json(res, 404, { detail: 'Not found.' });
    const file = path.join(this.dataDir, `aia-${this.aiaScale}-${channel}-${index}.fits`);
    if (!existsSync(file)) writeAiaFits(file, renderAiaFrame(this.scene, channel, index, { scale: this.aiaScale }));
    return sendFile(req, res, file, fault, counters);
  }

  private sxiNames(sat: number, day: string): Map<string, { index: number; level: 'BA' | 'AB' }> {
    const names = new Map<string, { index: number; level: 'BA' | 'AB' }>();
    if (day !== this.scene.date || !this.sxiSatellites.includes(sat)) return names;
    for (let k = 0; k < 1440; k++) {
      const t = sxiFrameTimeMs(this.scene, sat, k);
      if (inGap(this.scene, 'sxi', '', t)) continue;
      names.set(sxiFileName(t, 'BA', sat), { index: k, level: 'BA' });
      if (k % 3 === 0) names.set(sxiFileName(t + 2000, 'AB', sat), { index: k, level: 'AB' });
    }
    return names;
  }

  private async sxi(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    sat: number,
    day: string,
    name: string | undefined,
    fault: FaultRule | undefined,
    counters: SendStats[],
  ): Promise<number> {
    const names = this.sxiNames(sat, day);
    if (!name) {
      this.listingRequests++;
      if (this.throttleEvery > 0 && this.listingRequests % this.throttleEvery === 0) {
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('Too Many Requests');
        return 429;
      }
      if (names.size === 0) return json(res, 404, { detail: 'Not found.' });
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          listingHtml(`/data/goes-solar-xray-imager/access/fits/goes${sat}/${day.replace(/-/g, '/')}/`, [
            ...names.keys(),
          ]),
        );
      return 200;
    }
    const entry = names.get(name);
    if (!entry || this.missing('sxi', sat, entry.index, entry.level)) return json(res, 404, { detail: 'Not found.' });
    const file = path.join(this.dataDir, name);
    if (!existsSync(file)) writeSxiFits(file, renderSxiFrame(this.scene, sat, entry.index, { level: entry.level }));
    return sendFile(req, res, file, fault, counters);
  }

  private async xrs(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    sat: number,
    month: string,
    name: string | undefined,
    fault: FaultRule | undefined,
    counters: SendStats[],
  ): Promise<number> {
    const fileName = xrsFileName(sat, this.scene.dayStartMs);
    const has = this.xrsSatellites.includes(sat) && this.scene.date.startsWith(month);
    if (!name) {
      if (!has) return json(res, 404, { detail: 'Not found.' });
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          listingHtml(`/sem/goes/data/science/xrs/goes${sat}/gxrs-l2-irrad_science/${month.replace('-', '/')}/`, [
            fileName,
          ]),
        );
      return 200;
    }
    if (!has || name !== fileName) return json(res, 404, { detail: 'Not found.' });
    const file = path.join(this.dataDir, name);
    if (!existsSync(file)) await writeXrsNetcdf(file, simulateXrsDay(this.scene, sat));
    return sendFile(req, res, file, fault, counters);
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return status;
}

function sendFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  file: string,
  fault: FaultRule | undefined,
  counters: SendStats[],
): Promise<number> {
  const bytes = readFileSync(file);
  const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
  return sendSource(
    req,
    res,
    {
      size: bytes.length,
      etag,
      lastModified: new Date(Date.UTC(2011, 1, 9)).toUTCString(),
      contentType: 'application/octet-stream',
      slice: (s, e) => [bytes.subarray(s, e)],
    },
    fault,
    counters,
  );
}

/** `t1Z-t2Z` (ISO) or `t1 - t2` (JSOC `YYYY.MM.DD_hh:mm:ss[_TAI]`) -> [ms, ms]. */
function parseRange(text: string): [number, number] {
  const parts = text.includes(' - ') ? text.split(' - ') : text.split(/(?<=Z)-/);
  if (parts.length !== 2)
    throw new StagebookError('E_INVALID_ARGUMENT', `jsoc_info: cannot parse the time range ${JSON.stringify(text)}`, {
      where: 'jsoc_info',
      field: 'ds',
    });
  return [jsocTimeMs(parts[0].trim()), jsocTimeMs(parts[1].trim())];
}
