'use strict';
/**
 * XPCS correlators vs references (same machine, same run):
 *  - multi-tau one-time, 1000x256x256 uint16, 10 concentric rings, numLevels=8, numBufs=8:
 *    ours (1 and 2 threads) vs skbeam's algorithm re-expressed in numpy (per frame, vectorised
 *    over pixels with np.bincount; run on the first 250 frames and scaled x4, the cost is linear
 *    in T) and vs a straightforward C -O3 port compiled with gcc at bench time (all 1000 frames).
 *  - two-time, 500x128x128 uint16, 10 rings, numBufs=500 (all pairs): ours (1 and 2 threads) vs
 *    numpy's matrix-product formulation (per q-bin A.T @ A, normalised by the ROI sums).
 *  - XPCS-Eigen multi-tau (dpl=4) on the two-time stack, 1 and 2 threads (no reference row).
 * Inputs are generated once (seeded LCG) and written to raw files that both sides read. Every
 * side prints a g2 checksum (sum of all g2 values) so the rows also show the results agree.
 * Usage: node bench/xpcs.bench.js            (suite)
 *        node bench/xpcs.bench.js child ...  (one measurement of ours)
 */
const { writeFileSync, readFileSync, mkdtempSync, rmSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { runNode, runPython, best, emit, report } = require('./lib/harness');

const MT = { T: 1000, H: 256, W: 256, levels: 8, bufs: 8, refFrames: 250 };
const TT = { T: 500, H: 128, W: 128 };

/** Low photon counts (0..18), like a speckle detector at ~5 photons per pixel. */
function stack(T, H, W, seed) {
  const data = new Uint16Array(T * H * W);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = (s >>> 28) + ((s >>> 20) & 3);
  }
  return data;
}

/** 10 concentric rings (labels 1..10), 0 elsewhere. */
function rings(H, W, inner, width) {
  const labels = new Int32Array(H * W);
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      const d = Math.hypot(r - H / 2, c - W / 2);
      const b = Math.floor((d - inner) / width);
      labels[r * W + c] = d >= inner && b < 10 ? b + 1 : 0;
    }
  }
  return labels;
}

