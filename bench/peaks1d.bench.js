'use strict';
/**
 * peaks1d suite: stagebook's findPeaks / peakProminences / findPeaksCwt vs scipy.signal (1.10) on
 * the oracle's deterministic "lcg_bumps" signal (shared/oracle/README.md), generated identically in
 * both languages. Target: findPeaks with prominence and width at <= 0.5x scipy's time.
 * Usage: node bench/peaks1d.bench.js (needs `npx tsc -p kernel-lib/tsconfig.build.json` and
 * `node wasm-core/scripts/build.js peaks1d` first). Child mode: --child <kernel> <n>.
 */
const path = require('node:path');
const { runNode, runPython, best, emit, report } = require('./lib/harness');

const GEN = { seed: 777, period: 1000, width: 20.0, noise: 0.2 };

/** lcg_bumps: s_(k+1) = (1664525 s_k + 1013904223) mod 2^32, u_i = s_(i+1) / 2^32. */
function lcgBumps(n, { seed, period, width, noise }) {
  const x = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    const k = Math.floor(i / period);
    const c = k * period + period / 2;
    const a = 1 + (k % 7) / 7;
    const t = (i - c) / width;
    x[i] = a * Math.exp(-0.5 * t * t) + noise * (s / 2 ** 32 - 0.5);
  }
  return x;
}

const PY_GEN = `
import numpy as np
def check(peaks, prom, widths):
    # Sequential sums (same order as the JS side) of indices, prominences and widths.
    sp = 0; s1 = 0.0; s2 = 0.0
    for v in peaks.tolist(): sp += v
    for v in prom.tolist(): s1 += v
    for v in widths.tolist(): s2 += v
    return '%d:%r:%r' % (sp, s1, s2)
def lcg_bumps(n, seed=${GEN.seed}, period=${GEN.period}, width=${GEN.width}, noise=${GEN.noise}):
    A, C, M, B = 1664525, 1013904223, 1 << 32, 4096
    first = np.empty(B, dtype=np.uint64); cur = seed
    for i in range(B):
        cur = (A * cur + C) % M; first[i] = cur
    AB, CB = 1, 0
    for _ in range(B):
        AB = (A * AB) % M; CB = (A * CB + C) % M
    blocks = [first]; blk = first
    for _ in range((n + B - 1) // B - 1):
        blk = (np.uint64(AB) * blk + np.uint64(CB)) % np.uint64(M); blocks.append(blk)
    u = np.concatenate(blocks)[:n] / 2.0**32
    i = np.arange(n); k = i // period; c = k * period + period / 2; a = 1 + (k % 7) / 7
    return a * np.exp(-0.5 * ((i - c) / width) ** 2) + noise * (u - 0.5)
`;

const CWT_WIDTHS = Array.from({ length: 20 }, (_, i) => i + 1);

const PY = {
  find_peaks: `
from scipy.signal import find_peaks
kernel, n = sys.argv[1], int(sys.argv[2]); x = lcg_bumps(n)
kw = dict(prominence=0.5, width=1) if kernel == 'find_peaks' else dict(prominence=0.5, width=1, wlen=401)
t, r = best(lambda: find_peaks(x, **kw), 3)
emit({'seconds': t, 'peaks': int(len(r[0])), 'check': check(r[0], r[1]['prominences'], r[1]['widths'])})
`,
  peak_prominences: `
from scipy.signal import find_peaks, peak_prominences
n = int(sys.argv[2]); x = lcg_bumps(n); peaks = find_peaks(x)[0]
t, r = best(lambda: peak_prominences(x, peaks), 3)
emit({'seconds': t, 'peaks': int(len(peaks)), 'check': check(peaks, r[0], r[1] * 0.0)})
`,
  find_peaks_cwt: `
from scipy.signal import find_peaks_cwt
n = int(sys.argv[2]); x = lcg_bumps(n)
t, r = best(lambda: find_peaks_cwt(x, np.arange(1, ${CWT_WIDTHS.length + 1})), 3)
emit({'seconds': t, 'peaks': int(len(r))})
`,
};
PY.find_peaks_wlen = PY.find_peaks;

