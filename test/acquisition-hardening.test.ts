// The small ones of issue 22 item 5, each against the local archive: no presigned signature in any
// file, a file:// URL named as such and refused, no MaxListenersExceededWarning on large batches,
// the Retry-After scope as policy data, and `public` as a config field.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Downloader, displayUrl, type DownloadItem } from '../kernel-lib/src/acquisition';
import { LcoArchiveClient } from '../kernel-lib/src/archives';
import { resolveSecret } from '../kernel-lib/src/config/secrets';
import { startLocalArchive, type LocalArchive } from '../kernel-lib/src/local-archive';
import { runLcoDataManagement } from '../kernel-lib/src/pipelines/lco';
import { makeLcoWorkspace } from './support/lco-workspace';

const TOKEN = 'tok-hardening-99aa88bb77cc';
const ENV = 'SB_LCO_HARDENING_TEST_TOKEN';
let archive: LocalArchive;

beforeAll(async () => {
  process.env[ENV] = TOKEN;
  archive = await startLocalArchive({
    token: TOKEN,
    synthetic: { nights: 2, framesPerNight: 3 },
    blobs: Array.from({ length: 120 }, (_, i) => ({ name: `b${i}`, size: 2048 + i })),
  });
});
afterAll(async () => {
  delete process.env[ENV];
  await archive.close();
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

function client(): LcoArchiveClient {
  return new LcoArchiveClient({ url: archive.url, token: resolveSecret('T', { T: TOKEN }) });
}

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'sb-hard-'));
}

describe('presigned signatures', () => {
  it('never reach a file of the workspace (manifests keep URLs without query strings); frames still arrive', async () => {
    const { ws, cfg } = makeLcoWorkspace({ url: archive.url, tokenEnv: ENV, proposals: ['KEY2025-004'] });
    const r = await runLcoDataManagement(cfg);
    expect(r.status).toBe('succeeded');
    expect(r.thisRun.new).toBeGreaterThan(0);
    const manifests = walk(path.join(ws, 'logs', 'lco', 'manifests'));
    expect(manifests).toHaveLength(1);
    const m = JSON.parse(readFileSync(manifests[0], 'utf8')) as { frames: Array<{ url: string }> };
    expect(m.frames.length).toBe(r.thisRun.new);
    for (const f of m.frames) expect(f.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/download\/\d+\/[^?]+$/);
    const withSig = walk(ws).filter((f) => statSync(f).isFile() && readFileSync(f).includes(Buffer.from('X-Sig=')));
    expect(withSig).toEqual([]);
  });
});

describe('URLs that are not http(s)', () => {
  it("a file:// URL from the archive is refused before any read, and named 'file:///etc/passwd', not 'null/etc/passwd'", async () => {
    const victim = archive.frames.find((f) => f.record.configuration_type === 'EXPOSE')?.record as {
      id: number;
      filename: string;
    };
    archive.setFaults([{ kind: 'wrong-url', path: `^/download/${victim.id}/` }]);
    const records = await client().search({});
    archive.setFaults([]);
    expect(records.find((r) => r.id === victim.id)?.url).toBe('file:///etc/passwd');
    const dir = tmp();
    const d = new Downloader({ cacheDir: path.join(dir, 'cache'), dataRoot: path.join(dir, 'data') });
    const result = await d.fetchAll(client().toDownloadItems(records));
    await d.close();
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatchObject({ code: 'E_INVALID_ARGUMENT', attempts: 0 });
    expect(result.failed[0].message).toBe(
      "download file:///etc/passwd: unsupported URL scheme 'file:' (only http: and https:)",
    );
    expect(displayUrl('file:///etc/passwd')).toBe('file:///etc/passwd');
    expect(displayUrl('https://user:pw@example.org/a/b?X-Amz-Signature=1')).toBe('https://example.org/a/b');
  });
});

