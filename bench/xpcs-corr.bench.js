'use strict';
/**
 * XPCS corr engine at scale (issue 20), side by side in one run:
 *  - streaming multi-tau (xpcsCorrStream through correlateXpcsFile({stream})) on one generated
 *    sparse IMM file (square detector, 1% fill, labelled disc of radius H/2, dpl 4), correlated up
 *    to each frame count of XPCS_BENCH_FRAMES (data_end_todo): wall and CPU seconds, peak RSS
 *    (must stay under 1.5 GB whatever the frames), frames/s and MB/s, against `cat file > /dev/null`
 *    on the same file in the same run. As root the page cache is dropped before our run and before
 *    cat (both read from disk; stated in the row), else the row says the cache was warm.
 *    The file is generated once (kept in XPCS_BENCH_DIR when given) and deleted at the end.
 *  - dense path: xpcsCorr (float64, preprocessing then the per-pixel kernel) vs the WebAssembly
 *    integer kernel xpcsMultiTau and a C -O3 port of corr's dense multiTau2 on the same uint16
 *    stack: time per pixel-lag, frames/s, MB/s, and that all give the same g2.
 * Usage: node bench/xpcs-corr.bench.js        (suite; XPCS_BENCH_SIZE, XPCS_BENCH_FRAMES, XPCS_BENCH_THREADS)
 *        node bench/xpcs-corr.bench.js child <what> ...
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { runNode, best, emit, report } = require('./lib/harness');

const DIST = path.join(__dirname, '..', 'kernel-lib', 'dist');
const SIZE = Number(process.env.XPCS_BENCH_SIZE ?? 1024);
const FRAMES = (process.env.XPCS_BENCH_FRAMES ?? '10000,100000').split(',').map(Number);
const THREADS = Number(process.env.XPCS_BENCH_THREADS ?? 1);
/** XPCS_BENCH_DENSE=0 skips the dense rows; XPCS_BENCH_APPEND=1 keeps the rows of an earlier run (one frame count per run). */
const DENSE = process.env.XPCS_BENCH_DENSE !== '0';
// The state budget: with the batch buffers (about 78 MiB per worker share), the router and Node
// itself the peak RSS stays under 1.5 GB (1.5e9 bytes = 1430 MiB; RSS is reported in MiB): 1394 MiB
// at 10^5 frames. 1 GiB gave 1496 MiB once a kernel batch became two hand-over messages; 928 MiB
// keeps the same pass counts (2 at 10^4 frames, 3 at 10^5).
const BUDGET = 928 * 2 ** 20;
const FILL = 0.01;

/** Writes a sparse IMM (seeded LCG, 1% of pixels per frame with 1..4 counts) frame by frame. */
function generateImm(imm, H, T) {
  const { encodeImmHeader, defaultImmHeader } = require(path.join(DIST, 'formats/imm'));
  const fd = fs.openSync(imm + '.part', 'w');
  const nnz = Math.round(H * H * FILL);
  let s = 12345;
  const hb = new Uint8Array(1024);
  const mark = new Uint8Array(H * H);
  const idx = new Uint32Array(nnz);
  const val = new Uint16Array(nnz);
  for (let t = 0; t < T; t++) {
    let n = 0;
    while (n < nnz) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const p = Math.floor((s / 4294967296) * H * H); // high bits: an LCG's low bits cycle every 2^k draws
      if (!mark[p]) {
        mark[p] = 1;
        idx[n++] = p;
      }
    }
    idx.sort();
    for (let k = 0; k < nnz; k++) {
      mark[idx[k]] = 0;
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      val[k] = 1 + (s >>> 30);
    }
    encodeImmHeader({ ...defaultImmHeader(H, H, t), compression: 6, dlen: nnz, elapsed: t * 0.001, corecotick: t }, hb);
    fs.writeSync(fd, hb);
    fs.writeSync(fd, new Uint8Array(idx.buffer));
    fs.writeSync(fd, new Uint8Array(val.buffer));
  }
  fs.closeSync(fd);
  fs.renameSync(imm + '.part', imm);
}

/** The dynamic q map: a disc of radius H/2 in 10 rings (0 outside: unlabelled). */
function discQmap(H) {
  return Int32Array.from({ length: H * H }, (_, p) => {
    const r = Math.hypot(Math.floor(p / H) - H / 2, (p % H) - H / 2);
    return r < H / 2 ? 1 + Math.floor(r / (H / 20)) : 0;
  });
}