/** Sequential sums of indices, prominences and widths, formatted like Python's repr. */
function check(peaks, prom, widths) {
  let sp = 0,
    s1 = 0,
    s2 = 0;
  for (const v of peaks) sp += v;
  for (const v of prom) s1 += v;
  for (const v of widths) s2 += v;
  const repr = (v) => (Number.isInteger(v) ? v.toFixed(1) : String(v));
  return `${sp}:${repr(s1)}:${repr(s2)}`;
}

async function child(kernel, n) {
  const lib = require('stagebook');
  const x = lcgBumps(n, GEN);
  if (kernel === 'find_peaks' || kernel === 'find_peaks_wlen') {
    const opts = kernel === 'find_peaks' ? { prominence: 0.5, width: 1 } : { prominence: 0.5, width: 1, wlen: 401 };
    const [t, r] = await best(() => lib.findPeaks(x, opts), 3);
    emit({ seconds: t, peaks: r.peaks.length, check: check(r.peaks, r.properties.prominences, r.properties.widths) });
  } else if (kernel === 'peak_prominences') {
    const peaks = lib.findPeaks(x).peaks;
    const [t, r] = await best(() => lib.peakProminences(x, peaks), 3);
    emit({ seconds: t, peaks: peaks.length, check: check(peaks, r.prominences, new Float64Array(peaks.length)) });
  } else if (kernel === 'find_peaks_cwt') {
    const [t, r] = await best(() => lib.findPeaksCwt(x, CWT_WIDTHS), 3);
    emit({ seconds: t, peaks: r.length });
  } else {
    throw new Error(`unknown kernel ${kernel}`);
  }
}

const PLAN = [
  { kernel: 'find_peaks', n: 1e6, label: 'findPeaks prominence=0.5 width=1', target: '<= 0.5' },
  { kernel: 'find_peaks', n: 1e7, label: 'findPeaks prominence=0.5 width=1', target: '<= 0.5' },
  { kernel: 'find_peaks_wlen', n: 1e7, label: 'findPeaks prominence=0.5 width=1 wlen=401', target: '<= 0.5' },
  { kernel: 'peak_prominences', n: 1e7, label: 'peakProminences (all local maxima)' },
  { kernel: 'find_peaks_cwt', n: 1e4, label: `findPeaksCwt widths 1..${CWT_WIDTHS.length}` },
];

function main() {
  const rows = [];
  for (const p of PLAN) {
    const ours = runNode(__filename, ['--child', p.kernel, String(p.n)]);
    const ref = runPython(PY_GEN + PY[p.kernel], [p.kernel, String(p.n)]);
    const same = ours.check !== undefined && ours.check === ref.check;
    const note =
      ours.peaks !== ref.peaks
        ? `peak count differs: ${ours.peaks} vs ${ref.peaks}`
        : ours.check === undefined
          ? `${ours.peaks} peaks (same count)`
          : `${ours.peaks} peaks; ${same ? 'identical' : 'DIFFERENT'} peaks/prominences/widths checksum (${ours.check})${same ? '' : ` vs ${ref.check}`}`;
    rows.push({
      kernel: p.label,
      size: p.n,
      ours_s: ours.seconds,
      ref_s: ref.seconds,
      ref_name: 'scipy.signal 1.10',
      ours_peak_mb: ours.peak_rss_mb,
      ref_peak_mb: ref.peak_rss_mb,
      target: p.target,
      note: `${note}; load avg ${require('node:os').loadavg()[0].toFixed(2)}`,
    });
  }
  report('peaks1d', rows);
}

if (process.argv[2] === '--child') {
  child(process.argv[3], Number(process.argv[4])).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main();
}