describe('many items on one abort signal', () => {
  it('120 downloads with a signal: no MaxListenersExceededWarning, one listener left on the caller signal at most', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    const controller = new AbortController();
    const dir = tmp();
    const items: DownloadItem[] = Array.from({ length: 120 }, (_, i) => blobItem(`b${i}`));
    const d = new Downloader({
      cacheDir: path.join(dir, 'cache'),
      signal: controller.signal,
      policy: { maxConnections: 4, maxPerHost: 4 },
    });
    const result = await d.fetchAll(items);
    await d.close();
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    process.off('warning', onWarning);
    expect(result.failed).toEqual([]);
    expect(result.ok).toHaveLength(120);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});

function blobItem(name: string): DownloadItem {
  const b = archive.blobInfo(name);
  return { url: b.url, size: b.size, sha256: b.sha256 };
}

describe('Retry-After scope (policy data)', () => {
  async function sequentialWith429(
    scope: 'host' | 'url',
  ): Promise<{ first429: number; othersAt: number[]; retryAt: number; otherBeforeRetry: boolean; paths: string[] }> {
    const names = ['b0', 'b1', 'b2'];
    archive.setFaults([{ kind: '429', path: '^/blobs/b0$', times: 1, retryAfterSeconds: 2 }]);
    archive.requests.length = 0;
    const dir = tmp();
    const d = new Downloader({
      cacheDir: path.join(dir, 'cache'),
      policy: { maxConnections: 1, maxPerHost: 1, retry: { retryAfterScope: scope } },
    });
    const result = await d.fetchAll(names.map(blobItem));
    await d.close();
    archive.setFaults([]);
    expect(result.failed).toEqual([]);
    const b0 = archive.requests.filter((q) => q.path === '/blobs/b0');
    expect(b0.map((q) => q.status)).toEqual([429, 200]);
    const others = archive.requests.filter((q) => q.path === '/blobs/b1' || q.path === '/blobs/b2');
    return {
      first429: b0[0].at,
      retryAt: b0[1].at,
      othersAt: others.map((q) => q.at),
      otherBeforeRetry: archive.requests.indexOf(others[0]) < archive.requests.indexOf(b0[1]),
      paths: archive.requests.map((q) => q.path),
    };
  }

  it("'host' (default): a 429 holds every request to the host for Retry-After", async () => {
    const r = await sequentialWith429('host');
    // One connection: requests leave in batch order, whichever cache check returned first.
    expect(r.paths).toEqual(['/blobs/b0', '/blobs/b1', '/blobs/b2', '/blobs/b0']); // the retry queues behind
    for (const t of r.othersAt) expect(t).toBeGreaterThanOrEqual(r.first429 + 2000 - 5);
  });

  it("'url': only the throttled URL waits; the others go first", async () => {
    const r = await sequentialWith429('url');
    expect(r.otherBeforeRetry).toBe(true);
    expect(r.retryAt).toBeGreaterThanOrEqual(r.first429 + 2000 - 5);
  });

  it('an unknown scope is refused, naming the field', () => {
    expect(
      () => new Downloader({ cacheDir: tmp(), policy: { retry: { retryAfterScope: 'everything' as 'host' } } }),
    ).toThrow(/policy\.retry\.retryAfterScope/);
  });
});

describe('`public` as a config field', () => {
  function frameQueries(): string[] {
    return archive.requests
      .filter((q) => q.path === '/frames/')
      .map((q) => new URLSearchParams(q.search).get('public') ?? '(absent)');
  }

  it("defaults to false (the seed's value), is sent as configured, and is validated", async () => {
    const plain = makeLcoWorkspace({ url: archive.url, tokenEnv: ENV, proposals: ['KEY2025-004'] });
    archive.requests.length = 0;
    await runLcoDataManagement(plain.cfg);
    expect(new Set(frameQueries())).toEqual(new Set(['false']));

    const pub = makeLcoWorkspace({
      url: archive.url,
      tokenEnv: ENV,
      proposals: ['KEY2025-004'],
      archiveExtra: ['public: true'],
    });
    archive.requests.length = 0;
    await runLcoDataManagement(pub.cfg);
    expect(new Set(frameQueries())).toEqual(new Set(['true']));

    const bad = makeLcoWorkspace({ url: archive.url, tokenEnv: ENV, archiveExtra: ["public: 'yes'"] });
    const err = await runLcoDataManagement(bad.cfg).then(
      () => new Error('expected a config error'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/data_download\.yaml:\d+:\d+ archives\.lco\.public: /);
  });
});
