// Downloader against the local archive, one fault type at a time: every file arrives intact or is
// reported failed; truncated/corrupted bodies are caught; re-runs download nothing.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Downloader, type DownloadItem } from '../kernel-lib/src/acquisition';
import { LcoArchiveClient } from '../kernel-lib/src/archives';
import { resolveSecret } from '../kernel-lib/src/config/secrets';
import { Ledger } from '../kernel-lib/src/ledger/ledger';
import { DownloadRecorder } from '../kernel-lib/src/acquisition/record';
import { startLocalArchive, type FaultRule, type LocalArchive } from '../kernel-lib/src/local-archive';

const TOKEN = 'tok-7f3c9a1e5b2d4c6e8a0b1c2d3e4f5a6b';
let archive: LocalArchive;
let items: DownloadItem[];

const fast = { retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 5 }, stallTimeoutMs: 5000 };

beforeAll(async () => {
  archive = await startLocalArchive({ token: TOKEN, synthetic: { nights: 2, framesPerNight: 3 } });
  const client = new LcoArchiveClient({ url: archive.url, token: resolveSecret('T', { T: TOKEN }) });
  const records = (await client.search({})).filter((r) => !r.filename.includes('/'));
  items = client.toDownloadItems(records);
});
afterAll(async () => archive.close());

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'sb-acq-'));
}

async function run(
  faults: FaultRule[],
  policy: object = fast,
): Promise<{ result: Awaited<ReturnType<Downloader['fetchAll']>>; dir: string; d: Downloader }> {
  archive.setFaults(faults);
  const dir = tmp();
  const d = new Downloader({
    cacheDir: path.join(dir, 'cache'),
    dataRoot: path.join(dir, 'data'),
    policy,
    random: () => 0.5,
  });
  const result = await d.fetchAll(items);
  await d.close();
  return { result, dir, d };
}

function expectIntact(result: Awaited<ReturnType<Downloader['fetchAll']>>): void {
  for (const f of result.ok) {
    const bytes = readFileSync(f.path);
    const frame = archive.frames.find((x) => x.record.filename === f.item.dest) as { md5: string; size: number };
    expect(createHash('md5').update(bytes).digest('hex')).toBe(frame.md5);
    expect(bytes.length).toBe(frame.size);
    expect(readFileSync(f.dest as string).equals(bytes)).toBe(true);
  }
}

