'use strict';
/**
 * Downloader over loopback, 10 connections, against the local archive running in its own process:
 * - 1000 small FITS files (synthetic LCO frames, md5 verified, ledger row per URL),
 * - one 1 GiB file (sha256 verified, written to disk).
 * Reference ("server raw"): the server's own throughput as seen by a bare undici client with the same 10
 * connections that discards the bodies (no hashing, no disk, no ledger): the ceiling for any client.
 * Build first: npx tsc -p kernel-lib/tsconfig.build.json
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runNode, emit, report } = require('./lib/harness');

const GIB = 1 << 30;
const CONNECTIONS = 10;

async function serve() {
  const sb = require('stagebook/testing');
  const dataDir = process.argv[3];
  // 24 nights x (2 proposals x (20 science + 1 bias) + 1 spectrum) = 1032 frames
  const a = await sb.startLocalArchive({
    dataDir,
    synthetic: { nights: 24, framesPerNight: 20 },
    blobs: [{ name: 'gib.bin', size: GIB }],
  });
  const blob = a.blobInfo('gib.bin');
  const files = a.frames.slice(0, 1000).map((f) => ({
    url: `${a.url}download/${f.record.id}/${f.record.filename}`,
    dest: f.record.filename,
    md5: f.md5,
    size: f.size,
  }));
  fs.writeFileSync(
    path.join(dataDir, 'items.json'),
    JSON.stringify({ files, blob: { url: blob.url, dest: 'gib.bin', sha256: blob.sha256, size: blob.size } }),
  );
  process.stdout.write('READY\n');
  process.on('SIGTERM', () => a.close().then(() => process.exit(0)));
}

async function raw(items) {
  const { Agent, request } = require('undici');
  const agent = new Agent({ connections: CONNECTIONS });
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < items.length) {
      const it = items[next++];
      const res = await request(it.url, { dispatcher: agent });
      for await (const chunk of res.body) bytes += chunk.length;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(CONNECTIONS, items.length) }, worker));
  const s = (performance.now() - t0) / 1000;
  await agent.close();
  return { s, bytes };
}

async function ours(items, dir) {
  const sb = require('stagebook');
  const ledger = sb.Ledger.open(path.join(dir, 'ledger.db'));
  const d = new sb.Downloader({
    cacheDir: path.join(dir, 'cache'),
    dataRoot: path.join(dir, 'data'),
    ledger,
    policy: { maxConnections: CONNECTIONS, maxPerHost: CONNECTIONS },
  });
  const t0 = performance.now();
  const r = await d.fetchAll(items);
  const s = (performance.now() - t0) / 1000;
  await d.close();
  ledger.close();
  if (r.failed.length) throw new Error(`${r.failed.length} failed: ${r.failed[0].message}`);
  return { s, bytes: r.stats.bytes };
}

async function client() {
  const [, , , mode, which, dataDir] = process.argv;
  const { files, blob } = JSON.parse(fs.readFileSync(path.join(dataDir, 'items.json'), 'utf8'));
  const items = which === 'files' ? files : [blob];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-dl-'));
  try {
    const r = mode === 'raw' ? await raw(items) : await ours(items, dir);
    emit({ seconds: r.s, bytes: r.bytes, mb_per_s: r.bytes / r.s / 1e6 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-archive-'));
  const server = spawn(process.execPath, [__filename, '--serve', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    server.stdout.on('data', (d) => {
      if (String(d).includes('READY')) resolve();
    });
    server.on('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  const rows = [];
  try {
    for (const which of ['files', 'blob']) {
      const results = { raw: [], ours: [] };
      for (let rep = 0; rep < (which === 'files' ? 3 : 2); rep++) {
        for (const mode of ['raw', 'ours']) results[mode].push(runNode(__filename, ['--client', mode, which, dataDir]));
      }
      const best = (list) => list.reduce((a, b) => (b.seconds < a.seconds ? b : a));
      const r = best(results.raw);
      const o = best(results.ours);
      rows.push({
        kernel: which === 'files' ? 'download 1000 files (md5, ledger)' : 'download 1 GiB (sha256, disk)',
        size: which === 'files' ? `1000 x ~${Math.round(r.bytes / 1000)} B, 10 conn` : '1 GiB, 10 conn',
        ours_s: o.seconds,
        ref_s: r.seconds,
        ref_name: 'server raw (undici, discard)',
        ours_peak_mb: o.peak_rss_mb,
        ref_peak_mb: r.peak_rss_mb,
        note: `ours ${o.mb_per_s.toFixed(1)} MB/s, raw ${r.mb_per_s.toFixed(1)} MB/s`,
      });
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  report('download', rows);
}

if (process.argv[2] === '--serve') serve();
else if (process.argv[2] === '--client')
  client().catch((e) => {
    console.error(e);
    process.exit(1);
  });
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
