/**
 * The local archive: an HTTP server on the loopback interface only that behaves like the archives
 * stagebook talks to, on deterministic synthetic data, with configurable faults.
 *   GET /frames/?...        LCO science-archive frames API (token, filters, limit/offset, `next`)
 *   GET /frames/<id>/       one frame record
 *   GET /download/<id>/<f>  frame files (presigned-style `?X-Sig=`, ETag, Range, If-Range)
 *   GET /blobs/, /blobs/<n> large synthetic files (benchmarks)
 *   GET /catalogues/availability.sqlite   AIA/SXI availability catalogue (ALEXIS style)
 *   GET /solar/aia/<f>, /ncei/goes15/YYYY/MM/DD/[<f>]   catalogue files and NCEI-style listings
 *   GET /api/bsd/info/YYYYMMDD/YYYYMMDD   STIX BSD request information (RID table rows, CSV)
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AvailabilityCatalogue } from '../archives/catalogue';
import { StagebookError } from '../errors/stagebook-error';
import { sendSource, type ByteSource, type SendStats } from './body';
import { FaultInjector, parseFaultRules, type FaultRule } from './faults';
import { listingHtml, solarRows, standInBytes } from './solar';
import {
  blobBlock,
  blobSlice,
  writeSyntheticFrames,
  type SyntheticArchiveOptions,
  type SyntheticFrame,
} from './synthetic';
import { filterFrames, pageOf, withPaginationFaults } from './frames-api';
import { SunArchive, type SunArchiveOptions } from './sun-archive';
import { handleBsdInfo } from './stix-bsd';
import type { RidRow } from '../pipelines/stix/publish/rid-table';

/** Options of the local archive. */
export interface LocalArchiveOptions {
  /** 0 = a free port (default). */
  port?: number;
  /** Loopback only: 127.0.0.1 (default) or ::1. */
  host?: string;
  /** Token the frames API requires (`Authorization: Token <token>`); undefined = no auth. */
  token?: string;
  /** Where synthetic files are written (default: a fresh temp directory, removed on close). */
  dataDir?: string;
  synthetic?: SyntheticArchiveOptions;
  faults?: FaultRule[];
  /** Synthetic large files for benchmarks. */
  blobs?: Array<{ name: string; size: number }>;
  /** Add frames with hostile file names (HOSTILE_FILE_NAMES: escapes, `.`, separators, NUL, newline, bidi). */
  hostileNames?: boolean;
  /**
   * Add frames that download intact (their md5 is the truth) but cannot be used: `garbage-0.fits.fz`
   * is not FITS at all, `notes-1.txt` is not a FITS name. LCO moves such frames to `unused/` (tests).
   */
  unusableFrames?: boolean;
  /** Flare events the solar catalogue covers (ISO). */
  events?: string[];
  /** Serve the simulated Sun's archives (JSOC, NCEI SXI, NOAA XRS, HEK; see sun-archive.ts). */
  sun?: SunArchiveOptions;
  /** STIX BSD requests served by `/api/bsd/info/` (see stix-bsd.ts; `syntheticBsdRequests()` makes some). */
  bsdRequests?: RidRow[];
  /** Clock of the request log's `at` (epoch ms; default Date.now). */
  clock?: () => number;
}

/** One served request. */
export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  range?: string;
  bytes: number;
  fault?: string;
  /** The query string (`?a=b`, '' when none). */
  search: string;
  /** When the request arrived (epoch ms). */
  at: number;
}