/** The corr configuration correlating frames 1..T of `imm`. */
async function writeConfig(dir, imm, H, T) {
  const { writeXpcsLegacyConfig } = require(path.join(DIST, 'formats/xpcs'));
  const dq = discQmap(H);
  const cfg = path.join(dir, `sparse_${H}_${T}.hdf`);
  await writeXpcsLegacyConfig(cfg, {
    dqmap: dq,
    sqmap: dq,
    shape: [H, H],
    delaysPerLevel: 4,
    dataBegin: 1,
    dataEnd: T,
    inputFileLocal: path.basename(imm),
  });
  return cfg;
}

async function childStream(cfg, threads) {
  const { correlateXpcsFile } = require(path.join(DIST, 'pipelines/xpcs/corr-file.js'));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const stream = { memoryBudgetBytes: BUDGET, threads: Number(threads) };
  const r = await correlateXpcsFile(cfg, { output: null, stream });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  emit({
    seconds,
    cpu_s: (cpu.user + cpu.system) / 1e6,
    passes: r.result.passes,
    block: r.result.blockPixels,
    g2_00: r.result.datasets.get('norm-0-g2').data[0],
  });
}

function dense(T, H) {
  const data = new Uint16Array(T * H * H);
  let s = 7;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = (s >>> 29) + ((s >>> 20) & 1);
  }
  const dq = Array.from({ length: H * H }, (_, p) => 1 + (Math.floor(p / H) % 8));
  return { data, dq };
}

// A C -O3 port of corr's dense multiTau2 + normalizeG2s (one static bin per q here), in double:
// per pixel the series, level changes by pair averages, G2/IP/IF per delay (corr.cpp:316-430).
const C_CORR = `
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <math.h>
#include <time.h>
int main(int argc, char **argv) {
  int T = atoi(argv[2]), H = atoi(argv[3]), P = H * H, dpl = 4; char fn[4096];
  snprintf(fn, sizeof fn, "%s/dense.u16", argv[1]); FILE *f = fopen(fn, "rb");
  uint16_t *fr = malloc((size_t)T * P * 2); if (fread(fr, 2, (size_t)T * P, f) != (size_t)T * P) return 2; fclose(f);
  struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
  int lv[256], tau[256], nd = 0, lmax = T < 2 * dpl ? 0 : (int)floor(log2((double)T) - log2(1.0 + 1.0 / dpl)) - (int)log2((double)dpl);
  for (int L = 0, last = 0; L <= lmax; L++) for (int j = 0, st = 1 << L; j < (L ? dpl : 2 * dpl); j++) {
    if (last + 2 * st > T) break; last += st; lv[nd] = L; tau[nd++] = last >> L; }
  double *G = calloc((size_t)nd * 8, 8), *I = calloc((size_t)nd * 8, 8), *F = calloc((size_t)nd * 8, 8), *x = malloc((size_t)T * 8);
  int npx[8] = {0};
  for (int p = 0; p < P; p++) {
    int q = (p / H) % 8; npx[q]++;
    for (int t = 0; t < T; t++) x[t] = fr[(size_t)t * P + p];
    int last = T, ll = 0;
    for (int d = 0; d < nd; d++) {
      if (lv[d] != ll) { if (last % 2) last--; last /= 2; for (int k = 0; k < last; k++) x[k] = 0.5 * (x[2 * k] + x[2 * k + 1]); ll = lv[d]; }
      int n = last - tau[d]; double g = 0, ip = 0, fi = 0;
      for (int t = 0; t < n; t++) { g += x[t] * x[t + tau[d]]; ip += x[t]; fi += x[t + tau[d]]; }
      if (n > 0) { g /= n; ip /= n; fi /= n; }
      G[d * 8 + q] += g; I[d * 8 + q] += ip; F[d * 8 + q] += fi;
    }
  }
  double sum = 0;
  for (int d = 0; d < nd; d++) for (int q = 0; q < 8; q++) { double n = npx[q], v = G[d * 8 + q] / n / ((I[d * 8 + q] / n) * (F[d * 8 + q] / n)); if (!isnan(v)) sum += v; }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("{\\"seconds\\": %.6f, \\"g2sum\\": %.12f}\\n", (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec), sum);
  return 0;
}
`;

