'use strict';
/**
 * Signal kernels vs numpy/scipy, side by side in the same run (each measurement in its own child):
 * correlate 1e5 x 1e3 direct (numpy.correlate valid), correlate 1e6 x 1e6 FFT
 * (scipy.signal.correlate full, method='fft'), filtfilt 1e6 (ALEXIS moving average b=ones(3)/3),
 * pearsonr 1e6, resampleLinear 1e6 -> 1e6 (splev(splrep(k=1, s=0))).
 * Usage: node bench/signals.bench.js            (orchestrates, writes bench/results/signals.json)
 *        node bench/signals.bench.js <kernel>   (child: one measurement of ours)
 */
const path = require('node:path');
const { runNode, runPython, best, emit, report } = require('./lib/harness');

// Same deterministic data on both sides: smooth signal + a fast oscillation standing in for noise.
const PY_DATA = `
import numpy as np
def sig(n, phase=0.0):
    i = np.arange(n, dtype=np.float64)
    return np.sin(i * 0.001 + phase) + 0.3 * np.sin(i * 1.7 + phase)
def grid(n):
    i = np.arange(n, dtype=np.float64)
    return 1.3e9 + 12.0 * i + 5.0 * np.sin(i * 0.37)
`;
function sig(n, phase = 0) {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.001 + phase) + 0.3 * Math.sin(i * 1.7 + phase);
  return x;
}
function grid(n) {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = 1.3e9 + 12.0 * i + 5.0 * Math.sin(i * 0.37);
  return x;
}

const KERNELS = {
  correlate_direct: {
    size: '1e5 x 1e3 valid',
    ref: 'numpy.correlate',
    ours: (lib) => {
      const a = sig(1e5),
        v = sig(1e3, 1);
      return () => lib.correlate(a, v, 'valid');
    },
    py: `a = sig(100000); v = sig(1000, 1.0)\nt, out = best(lambda: np.correlate(a, v, 'valid'))`,
  },
  correlate_fft: {
    size: '1e6 x 1e6 full',
    ref: "scipy.signal.correlate(method='fft')",
    ours: (lib) => {
      const a = sig(1e6),
        v = sig(1e6, 1);
      return () => lib.correlateSignals(a, v, { mode: 'full', method: 'fft' });
    },
    py: `import scipy.signal as ss\na = sig(1000000); v = sig(1000000, 1.0)\nt, out = best(lambda: ss.correlate(a, v, 'full', method='fft'))`,
  },
  filtfilt: {
    size: '1e6, b=ones(3)/3',
    ref: 'scipy.signal.filtfilt',
    ours: (lib) => {
      const x = sig(1e6);
      const b = [1 / 3, 1 / 3, 1 / 3];
      return () => lib.filtfilt(b, [1], x);
    },
    py: `import scipy.signal as ss\nx = sig(1000000)\nt, out = best(lambda: ss.filtfilt(np.ones(3) / 3, [1.0], x))`,
  },
  pearsonr: {
    size: '1e6',
    ref: 'scipy.stats.pearsonr',
    ours: (lib) => {
      const x = sig(1e6),
        y = sig(1e6, 0.5);
      return () => lib.pearsonr(x, y);
    },
    py: `import scipy.stats as st\nx = sig(1000000); y = sig(1000000, 0.5)\nt, out = best(lambda: st.pearsonr(x, y))`,
  },
  resample_linear: {
    size: '1e6 -> 1e6',
    ref: 'splev(splrep(k=1, s=0))',
    ours: (lib) => {
      const x = grid(1e6),
        y = sig(1e6),
        xNew = new Float64Array(1e6);
      for (let i = 0; i < 1e6; i++) xNew[i] = 1.3e9 - 100 + 12.0 * i;
      return () => lib.resampleLinear(x, y, xNew);
    },
    py: `import scipy.interpolate as si\nx = grid(1000000); y = sig(1000000); xn = 1.3e9 - 100 + 12.0 * np.arange(1000000, dtype=np.float64)\nt, out = best(lambda: si.splev(xn, si.splrep(x, y, k=1, s=0)))`,
  },
};

async function child(name) {
  const lib = require('stagebook');
  const fn = KERNELS[name].ours(lib);
  fn(); // warm-up: compiles the WASM module and JITs the host code
  const [seconds] = await best(fn, 3);
  emit({ seconds });
}

function main() {
  const rows = [];
  for (const [name, k] of Object.entries(KERNELS)) {
    const ours = runNode(__filename, [name]);
    const ref = runPython(`${PY_DATA}\n${k.py}\nemit({'seconds': t})`);
    rows.push({
      kernel: name,
      size: k.size,
      ours_s: ours.seconds,
      ref_s: ref.seconds,
      ref_name: k.ref,
      ours_peak_mb: ours.peak_rss_mb,
      ref_peak_mb: ref.peak_rss_mb,
    });
  }
  report('signals', rows);
}

if (process.argv[2])
  child(process.argv[2]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
else main();