/** A running local archive. */
export interface LocalArchive {
  /** Base URL, e.g. http://127.0.0.1:40123/ (the LCO client's `url`). */
  readonly url: string;
  readonly port: number;
  readonly frames: readonly SyntheticFrame[];
  readonly requests: RequestLogEntry[];
  /** Bytes of file bodies sent. */
  readonly stats: SendStats;
  /** The simulated Sun's archives, when `sun` was given. */
  readonly sun?: SunArchive;
  /** Replaces the fault rules (request counters restart). */
  setFaults(rules: FaultRule[]): void;
  /** Requests whose path matches `re` (count). */
  count(re: RegExp): number;
  /** sha256 and size of a blob (computed once). */
  blobInfo(name: string): { size: number; sha256: string; url: string };
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

interface State {
  origin: string;
  frames: SyntheticFrame[];
  byId: Map<number, SyntheticFrame>;
  faults: FaultInjector;
  seed: number;
  token?: string;
  stats: SendStats;
  requests: RequestLogEntry[];
  blobs: Map<string, { size: number; sha256?: string }>;
  block?: Buffer;
  catalogueFile: string;
  solar: Map<string, { path: string; name: string }>;
  querySerial: number;
  sun?: SunArchive;
  bsd?: RidRow[];
  clock: () => number;
}

function fileSource(file: string, md5: string): ByteSource {
  const bytes = readFileSync(file);
  return {
    size: bytes.length,
    etag: `"${md5}"`,
    lastModified: new Date(Date.UTC(2025, 6, 1)).toUTCString(),
    contentType: 'application/fits',
    slice: (s, e) => [bytes.subarray(s, e)],
  };
}

function json(res: http.ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return status;
}

/** Starts the local archive. */
export async function startLocalArchive(options: LocalArchiveOptions = {}): Promise<LocalArchive> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host))
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `startLocalArchive: host: ${JSON.stringify(host)} is not a loopback address (the local archive never listens on a network interface)`,
      { where: 'startLocalArchive', field: 'host' },
    );
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'sb-local-archive-'));
  const seed = options.synthetic?.seed ?? 1;
  const frames = writeSyntheticFrames(path.join(dataDir, 'frames'), options.synthetic);
  if (options.hostileNames) addHostileFrames(frames);
  if (options.unusableFrames) addUnusableFrames(frames, path.join(dataDir, 'frames'));
  const state: State = {
    origin: '',
    frames,
    byId: new Map(frames.map((f) => [f.record.id, f])),
    faults: new FaultInjector(parseFaultRules(options.faults), seed),
    seed,
    token: options.token,
    stats: { bytes: 0 },
    requests: [],
    blobs: new Map((options.blobs ?? []).map((b) => [b.name, { size: b.size }])),
    catalogueFile: path.join(dataDir, 'catalogues', 'availability.sqlite'),
    solar: new Map(),
    querySerial: 0,
    sun: options.sun ? new SunArchive(options.sun, path.join(dataDir, 'sun')) : undefined,
    bsd: options.bsdRequests,
    clock: options.clock ?? Date.now,
  };
  const server = http.createServer((req, res) => {
    handle(state, req, res).catch((e) => {
      if (!res.headersSent) json(res, 500, { detail: (e as Error).message });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host === 'localhost' ? '127.0.0.1' : host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  state.origin = `http://${host === '::1' ? '[::1]' : '127.0.0.1'}:${port}`;
  buildSolar(state, options.events);
  return {
    url: `${state.origin}/`,
    port,
    frames,
    requests: state.requests,
    stats: state.stats,
    sun: state.sun,
    setFaults(rules) {
      state.faults = new FaultInjector(parseFaultRules(rules), seed);
    },
    count: (re) => state.requests.filter((r) => re.test(r.path)).length,
    blobInfo: (name) => blobInfo(state, name),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * File names an archive must never be trusted with: path escapes, names that are the directory
 * itself, a path separator inside a name, NUL, a newline that forges a log line, and a right-to-left
 * override that makes `…\u202Ezf.stif.fits.fz` display as another name. Each gets its own basename.
 */
export const HOSTILE_FILE_NAMES: readonly string[] = [
  '../../escaped.fits.fz',
  '/tmp/stagebook-absolute.fits.fz',
  '.',
  './',
  'a/b.fits.fz',
  'nul\0byte.fits.fz',
  'line\nforged-log-line.fits.fz',
  'rtl\u202Ezf.stif.fits.fz',
];

function addHostileFrames(frames: SyntheticFrame[]): void {
  const base = frames.find((f) => f.record.configuration_type === 'EXPOSE');
  if (!base) return;
  HOSTILE_FILE_NAMES.forEach((name, i) => {
    const id = 900_000 + i;
    frames.push({ ...base, record: { ...base.record, id, basename: `hostile-${i}`, filename: name } });
  });
}

function addUnusableFrames(frames: SyntheticFrame[], dir: string): void {
  const base = frames.find((f) => f.record.configuration_type === 'EXPOSE');
  if (!base) return;
  ['garbage-0.fits.fz', 'notes-1.txt'].forEach((name, i) => {
    const file = path.join(dir, `unusable-${i}.bin`);
    const bytes = Buffer.from(
      `not a FITS file (${name}): the archive's md5 is right, the content is useless\n`.repeat(40),
    );
    writeFileSync(file, bytes);
    const md5 = createHash('md5').update(bytes).digest('hex');
    frames.push({
      ...base,
      file,
      size: bytes.length,
      md5,
      record: { ...base.record, id: 800_000 + i, basename: name.replace(/\..*$/, ''), filename: name },
    });
  });
}

function buildSolar(state: State, events?: string[]): void {
  const rows = solarRows(state.origin, events);
  const cat = new AvailabilityCatalogue(state.catalogueFile);
  rmSync(state.catalogueFile + '-journal', { force: true });
  cat.db.exec('DELETE FROM availability');
  cat.insert(rows);
  cat.close();
  for (const r of rows) {
    const p = new URL(r.url).pathname;
    state.solar.set(p, { path: p, name: r.filename });
  }
}

function blobInfo(state: State, name: string): { size: number; sha256: string; url: string } {
  const b = state.blobs.get(name);
  if (!b)
    throw new StagebookError('E_INVALID_ARGUMENT', `LocalArchive.blobInfo: no blob named ${JSON.stringify(name)}`, {
      where: 'blobInfo',
      field: 'name',
    });
  if (!b.sha256) {
    const h = createHash('sha256');
    for (let s = 0; s < b.size; s += 64 << 20)
      for (const part of blobSlice(blockOf(state), s, Math.min(b.size, s + (64 << 20)))) h.update(part);
    b.sha256 = h.digest('hex');
  }
  return { size: b.size, sha256: b.sha256, url: `${state.origin}/blobs/${name}` };
}

function blockOf(state: State): Buffer {
  state.block ??= blobBlock(state.seed);
  return state.block;
}

function frameUrl(state: State, f: SyntheticFrame): string {
  // A fresh signature per query, as presigned URLs are: clients must key their caches without it.
  const sig = createHash('sha256').update(`${f.record.id}:${state.querySerial}`).digest('hex').slice(0, 16);
  return `${state.origin}/download/${f.record.id}/${encodeURIComponent(f.record.filename)}?X-Sig=${sig}`;
}

/** The record as the API returns it (URLs, version_set with md5; a wrong md5 when that fault is set). */
function apiRecord(state: State, f: SyntheticFrame): Record<string, unknown> {
  const url = state.faults.wrongUrl(`/download/${f.record.id}/`) ?? frameUrl(state, f);
  const md5 = state.faults.wrongMd5(`/download/${f.record.id}/`) ? '0'.repeat(32) : f.md5;
  return {
    ...f.record,
    url,
    version_set: [
      {
        id: f.record.id * 10,
        key: randomBytes(8).toString('hex'),
        md5,
        extension: '.fits.fz',
        created: f.record.created,
        url,
      },
    ],
  };
}

function authorised(state: State, req: http.IncomingMessage): boolean {
  return state.token === undefined || req.headers.authorization === `Token ${state.token}`;
}

async function handle(state: State, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const u = new URL(req.url ?? '/', state.origin);
  const entry: RequestLogEntry = {
    method: req.method ?? 'GET',
    path: u.pathname,
    search: u.search,
    at: state.clock(),
    status: 0,
    range: req.headers.range,
    bytes: 0,
  };
  state.requests.push(entry);
  const fault = state.faults.next(u.pathname);
  if (fault) entry.fault = fault.kind;
  entry.status = await route(state, req, res, u, fault, [state.stats, entry]);
}

async function route(
  state: State,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  u: URL,
  fault: FaultRule | undefined,
  counters: SendStats[],
): Promise<number> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { detail: 'method not allowed' });
  if (fault?.kind === '429') {
    res
      .writeHead(429, { 'retry-after': String(fault.retryAfterSeconds ?? 1), 'content-type': 'application/json' })
      .end('{"detail":"Request was throttled."}');
    return 429;
  }
  if (fault?.kind === '500') return json(res, fault.status ?? 500, { detail: 'injected server error' });
  const p = u.pathname;
  const sun = state.sun ? await state.sun.handle(req, res, u, fault, counters) : undefined;
  if (sun !== undefined) return sun;
  const bsd = state.bsd ? handleBsdInfo(state.bsd, u, res) : undefined;
  if (bsd !== undefined) return bsd;
  if (p === '/health') return json(res, 200, { ok: true, frames: state.frames.length });
  if (p === '/frames/' || /^\/frames\/\d+\/$/.test(p)) {
    if (!authorised(state, req)) return json(res, 401, { detail: 'Invalid token.' });
    state.querySerial++;
    if (p !== '/frames/') {
      const f = state.byId.get(Number(p.split('/')[2]));
      return f ? json(res, 200, apiRecord(state, f)) : json(res, 404, { detail: 'Not found.' });
    }
    const matched = filterFrames(
      state.frames.map((f) => f.record),
      u.searchParams,
    );
    const wrongCount = state.faults.pagination(p, 'wrong-count');
    const nextLoop = state.faults.pagination(p, 'next-loop');
    const countDelta = wrongCount ? (wrongCount.countDelta ?? 1000) : undefined;
    const page = withPaginationFaults(pageOf(matched, u, state.origin), u, state.origin, { nextLoop, countDelta });
    return json(res, 200, {
      ...page,
      results: page.results.map((r) => apiRecord(state, state.byId.get(r.id) as SyntheticFrame)),
    });
  }
  let m = /^\/download\/(\d+)\/[^/]+$/.exec(p);
  if (m) {
    const f = state.byId.get(Number(m[1]));
    if (!f) return json(res, 404, { detail: 'Not found.' });
    return sendSource(req, res, fileSource(f.file, f.md5), fault, counters);
  }
  if (p === '/blobs/')
    return json(
      res,
      200,
      [...state.blobs.entries()].map(([name, b]) => ({ name, size: b.size, url: `${state.origin}/blobs/${name}` })),
    );
  m = /^\/blobs\/([^/]+)$/.exec(p);
  if (m) {
    const b = state.blobs.get(m[1]);
    if (!b) return json(res, 404, { detail: 'Not found.' });
    const block = blockOf(state);
    return sendSource(
      req,
      res,
      {
        size: b.size,
        etag: `"blob-${state.seed}-${m[1]}-${b.size}"`,
        lastModified: new Date(Date.UTC(2025, 0, 1)).toUTCString(),
        contentType: 'application/octet-stream',
        slice: (s, e) => blobSlice(block, s, e),
      },
      fault,
      counters,
    );
  }
  if (p === '/catalogues/availability.sqlite') {
    const bytes = readFileSync(state.catalogueFile);
    const md5 = createHash('md5').update(bytes).digest('hex');
    return sendSource(
      req,
      res,
      {
        size: bytes.length,
        etag: `"${md5}"`,
        lastModified: statSync(state.catalogueFile).mtime.toUTCString(),
        contentType: 'application/vnd.sqlite3',
        slice: (s, e) => [bytes.subarray(s, e)],
      },
      fault,
      counters,
    );
  }
  if (p.endsWith('/') && p.startsWith('/ncei/')) {
    const names = [...state.solar.values()]
      .filter((s) => s.path.startsWith(p) && !s.path.slice(p.length).includes('/'))
      .map((s) => s.name);
    if (names.length === 0) return json(res, 404, { detail: 'Not found.' });
    res.writeHead(200, { 'content-type': 'text/html' }).end(listingHtml(p, names));
    return 200;
  }
  const solar = state.solar.get(p);
  if (solar) {
    const bytes = standInBytes(solar.name);
    return sendSource(
      req,
      res,
      {
        size: bytes.length,
        etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
        lastModified: new Date(Date.UTC(2011, 1, 9)).toUTCString(),
        contentType: 'application/fits',
        slice: (s, e) => [bytes.subarray(s, e)],
      },
      fault,
      counters,
    );
  }
  return json(res, 404, { detail: 'Not found.' });
}