/** Compiles and runs the C port on the dense stack (best of 3); null without gcc. */
function runCorrC(dir, T, H) {
  fs.writeFileSync(path.join(dir, 'dense.u16'), dense(T, H).data);
  fs.writeFileSync(path.join(dir, 'corr.c'), C_CORR);
  const exe = path.join(dir, 'corr');
  const cc = spawnSync('gcc', ['-O3', '-march=native', '-o', exe, path.join(dir, 'corr.c'), '-lm'], {
    encoding: 'utf8',
  });
  if (cc.status !== 0) return null;
  let out = null;
  for (let i = 0; i < 3; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', exe, dir, String(T), String(H)], { encoding: 'utf8' });
    const o = JSON.parse(r.stdout.trim().split('\n').pop());
    o.peak_rss_mb = Number(r.stderr.trim().split('\n').pop() || '0') / 1024 || null;
    if (!out || o.seconds < out.seconds) out = o;
  }
  return out;
}

/** The float path after preprocessing: the preprocessed series -> per-pixel sums -> g2 (xpcsCorr's steps). */
function floatAfterPreprocessing(data, dq, T, H) {
  const req = (m) => require(path.join(DIST, 'numeric/xpcs', m));
  const s = req('corr-settings').parseXpcsCorrSettings('bench', {
    shape: [H, H],
    dqmap: dq,
    sqmap: dq,
    dataBeginTodo: 1,
    dataEndTodo: T,
    delaysPerLevel: 4,
    staticMeanWindowSize: 10,
    normFactor: null,
  });
  const bins = req('corr-bins').buildCorrBins('bench', s);
  const series = new (req('corr-dense').DenseCorrSeries)(bins, T);
  const frames = Array.from({ length: T }, (_, t) => ({
    elapsed: t,
    tick: t,
    dense: data.subarray(t * H * H, (t + 1) * H * H),
  }));
  const src = new (req('corr-source').ArrayCorrSource)(false, frames);
  req('corr-filter').runCorrFilter('bench', s, bins, src, (f, p, v, n) => series.add(f, p, v, n));
  const delays = req('corr').corrDelays(T, 4);
  return () => {
    const sums = series.sums(delays);
    return req('corr-multitau').corrNormalize(sums, series.slotOf, bins, delays.length, false).g2;
  };
}

async function childDense(which, T, H) {
  const xp = require(path.join(DIST, 'numeric/xpcs'));
  const { data, dq } = dense(T, H);
  let g2;
  const after = which === 'float' ? floatAfterPreprocessing(data, dq, T, H) : null;
  const [seconds] = await best(() => {
    if (after) g2 = Array.from(after());
    else if (which === 'wasm')
      g2 = xp
        .xpcsMultiTau({ data, shape: [T, H, H] }, dq, dq, { delaysPerLevel: 4 })
        .g2.map((r) => Array.from(r))
        .flat();
    else {
      const frames = Array.from({ length: T }, (_, t) => ({
        elapsed: t,
        tick: t,
        dense: data.subarray(t * H * H, (t + 1) * H * H),
      }));
      const r = xp.xpcsCorr(new xp.ArrayCorrSource(false, frames), {
        shape: [H, H],
        dqmap: dq,
        sqmap: dq,
        dataBeginTodo: 1,
        dataEndTodo: T,
        delaysPerLevel: 4,
        staticMeanWindowSize: 10,
        normFactor: null,
      });
      g2 = Array.from(r.datasets.get('norm-0-g2').data);
    }
  }, 5);
  emit({ seconds, g2sum: g2.reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0) });
}

