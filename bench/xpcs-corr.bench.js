'use strict';
/**
 * XPCS corr engine at scale (issue 20), side by side in one run:
 *  - streaming multi-tau (xpcsCorrStream through correlateXpcsFile({stream})) on generated sparse
 *    IMM files (square detector, 1% fill, labelled disc of radius H/2, dpl 4) at two frame counts:
 *    wall and CPU seconds, peak RSS (must not grow with frames), frames/s and MB/s, against
 *    `cat file > /dev/null` on the same file in the same run (page cache warm: the file was just
 *    written; stated in the row). Sizes are set by XPCS_BENCH_SIZE / XPCS_BENCH_FRAMES.
 *  - dense path: xpcsCorr (TS float64, corr's per-pixel rows) vs the WebAssembly integer kernel
 *    xpcsMultiTau on the same uint16 stack, time per pixel-lag, and that both give the same g2.
 * Usage: node bench/xpcs-corr.bench.js        (suite)
 *        node bench/xpcs-corr.bench.js child <what> ...
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { runNode, best, emit, report } = require('./lib/harness');

const DIST = path.join(__dirname, '..', 'kernel-lib', 'dist');
const SIZE = Number(process.env.XPCS_BENCH_SIZE ?? 256);
const FRAMES = (process.env.XPCS_BENCH_FRAMES ?? '2000,20000').split(',').map(Number);
const FILL = 0.01;

/** Writes a sparse IMM (seeded LCG, 1% of pixels per frame with 1..4 counts) frame by frame, and its config. */
async function generate(dir, H, T) {
  const { encodeImmHeader, defaultImmHeader } = require(path.join(DIST, 'formats/imm'));
  const { writeXpcsLegacyConfig } = require(path.join(DIST, 'formats/xpcs'));
  const imm = path.join(dir, `sparse_${H}_${T}.imm`);
  const fd = fs.openSync(imm, 'w');
  const nnz = Math.round(H * H * FILL);
  let s = 12345;
  const hb = new Uint8Array(1024);
  const mark = new Uint8Array(H * H);
  for (let t = 0; t < T; t++) {
    const idx = new Uint32Array(nnz);
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
    const val = new Uint16Array(nnz);
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
  const dq = Int32Array.from({ length: H * H }, (_, p) => {
    const r = Math.hypot(Math.floor(p / H) - H / 2, (p % H) - H / 2);
    return r < H / 2 ? 1 + Math.floor(r / (H / 20)) : 0;
  });
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
  return { imm, cfg, bytes: fs.statSync(imm).size };
}

async function childStream(cfg) {
  const { correlateXpcsFile } = require(path.join(DIST, 'pipelines/xpcs/corr-file.js'));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await correlateXpcsFile(cfg, { output: null, stream: { memoryBudgetBytes: 512 * 2 ** 20 } });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  emit({
    seconds,
    cpu_s: (cpu.user + cpu.system) / 1e6,
    passes: r.result.passes,
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

async function childDense(which, T, H) {
  const xp = require(path.join(DIST, 'numeric/xpcs'));
  const { data, dq } = dense(T, H);
  let g2;
  const [seconds] = await best(() => {
    if (which === 'wasm')
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
  }, 3);
  emit({ seconds, g2sum: g2.reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0) });
}

function catSeconds(file) {
  let bestS = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = spawnSync('sh', ['-c', `cat '${file}' > /dev/null`]);
    if (r.status !== 0) throw new Error(`cat failed: ${r.stderr}`);
    bestS = Math.min(bestS, (performance.now() - t0) / 1000);
  }
  return bestS;
}

async function suite() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xpcs-corr-bench-'));
  const rows = [];
  const load = () => os.loadavg()[0].toFixed(1);
  try {
    for (const T of FRAMES) {
      const { cfg, imm, bytes } = await generate(dir, SIZE, T);
      const ours = runNode(__filename, ['child', 'stream', cfg]);
      const cat = catSeconds(imm);
      const mb = bytes / 1e6;
      rows.push({
        kernel: 'xpcsCorrStream (streaming multi-tau, sparse IMM)',
        size: `${SIZE}x${SIZE}, 1% fill, ${T} frames, ${mb.toFixed(0)} MB`,
        ours_s: ours.seconds,
        ref_s: cat,
        ref_name: 'cat file > /dev/null (page cache warm)',
        ours_peak_mb: ours.peak_rss_mb,
        ref_peak_mb: null,
        target: 'peak RSS < 1.5 GB whatever the frames; throughput >= cat',
        note: `${(T / ours.seconds).toFixed(0)} frames/s, ${(mb / ours.seconds).toFixed(1)} MB/s (cat ${(mb / cat).toFixed(0)} MB/s); CPU ${ours.cpu_s.toFixed(1)} s; ${ours.passes} pass(es); load avg ${load()}`,
      });
      fs.rmSync(imm);
    }
    const [T, H] = [200, 64];
    const wasm = runNode(__filename, ['child', 'dense', 'wasm', String(T), String(H)]);
    const ts = runNode(__filename, ['child', 'dense', 'ts', String(T), String(H)]);
    const pixelLags = H * H * 25;
    rows.push({
      kernel: 'xpcsCorr dense float64 path (TS, per-pixel rows)',
      size: `${T}x${H}x${H} u16, dpl 4`,
      ours_s: ts.seconds,
      ref_s: wasm.seconds,
      ref_name: 'xpcsMultiTau integer path (wasm)',
      ours_peak_mb: ts.peak_rss_mb,
      ref_peak_mb: wasm.peak_rss_mb,
      target: 'within 1.5x per pixel-lag',
      note: `${((ts.seconds / pixelLags) * 1e9).toFixed(0)} vs ${((wasm.seconds / pixelLags) * 1e9).toFixed(0)} ns per pixel-lag; g2 sums ${ts.g2sum.toFixed(9)} / ${wasm.g2sum.toFixed(9)}; load avg ${load()}`,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report('xpcs-corr', rows);
}

if (process.argv[2] === 'child') {
  const [what, ...args] = process.argv.slice(3);
  (what === 'stream' ? childStream(args[0]) : childDense(args[0], Number(args[1]), Number(args[2]))).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  suite().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
