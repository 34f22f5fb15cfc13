// Kill -9 mid-download, then re-run: completed files are not downloaded again, the partial file
// resumes with Range, and the result is intact. Uses kernel-lib/dist (build first:
// npx tsc -p kernel-lib/tsconfig.build.json) because the downloader runs in a child process.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalArchive, type LocalArchive } from '../kernel-lib/src/local-archive';

const DIST = path.resolve(__dirname, '../kernel-lib/dist/index.js');
const BIG = 8 << 20;
let archive: LocalArchive;
let dir: string;
let script: string;

beforeAll(async () => {
  archive = await startLocalArchive({
    blobs: [{ name: 'big.bin', size: BIG }],
    synthetic: { nights: 2, framesPerNight: 3 },
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'sb-resume-'));
  const big = archive.blobInfo('big.bin');
  const items = [
    ...archive.frames.map((f) => ({
      url: `${archive.url}download/${f.record.id}/${f.record.filename}`,
      dest: f.record.filename,
      md5: f.md5,
    })),
    { url: big.url, dest: 'big.bin', sha256: big.sha256, size: big.size },
  ];
  writeFileSync(path.join(dir, 'items.json'), JSON.stringify(items));
  script = path.join(dir, 'child.js');
  writeFileSync(
    script,
    `
const sb = require(${JSON.stringify(DIST)});
const path = require('node:path');
const dir = ${JSON.stringify(dir)};
(async () => {
  const ledger = sb.Ledger.open(path.join(dir, 'ledger.db'));
  const d = new sb.Downloader({ cacheDir: path.join(dir, 'cache'), dataRoot: path.join(dir, 'data'), ledger, policy: { retry: { baseDelayMs: 10 } } });
  const r = await d.fetchAll(require(path.join(dir, 'items.json')));
  await d.close();
  ledger.close();
  console.log(JSON.stringify({ ok: r.ok.length, failed: r.failed.length, resumed: r.ok.filter((f) => f.resumedFrom > 0).length, cached: r.ok.filter((f) => f.fromCache).length }));
})();
`,
  );
});
afterAll(async () => archive.close());

function runChild(): { done: Promise<{ code: number | null; out: string }>; kill: () => void } {
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out })),
  );
  return { done, kill: () => child.kill('SIGKILL') };
}

function doneMarkers(): number {
  const root = path.join(dir, 'cache', 'done');
  if (!existsSync(root)) return 0;
  return readdirSync(root).reduce((n, h) => n + readdirSync(path.join(root, h)).length, 0);
}

describe('kill and resume', () => {
  it('resumes the partial file and skips completed ones', async () => {
    expect(existsSync(DIST)).toBe(true);
    archive.setFaults([{ kind: 'slow', path: '^/blobs/', times: 99, bytesPerSecond: 2 << 20 }]);
    const first = runChild();
    const t0 = Date.now();
    while (Date.now() - t0 < 120_000 && !(doneMarkers() === archive.frames.length && archive.stats.bytes > 2 << 20))
      await new Promise((r) => setTimeout(r, 50));
    first.kill();
    const killed = await first.done;
    expect(killed.code).toBe(null); // killed, not finished
    const parts = readdirSync(path.join(dir, 'cache', 'data'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.part'));
    expect(parts).toHaveLength(1);
    const partSize = statSync(path.join(dir, 'cache', 'data', parts[0])).size;
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(BIG);

    archive.setFaults([]);
    archive.requests.length = 0;
    const second = await runChild().done;
    expect(second.code).toBe(0);
    const summary = JSON.parse(second.out.trim().split('\n').pop() as string);
    expect(summary).toEqual({ ok: archive.frames.length + 1, failed: 0, resumed: 1, cached: archive.frames.length });
    expect(archive.count(/^\/download\//)).toBe(0);
    const blobReqs = archive.requests.filter((r) => r.path === '/blobs/big.bin');
    expect(blobReqs).toHaveLength(1);
    expect(blobReqs[0].range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(blobReqs[0].range as string)?.[0])).toBeGreaterThan(0);
    expect(blobReqs[0].bytes).toBeLessThan(BIG);
    const bytes = readFileSync(path.join(dir, 'data', 'big.bin'));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(archive.blobInfo('big.bin').sha256);

    archive.requests.length = 0;
    const third = await runChild().done;
    expect(JSON.parse(third.out.trim().split('\n').pop() as string).cached).toBe(archive.frames.length + 1);
    expect(archive.count(/^\/(download|blobs)\//)).toBe(0);
  });
});