function readI32(file) {
  const b = readFileSync(file);
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

function g2sum(rows) {
  let s = 0;
  for (const row of rows) for (const v of row) if (!Number.isNaN(v)) s += v;
  return s;
}

/**
 * Times the first call (worker start, WASM instantiation and tier-up, fresh shared and WASM
 * memory) separately, then the best of REPEATS warm calls.
 */
const REPEATS = 8;
async function timed(run) {
  const t0 = performance.now();
  await run();
  const first = (performance.now() - t0) / 1000;
  const [t, r] = await best(run, REPEATS);
  return [t, r, first];
}

async function child([kind, dir, threadsArg, framesArg]) {
  const sb = require('stagebook');
  const threads = Number(threadsArg);
  const par = { threads };
  if (kind === 'mt') {
    const T = Number(framesArg);
    const buf = readFileSync(path.join(dir, 'mt.u16'));
    const data = new Uint16Array(buf.buffer, buf.byteOffset, T * MT.H * MT.W);
    const labels = readI32(path.join(dir, 'mt_labels.i32'));
    const frames = { data, shape: [T, MT.H, MT.W] };
    const opts = { numLevels: MT.levels, numBufs: MT.bufs };
    const run = () =>
      threads > 1 ? sb.multiTauAutoCorrParallel(frames, labels, opts, par) : sb.multiTauAutoCorr(frames, labels, opts);
    const [t, r, first] = await timed(run);
    await sb.closeWorkerPool();
    emit({ seconds: t, first, g2sum: g2sum(r.g2), rows: r.g2.length });
  } else if (kind === 'tt' || kind === 'eig') {
    const buf = readFileSync(path.join(dir, 'tt.u16'));
    const data = new Uint16Array(buf.buffer, buf.byteOffset, TT.T * TT.H * TT.W);
    const labels = readI32(path.join(dir, 'tt_labels.i32'));
    const frames = { data, shape: [TT.T, TT.H, TT.W] };
    if (kind === 'tt') {
      const opts = { numBufs: TT.T, numLevels: 1 };
      const run = () =>
        threads > 1 ? sb.twoTimeCorrParallel(frames, labels, opts, par) : sb.twoTimeCorr(frames, labels, opts);
      const [t, r, first] = await timed(run);
      await sb.closeWorkerPool();
      emit({ seconds: t, first, g2sum: g2sum(r.g2) });
    } else {
      const opts = { delaysPerLevel: 4 };
      const run = () =>
        threads > 1
          ? sb.xpcsMultiTauParallel(frames, labels, labels, opts, par)
          : sb.xpcsMultiTau(frames, labels, labels, opts);
      const [t, r, first] = await timed(run);
      await sb.closeWorkerPool();
      emit({ seconds: t, first, g2sum: g2sum(r.g2) });
    }
  }
}

// skbeam lazy_one_time re-expressed: same ring buffers, levels and running means, one
// np.bincount per (event, lag) product; the per-frame ROI sums are cached (they are identical).
const PY_MT = `
import numpy as np
d = sys.argv[1]; T = int(sys.argv[2]); H, W, NL, NB = ${MT.H}, ${MT.W}, ${MT.levels}, ${MT.bufs}
frames = np.fromfile(d + '/mt.u16', dtype=np.uint16, count=T*H*W).reshape(T, H*W)
lab = np.fromfile(d + '/mt_labels.i32', dtype=np.int32)
pix = np.nonzero(lab)[0]; la = lab[pix]; R = la.max(); npx = np.bincount(la)[1:]
def run():
    rows = (NL + 1) * NB // 2
    G = np.zeros((rows, R)); IP = np.zeros_like(G); IF = np.zeros_like(G)
    buf = np.zeros((NL, NB, len(pix))); sums = np.zeros((NL, NB, R)); cnt = np.zeros(NL, int); track = np.zeros(NL, bool)
    def process(L, k):
        slot = k % NB; cur = buf[L, slot]
        sums[L, slot] = np.bincount(la, weights=cur, minlength=R + 1)[1:]
        for i in range(NB // 2 if L else 0, min(k + 1, NB)):
            ps = (k - i) % NB; n = k + 1 - i; row = L * NB // 2 + i
            G[row] += (np.bincount(la, weights=buf[L, ps] * cur, minlength=R + 1)[1:] / npx - G[row]) / n
            IP[row] += (sums[L, ps] / npx - IP[row]) / n
            IF[row] += (sums[L, slot] / npx - IF[row]) / n
    for t in range(T):
        buf[0, t % NB] = frames[t, pix]; process(0, t); cnt[0] += 1
        for L in range(1, NL):
            if not track[L]: track[L] = True; break
            track[L] = False; kp = cnt[L - 1]
            buf[L, cnt[L] % NB] = (buf[L - 1, (kp - 2) % NB] + buf[L - 1, (kp - 1) % NB]) / 2
            process(L, cnt[L]); cnt[L] += 1
    z = np.where(IP == 0)[0]; gmax = z[0] if len(z) else rows
    return G[:gmax] / (IP[:gmax] * IF[:gmax])
t, g2 = best(run, 1)
emit({'seconds': t, 'g2sum': float(np.nansum(g2)), 'rows': int(g2.shape[0])})
`;

const PY_TT = `
import numpy as np
d = sys.argv[1]; T, H, W = ${TT.T}, ${TT.H}, ${TT.W}
frames = np.fromfile(d + '/tt.u16', dtype=np.uint16).reshape(T, H*W)
lab = np.fromfile(d + '/tt_labels.i32', dtype=np.int32)
def run():
    out = []
    for q in range(1, lab.max() + 1):
        A = frames[:, lab == q].astype(np.float64).T   # pixels x frames
        S = A.sum(axis=0)
        out.append(A.T @ A / np.outer(S, S) * A.shape[0])
    return out
t, g2 = best(run, 3)
emit({'seconds': t, 'g2sum': float(sum(np.nansum(m) for m in g2))})
`;

// A straightforward C port of skbeam's multi-tau (ring buffers, raster-order ROI sums in double).
const C_MT = `
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <math.h>
#include <time.h>
int main(int argc, char **argv) {
  const char *dir = argv[1]; int T = atoi(argv[2]), H = ${MT.H}, W = ${MT.W}, NL = ${MT.levels}, NB = ${MT.bufs}, P = H * W;
  char fn[4096]; snprintf(fn, sizeof fn, "%s/mt.u16", dir); FILE *f = fopen(fn, "rb");
  uint16_t *fr = malloc((size_t)T * P * 2); if (fread(fr, 2, (size_t)T * P, f) != (size_t)T * P) return 2; fclose(f);
  snprintf(fn, sizeof fn, "%s/mt_labels.i32", dir); f = fopen(fn, "rb"); int *lab = malloc(P * 4); if (fread(lab, 4, P, f) != (size_t)P) return 2; fclose(f);
  int n = 0, R = 0; for (int p = 0; p < P; p++) if (lab[p]) { n++; if (lab[p] > R) R = lab[p]; }
  int *pix = malloc(n * 4), *la = malloc(n * 4); double *npx = calloc(R, 8); n = 0;
  for (int p = 0; p < P; p++) if (lab[p]) { pix[n] = p; la[n] = lab[p] - 1; npx[lab[p] - 1] += 1; n++; }
  struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
  int rows = (NL + 1) * NB / 2;
  double *G = calloc(rows * R, 8), *IP = calloc(rows * R, 8), *IF = calloc(rows * R, 8), *acc = malloc(R * 8);
  double *buf = calloc((size_t)NL * NB * n, 8), *sums = calloc(NL * NB * R, 8); int cnt[64] = {0}, track[64] = {0};
  for (int t = 0; t < T; t++) {
    for (int L = 0; L < NL; L++) {
      int k;
      if (L == 0) { k = t; double *b = buf + (size_t)(k % NB) * n; for (int j = 0; j < n; j++) b[j] = fr[(size_t)t * P + pix[j]]; }
      else {
        if (!track[L]) { track[L] = 1; break; }
        track[L] = 0; k = cnt[L]; int kp = cnt[L - 1];
        double *a = buf + ((size_t)(L - 1) * NB + (kp - 2) % NB) * n, *c = buf + ((size_t)(L - 1) * NB + (kp - 1) % NB) * n, *b = buf + ((size_t)L * NB + k % NB) * n;
        for (int j = 0; j < n; j++) b[j] = (a[j] + c[j]) / 2;
      }
      double *cur = buf + ((size_t)L * NB + k % NB) * n, *s = sums + (L * NB + k % NB) * R;
      for (int r = 0; r < R; r++) s[r] = 0; for (int j = 0; j < n; j++) s[la[j]] += cur[j];
      for (int i = L ? NB / 2 : 0; i < (k + 1 < NB ? k + 1 : NB); i++) {
        double *past = buf + ((size_t)L * NB + (k - i) % NB) * n, *ps = sums + (L * NB + (k - i) % NB) * R; int row = L * NB / 2 + i; double m = k + 1 - i;
        for (int r = 0; r < R; r++) acc[r] = 0; for (int j = 0; j < n; j++) acc[la[j]] += past[j] * cur[j];
        for (int r = 0; r < R; r++) { double *g = G + row * R + r, *ip = IP + row * R + r, *fi = IF + row * R + r;
          *g += (acc[r] / npx[r] - *g) / m; *ip += (ps[r] / npx[r] - *ip) / m; *fi += (s[r] / npx[r] - *fi) / m; }
      }
      cnt[L]++;
    }
  }
  int gmax = rows; for (int i = 0; i < rows * R; i++) if (IP[i] == 0) { gmax = i / R; break; }
  double sum = 0; for (int i = 0; i < gmax * R; i++) { double v = G[i] / (IP[i] * IF[i]); if (!isnan(v)) sum += v; }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("{\\"seconds\\": %.6f, \\"g2sum\\": %.12f, \\"rows\\": %d}\\n", (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec), sum, gmax);
  return 0;
}
`;

function runC(dir, T) {
  const src = path.join(dir, 'mt.c');
  const exe = path.join(dir, 'mt');
  writeFileSync(src, C_MT);
  const cc = spawnSync('gcc', ['-O3', '-march=native', '-o', exe, src, '-lm'], { encoding: 'utf8' });
  if (cc.status !== 0) return null;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', exe, dir, String(T)], { encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop();
  const out = JSON.parse(line);
  out.peak_rss_mb = Number(r.stderr.trim().split('\n').pop() || '0') / 1024 || null;
  return out;
}

async function suite() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-xpcs-'));
  try {
    writeFileSync(path.join(dir, 'mt.u16'), stack(MT.T, MT.H, MT.W, 7));
    writeFileSync(path.join(dir, 'mt_labels.i32'), rings(MT.H, MT.W, 10, 11));
    writeFileSync(path.join(dir, 'tt.u16'), stack(TT.T, TT.H, TT.W, 11));
    writeFileSync(path.join(dir, 'tt_labels.i32'), rings(TT.H, TT.W, 5, 5.5));
    const me = __filename;
    const mt1 = runNode(me, ['child', 'mt', dir, '1', String(MT.T)]);
    const mt2 = runNode(me, ['child', 'mt', dir, '2', String(MT.T)]);
    const mtSmall = runNode(me, ['child', 'mt', dir, '1', String(MT.refFrames)]);
    const pyMt = runPython(PY_MT, [dir, String(MT.refFrames)]);
    const cMt = runC(dir, MT.T);
    const scale = MT.T / MT.refFrames;
    const size = `${MT.T}x${MT.H}x${MT.W} u16, 10 rings, L${MT.levels} B${MT.bufs}`;
    const check = `g2 checksum ours ${mt1.g2sum.toFixed(9)}${cMt ? `, C ${cMt.g2sum.toFixed(9)}` : ''}; at ${MT.refFrames} frames ours ${mtSmall.g2sum.toFixed(9)} numpy ${pyMt.g2sum.toFixed(9)}`;
    const rows = [
      {
        kernel: 'multiTauAutoCorr (1 thread)',
        size,
        ours_s: mt1.seconds,
        ref_s: pyMt.seconds * scale,
        ref_name: `numpy skbeam-algorithm (${MT.refFrames} frames x${scale})`,
        ours_peak_mb: mt1.peak_rss_mb,
        ref_peak_mb: pyMt.peak_rss_mb,
        target: '<= ~1.0 s on one thread',
        note: check,
      },
      {
        kernel: 'multiTauAutoCorrParallel (2 threads)',
        size,
        ours_s: mt2.seconds,
        ref_s: pyMt.seconds * scale,
        ref_name: `numpy skbeam-algorithm (${MT.refFrames} frames x${scale})`,
        ours_peak_mb: mt2.peak_rss_mb,
        ref_peak_mb: pyMt.peak_rss_mb,
        note: `identical checksum: ${mt2.g2sum === mt1.g2sum}; ${(mt2.seconds / mt1.seconds).toFixed(2)}x the 1-thread time; first calls ${mt1.first.toFixed(3)} / ${mt2.first.toFixed(3)} s; load avg ${os.loadavg()[0].toFixed(2)}`,
      },
    ];
    if (cMt) {
      rows.push({
        kernel: 'multiTauAutoCorr (1 thread)',
        size,
        ours_s: mt1.seconds,
        ref_s: cMt.seconds,
        ref_name: 'C -O3 skbeam port (gcc, 1 thread)',
        ours_peak_mb: mt1.peak_rss_mb,
        ref_peak_mb: cMt.peak_rss_mb,
      });
      rows.push({
        kernel: 'multiTauAutoCorrParallel (2 threads)',
        size,
        ours_s: mt2.seconds,
        ref_s: cMt.seconds,
        ref_name: 'C -O3 skbeam port (gcc, 1 thread)',
        ours_peak_mb: mt2.peak_rss_mb,
        ref_peak_mb: cMt.peak_rss_mb,
      });
    }
    const tt1 = runNode(me, ['child', 'tt', dir, '1']);
    const tt2 = runNode(me, ['child', 'tt', dir, '2']);
    const pyTt = runPython(PY_TT, [dir]);
    const tsize = `${TT.T}x${TT.H}x${TT.W} u16, 10 rings, all pairs`;
    rows.push({
      kernel: 'twoTimeCorr (1 thread)',
      size: tsize,
      ours_s: tt1.seconds,
      ref_s: pyTt.seconds,
      ref_name: 'numpy per-q A.T @ A',
      ours_peak_mb: tt1.peak_rss_mb,
      ref_peak_mb: pyTt.peak_rss_mb,
      target: 'no slower than numpy',
      note: `g2 checksum ours ${tt1.g2sum.toFixed(6)} numpy ${pyTt.g2sum.toFixed(6)}`,
    });
    rows.push({
      kernel: 'twoTimeCorrParallel (2 threads)',
      size: tsize,
      ours_s: tt2.seconds,
      ref_s: pyTt.seconds,
      ref_name: 'numpy per-q A.T @ A',
      ours_peak_mb: tt2.peak_rss_mb,
      ref_peak_mb: pyTt.peak_rss_mb,
      note: `identical checksum: ${tt2.g2sum === tt1.g2sum}; ${(tt2.seconds / tt1.seconds).toFixed(2)}x the 1-thread time; first calls ${tt1.first.toFixed(3)} / ${tt2.first.toFixed(3)} s; load avg ${os.loadavg()[0].toFixed(2)}`,
    });
    const e1 = runNode(me, ['child', 'eig', dir, '1']);
    const e2 = runNode(me, ['child', 'eig', dir, '2']);
    rows.push({
      kernel: 'xpcsMultiTau (1 thread)',
      size: `${TT.T}x${TT.H}x${TT.W} u16, dpl 4`,
      ours_s: e1.seconds,
      ref_s: null,
      ref_name: '-',
      ours_peak_mb: e1.peak_rss_mb,
      ref_peak_mb: null,
    });
    rows.push({
      kernel: 'xpcsMultiTauParallel (2 threads)',
      size: `${TT.T}x${TT.H}x${TT.W} u16, dpl 4`,
      ours_s: e2.seconds,
      ref_s: null,
      ref_name: '-',
      ours_peak_mb: e2.peak_rss_mb,
      ref_peak_mb: null,
      note: `identical checksum: ${e2.g2sum === e1.g2sum}; ${(e2.seconds / e1.seconds).toFixed(2)}x the 1-thread time; first calls ${e1.first.toFixed(3)} / ${e2.first.toFixed(3)} s; load avg ${os.loadavg()[0].toFixed(2)}`,
    });
    report('xpcs', rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child')
  child(process.argv.slice(3)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
else
  suite().catch((e) => {
    console.error(e);
    process.exit(1);
  });
