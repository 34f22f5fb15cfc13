'use strict';
/**
 * Scale-out (issue 18): the cost of running units as BullMQ jobs on `stagebook worker` processes
 * (ephemeral loopback redis-server) against running them in-process, with the same pipeline
 * (test/fixtures/scale-out/pipeline.js, stage `shout`, end level L0):
 * - trivial units (read a line, write it upper-cased): per-unit overhead = (BullMQ - in-process) / N,
 *   pipelined (the control node keeps every unit submitted, 1 worker with concurrency 8) and one
 *   unit at a time (inFlight 1, worker concurrency 1: the round-trip latency). Target < 5 ms/unit;
 * - CPU-bound units (spinMs each): 2 workers against 1 worker (concurrency 1 each). Target >= 1.8x.
 * The machine is shared: the load average at each measurement is in its row's note.
 * Each measurement is its own child process (`node bench/scale-out.bench.js --child ...`).
 */
const { spawn } = require('node:child_process');
const { mkdirSync, mkdtempSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runNode, best, emit, report } = require('./lib/harness');

const root = path.join(__dirname, '..');
const PIPELINE = path.join(root, 'test/fixtures/scale-out/pipeline.js');
const BIN = path.join(root, 'kernel-lib/bin/stagebook.js');

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
}

function startWorker(url, concurrency, name) {
  return new Promise((resolve, reject) => {
    const c = spawn(
      process.execPath,
      [BIN, 'worker', '--redis', url, '--queues', 'bench', '--concurrency', String(concurrency), '--name', name],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let text = '';
    c.stderr.on('data', (d) => {
      text += d;
      if (/taking units/.test(text)) resolve(c);
    });
    c.on('exit', (code) => reject(new Error(`worker exited ${code}: ${text}`)));
  });
}

async function child() {
  const { makeStagebookConfig, runPipeline } = require('stagebook');
  const { startRedisServer } = require('stagebook/testing');
  const { pipeline } = require(PIPELINE);
  const mode = arg('mode');
  const units = Number(arg('units'));
  const spinMs = Number(arg('spin', '0'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-scale-'));
  mkdirSync(path.join(dir, 'ws/incoming'), { recursive: true });
  for (let i = 0; i < units; i++)
    writeFileSync(path.join(dir, 'ws/incoming', `u${String(i).padStart(4, '0')}.txt`), `unit ${i}\n`);
  let redis;
  const workers = [];
  const config = { root: 'ws', inputs: { pattern: '*.txt' }, stages: { shout: { spinMs } } };
  if (mode === 'bullmq') {
    redis = await startRedisServer();
    for (let i = 0; i < Number(arg('workers')); i++)
      workers.push(await startWorker(redis.url, Number(arg('concurrency')), `b${i}`));
    config.executor = { kind: 'bullmq', redis: redis.url, queue: 'bench', inFlight: Number(arg('inflight', '256')) };
  } else config.engine = { concurrency: Number(arg('concurrency', '1')) };
  const cfg = makeStagebookConfig(config, dir);
  const run = async () => {
    const r = await runPipeline(pipeline, cfg, {
      endLevel: 'L0',
      force: true,
      pipelineModule: PIPELINE,
      events: { emit() {} },
    });
    if (r.status !== 'succeeded' || r.counts.succeeded !== units)
      throw new Error(`run ${r.status}: ${JSON.stringify(r.counts)}`);
  };
  await run(); // warm-up: workers load the pipeline, the ledger exists
  const [seconds] = await best(run, Number(arg('repeats', '3')));
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
  if (redis) await redis.dispose();
  emit({ seconds, load: os.loadavg()[0] });
}

function measure(args) {
  return runNode(__filename, ['--child', ...args]);
}

async function main() {
  const N = 200;
  const rows = [];
  const inproc = measure(['--mode', 'inproc', '--units', String(N)]);
  const piped = measure(['--mode', 'bullmq', '--units', String(N), '--workers', '1', '--concurrency', '8']);
  const serial = measure([
    '--mode',
    'bullmq',
    '--units',
    String(N),
    '--workers',
    '1',
    '--concurrency',
    '1',
    '--inflight',
    '1',
  ]);
  const perUnit = (r) => ((r.seconds - inproc.seconds) / N) * 1000;
  rows.push({
    kernel: 'trivial units: BullMQ (1 worker x8, pipelined) vs in-process',
    size: `${N} units`,
    ours_s: piped.seconds,
    ref_s: inproc.seconds,
    ref_name: 'in-process (concurrency 1)',
    ours_peak_mb: piped.peak_rss_mb,
    ref_peak_mb: inproc.peak_rss_mb,
    target: 'overhead < 5 ms/unit',
    note: `overhead ${perUnit(piped).toFixed(2)} ms/unit; load avg ${piped.load.toFixed(1)}`,
  });
  rows.push({
    kernel: 'trivial units: BullMQ one at a time (inFlight 1, 1 worker x1) vs in-process',
    size: `${N} units`,
    ours_s: serial.seconds,
    ref_s: inproc.seconds,
    ref_name: 'in-process (concurrency 1)',
    ours_peak_mb: serial.peak_rss_mb,
    ref_peak_mb: inproc.peak_rss_mb,
    target: 'overhead < 5 ms/unit',
    note: `round trip ${perUnit(serial).toFixed(2)} ms/unit; load avg ${serial.load.toFixed(1)}`,
  });
  const C = 16;
  const SPIN = 250;
  const one = measure([
    '--mode',
    'bullmq',
    '--units',
    String(C),
    '--spin',
    String(SPIN),
    '--workers',
    '1',
    '--concurrency',
    '1',
    '--repeats',
    '1',
  ]);
  const two = measure([
    '--mode',
    'bullmq',
    '--units',
    String(C),
    '--spin',
    String(SPIN),
    '--workers',
    '2',
    '--concurrency',
    '1',
    '--repeats',
    '1',
  ]);
  rows.push({
    kernel: 'CPU-bound units: 2 workers vs 1 worker',
    size: `${C} units x ${SPIN} ms CPU`,
    ours_s: two.seconds,
    ref_s: one.seconds,
    ref_name: '1 worker',
    ours_peak_mb: two.peak_rss_mb,
    ref_peak_mb: one.peak_rss_mb,
    target: 'speed-up >= 1.8x (ratio <= 0.556)',
    note: `speed-up ${(one.seconds / two.seconds).toFixed(2)}x on 2 cores; load avg ${one.load.toFixed(1)} / ${two.load.toFixed(1)} (other builds share the cores)`,
  });
  report('scale-out', rows);
}

if (process.argv.includes('--child'))
  child().catch((e) => {
    console.error(e);
    process.exit(1);
  });
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