describe('downloader vs local archive faults', () => {
  it('clean run: every frame arrives with the archive md5', async () => {
    const { result } = await run([]);
    expect(result.failed).toEqual([]);
    expect(result.ok).toHaveLength(items.length);
    expectIntact(result);
  });

  for (const kind of ['429', '500', 'reset', 'truncate', 'corrupt'] as const) {
    it(`${kind} on the first request of every file: retried, all intact`, async () => {
      const { result } = await run([{ kind, times: 1, retryAfterSeconds: 0 }]);
      expect(result.failed).toEqual([]);
      expect(result.ok.every((f) => f.attempts === 2)).toBe(true);
      expectIntact(result);
    });
  }

  it('a truncated body is resumed with Range from where it stopped', async () => {
    archive.requests.length = 0;
    const { result } = await run([{ kind: 'truncate', times: 1, at: 0.5 }]);
    expect(result.failed).toEqual([]);
    // A cut connection may deliver nothing before the reset (then the retry restarts): most resume.
    const resumed = result.ok.filter((f) => f.resumedFrom > 0);
    expect(resumed.length).toBeGreaterThan(items.length / 2);
    const ranged = archive.requests.filter((r) => r.path.startsWith('/download/') && r.range?.startsWith('bytes='));
    expect(ranged.length).toBe(resumed.length);
    for (const f of resumed) expect(f.resumedFrom).toBeLessThan(f.size);
    const total = result.ok.reduce((a, f) => a + f.size, 0);
    const served = archive.requests.filter((r) => r.path.startsWith('/download/')).reduce((a, r) => a + r.bytes, 0);
    expect(served).toBeLessThan(total * 1.5 - resumed.reduce((a, f) => a + f.resumedFrom, 0) * 0.5);
    expectIntact(result);
  });

  it('429 honours Retry-After (the host waits at least that long)', async () => {
    const t0 = Date.now();
    const { result } = await run([{ kind: '429', times: 1, retryAfterSeconds: 1 }]);
    expect(result.failed).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('persistent corruption is reported failed, never delivered', async () => {
    const { result, dir } = await run([{ kind: 'corrupt', times: 99, path: '^/download/100[1-3]/' }], {
      ...fast,
      retry: { ...fast.retry, maxAttempts: 3 },
    });
    expect(result.failed.map((f) => f.code)).toEqual([
      'E_DOWNLOAD_CHECKSUM',
      'E_DOWNLOAD_CHECKSUM',
      'E_DOWNLOAD_CHECKSUM',
    ]);
    for (const f of result.failed) expect(existsSync(path.join(dir, 'data', f.item.dest as string))).toBe(false);
    expect(result.ok).toHaveLength(items.length - 3);
    expectIntact(result);
  });

  it('a wrong md5 from the archive: the file is reported failed (E_DOWNLOAD_CHECKSUM) and never placed', async () => {
    archive.setFaults([{ kind: 'wrong-md5', path: '^/download/1002/' }]);
    const client = new LcoArchiveClient({ url: archive.url, token: resolveSecret('T', { T: TOKEN }) });
    const lied = client.toDownloadItems((await client.search({})).filter((r) => !r.filename.includes('/')));
    const dir = tmp();
    const d = new Downloader({
      cacheDir: path.join(dir, 'cache'),
      dataRoot: path.join(dir, 'data'),
      policy: { ...fast, retry: { ...fast.retry, maxAttempts: 2 } },
    });
    const result = await d.fetchAll(lied);
    await d.close();
    expect(result.failed.map((f) => [f.code, f.item.dest])).toEqual([
      ['E_DOWNLOAD_CHECKSUM', archive.frames.find((f) => f.record.id === 1002)?.record.filename],
    ]);
    expect(existsSync(path.join(dir, 'data', result.failed[0].item.dest as string))).toBe(false);
    expectIntact(result);
  });

  it('slow bodies still arrive (and stall timeouts are retried)', async () => {
    const { result } = await run([{ kind: 'slow', times: 1, bytesPerSecond: 200_000, path: '^/download/100[1-2]/' }]);
    expect(result.failed).toEqual([]);
    expectIntact(result);
  });

  it('probabilistic mixed faults: every file intact or reported failed', async () => {
    const faults: FaultRule[] = [
      { kind: '500', probability: 0.2 },
      { kind: 'reset', probability: 0.15, at: 0.3 },
      { kind: 'truncate', probability: 0.15 },
      { kind: 'corrupt', probability: 0.1 },
    ];
    const { result } = await run(faults);
    expect(result.ok.length + result.failed.length).toBe(items.length);
    expectIntact(result);
  });

  it('records every URL in the ledger; a second run downloads nothing; retry(result) fetches only failures', async () => {
    archive.setFaults([{ kind: '500', times: 99, path: '^/download/1001/' }]);
    const dir = tmp();
    const ledger = Ledger.open(path.join(dir, 'ledger.db'));
    const d = new Downloader({
      cacheDir: path.join(dir, 'cache'),
      dataRoot: path.join(dir, 'data'),
      ledger,
      policy: { ...fast, retry: { ...fast.retry, maxAttempts: 2 } },
    });
    const first = await d.fetchAll(items);
    expect(first.failed).toHaveLength(1);
    const rows = new DownloadRecorder(ledger).list();
    expect(rows).toHaveLength(items.length);
    expect(rows.filter((r) => r.status === 'failed').map((r) => r.error_code)).toEqual(['E_DOWNLOAD_HTTP']);
    archive.setFaults([]);
    archive.requests.length = 0;
    const retried = await d.retry(first);
    expect(retried.failed).toEqual([]);
    expect(retried.ok).toHaveLength(items.length);
    expect(archive.count(/^\/download\//)).toBe(1);
    archive.requests.length = 0;
    const again = await d.fetchAll(items);
    expect(again.ok.every((f) => f.fromCache)).toBe(true);
    expect(archive.count(/^\/download\//)).toBe(0);
    expect(new DownloadRecorder(ledger).list('failed')).toEqual([]);
    await d.close();
    ledger.close();
  });
});