/** Drops the page cache (root only): the next read of the file comes from disk. */
function dropCache() {
  try {
    spawnSync('sync');
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

function catSeconds(file) {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', `cat '${file}' > /dev/null`]);
  if (r.status !== 0) throw new Error(`cat failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

/**
 * Compiles the floor under any streamed per-pixel correlation (bench/xpcs-stream-floor.c: read,
 * parse, route and one state update per event, gcc -O3) and writes its label mask (the q map's
 * labelled pixels), once per suite run; null without gcc.
 */
function buildFloor(dir) {
  const exe = path.join(dir, 'xpcs-stream-floor');
  const src = path.join(__dirname, 'xpcs-stream-floor.c');
  const cc = spawnSync('gcc', ['-O3', '-march=native', '-pthread', '-o', exe, src], { encoding: 'utf8' });
  if (cc.status !== 0) return null;
  const labels = path.join(dir, 'labels.u8');
  fs.writeFileSync(
    labels,
    Uint8Array.from(discQmap(SIZE), (q) => (q > 0 ? 1 : 0)),
  );
  return { exe, labels };
}

/** The floor's time on the first T frames with `threads` threads: its faster mode of two, best of 2 each. */
function floorSeconds(floor, imm, T, threads) {
  let out = null;
  for (const mode of ['direct', 'sorted', 'direct', 'sorted']) {
    const r = spawnSync(floor.exe, [imm, String(T), floor.labels, String(threads), mode], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`xpcs-stream-floor failed: ${r.stderr}`);
    const o = { ...JSON.parse(r.stdout.trim()), mode };
    if (!out || o.seconds < out.seconds) out = o;
  }
  return out;
}

/** Bytes of the first T frames of a sparse IMM (headers + payloads). */
function bytesOfFrames(imm, T) {
  const { ImmSource } = require(path.join(DIST, 'formats/imm/source'));
  const src = new ImmSource('bench', imm);
  const locs = src.scan();
  src.close();
  return T < locs.length ? locs[T].offset : fs.statSync(imm).size;
}

async function streamRows(dir, rows, load) {
  const maxT = Math.max(...FRAMES);
  const imm = path.join(dir, `sparse_${SIZE}_${maxT}.imm`);
  if (!fs.existsSync(imm)) generateImm(imm, SIZE, maxT);
  const total = fs.statSync(imm).size;
  const floorTool = buildFloor(dir);
  for (const T of FRAMES) {
    const cfg = await writeConfig(dir, imm, SIZE, T);
    const cold = dropCache();
    const ours = runNode(__filename, ['child', 'stream', cfg, String(THREADS)]);
    dropCache();
    const cat = catSeconds(imm);
    const mb = bytesOfFrames(imm, T) / 1e6;
    const catT = (cat * mb * 1e6) / total;
    const floor = floorTool && floorSeconds(floorTool, imm, T, THREADS); // after cat: the file is in page cache
    const cache = cold ? 'page cache dropped before each' : 'page cache warm (not root)';
    const base = {
      kernel: `xpcsCorrStream (streaming multi-tau, sparse IMM, ${THREADS} thread(s))`,
      size: `${SIZE}x${SIZE}, 1% fill, ${T} frames, ${mb.toFixed(0)} MB`,
      ours_s: ours.seconds,
      ours_peak_mb: ours.peak_rss_mb,
      ref_peak_mb: null,
    };
    if (floor) {
      // Wall time x threads per event: the threads' time, each thread busy for the whole run.
      const ns = ((floor.seconds / floor.events) * 1e9 * THREADS).toFixed(1);
      const verdict =
        floor.seconds > catT
          ? "no correlation that touches each event's pixel once can keep up"
          : "a correlation touching each event's pixel once could keep up";
      rows.push({
        ...base,
        ref_s: floor.seconds,
        ref_name: `C floor: read + route + 1 state update per event (gcc -O3, ${THREADS} thread(s), file in page cache)`,
        target: '',
        note: `floor ${floor.seconds.toFixed(2)} s (${floor.mode} mode, ${ns} ns of thread time per event over ${floor.events} events) = ${(floor.seconds / catT).toFixed(2)}x cat ${catT.toFixed(2)} s: ${verdict} with this disk on ${THREADS} thread(s)`,
      });
    }
    rows.push({
      ...base,
      ref_s: catT,
      ref_name: `cat file > /dev/null, same bytes (${cache})`,
      target: 'peak RSS < 1.5 GB whatever the frames; throughput >= cat',
      note: `${(T / ours.seconds).toFixed(0)} frames/s, ${(mb / ours.seconds).toFixed(1)} MB/s (cat ${(total / 1e6 / cat).toFixed(0)} MB/s over ${(total / 1e9).toFixed(2)} GB); CPU ${ours.cpu_s.toFixed(1)} s; ${ours.passes} pass(es) of ${ours.block} pixels; load avg ${load()}`,
    });
  }
  if (!process.env.XPCS_BENCH_KEEP) fs.rmSync(imm);
}

async function suite() {
  const dir = process.env.XPCS_BENCH_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'xpcs-corr-bench-'));
  const rows = [];
  const load = () => os.loadavg()[0].toFixed(1);
  try {
    if (FRAMES.length && FRAMES[0] > 0) await streamRows(dir, rows, load);
    if (DENSE) denseRows(dir, rows, load);
  } finally {
    if (!process.env.XPCS_BENCH_DIR) fs.rmSync(dir, { recursive: true, force: true });
  }
  const earlier = process.env.XPCS_BENCH_APPEND ? readEarlier(rows) : [];
  report('xpcs-corr', [...earlier, ...rows]);
}

/** Rows of the previous results file that this run did not measure again. */
function readEarlier(rows) {
  const file = path.join(__dirname, 'results', 'xpcs-corr.json');
  if (!fs.existsSync(file)) return [];
  const seen = new Set(rows.map((r) => `${r.kernel}|${r.size}|${r.ref_name}`));
  return JSON.parse(fs.readFileSync(file, 'utf8')).rows.filter((r) => !seen.has(`${r.kernel}|${r.size}|${r.ref_name}`));
}

function denseRows(dir, rows, load) {
  const [T, H] = [1000, 64];
  const wasm = runNode(__filename, ['child', 'dense', 'wasm', String(T), String(H)]);
  const ts = runNode(__filename, ['child', 'dense', 'ts', String(T), String(H)]);
  const fl = runNode(__filename, ['child', 'dense', 'float', String(T), String(H)]);
  const c = runCorrC(dir, T, H);
  const nd = require(path.join(DIST, 'numeric/xpcs/corr.js')).corrDelays(T, 4).length;
  const pixelLags = H * H * nd;
  const mb = (T * H * H * 2) / 1e6;
  const rate = (r) => `${(T / r.seconds).toFixed(0)} frames/s, ${(mb / r.seconds).toFixed(0)} MB/s`;
  const size = `${T}x${H}x${H} u16 (${mb.toFixed(1)} MB), dpl 4, ${nd} delays`;
  const ns = (r) => ((r.seconds / pixelLags) * 1e9).toFixed(0);
  rows.push({
    kernel: 'dense float64 path after preprocessing (series -> wasm per-pixel kernel -> g2)',
    size,
    ours_s: fl.seconds,
    ref_s: wasm.seconds,
    ref_name: 'xpcsMultiTau integer path (wasm)',
    ours_peak_mb: fl.peak_rss_mb,
    ref_peak_mb: wasm.peak_rss_mb,
    target: 'within 1.5x per pixel-lag',
    note: `${ns(fl)} vs ${ns(wasm)} ns per pixel-lag; ours ${rate(fl)}, integer ${rate(wasm)}; g2 sums ${fl.g2sum.toFixed(9)} / ${wasm.g2sum.toFixed(9)}; load avg ${load()}`,
  });
  rows.push({
    kernel: 'xpcsCorr dense float64 path (preprocessing + wasm per-pixel kernel)',
    size,
    ours_s: ts.seconds,
    ref_s: wasm.seconds,
    ref_name: 'xpcsMultiTau integer path (wasm)',
    ours_peak_mb: ts.peak_rss_mb,
    ref_peak_mb: wasm.peak_rss_mb,
    target: '',
    note: `${ns(ts)} vs ${ns(wasm)} ns per pixel-lag (ours includes preprocessing in JS); ours ${rate(ts)}, integer ${rate(wasm)}; g2 sums ${ts.g2sum.toFixed(9)} / ${wasm.g2sum.toFixed(9)}; load avg ${load()}`,
  });
  if (c)
    rows.push({
      kernel: 'dense float64 path after preprocessing (series -> wasm per-pixel kernel -> g2)',
      size,
      ours_s: fl.seconds,
      ref_s: c.seconds,
      ref_name: "C -O3 port of corr's dense multiTau2 (gcc, 1 thread)",
      ours_peak_mb: fl.peak_rss_mb,
      ref_peak_mb: c.peak_rss_mb,
      target: '',
      note: `ours after preprocessing ${rate(fl)}, with preprocessing ${rate(ts)}; C ${rate(c)}; g2 sums ${fl.g2sum.toFixed(9)} / C ${c.g2sum.toFixed(9)}`,
    });
}

if (process.argv[2] === 'child') {
  const [what, ...args] = process.argv.slice(3);
  const run =
    what === 'stream'
      ? childStream(args[0], args[1])
      : what === 'gen'
        ? Promise.resolve(generateImm(args[0], Number(args[1]), Number(args[2])))
        : childDense(args[0], Number(args[1]), Number(args[2]));
  run.catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  suite().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
