'use strict';
/**
 * ALEXIS stage 4 steps 8-11 for one flare (issue 14, performance): the full grid of 8 clusters x 4
 * boxes (5^8 - 1 = 390,624 column sets, 255 gridsearch_{k} files) for every channel pair of the
 * flare (XRS A/B x 6 AIA + 1 SXI channel = 14 pairs), through the stage functions: step 8 writes the
 * 255 files, step 9 fits them in 2 worker threads (lasso-fit with threads 2), steps 10-11 collate
 * and select. The reference is cvxopt's QP (python3-cvxopt; ALEXIS uses cvxpy) measured in the same
 * run on an 8-column problem of the same length, per lam, times the number of problems
 * (390,624 x 50 x 14 = 273 M: extrapolated, not run). lasso.bench.js has the per-problem and
 * one-pair rows and the box sums.
 * Usage: node bench/alexis-catalogue.bench.js          (writes bench/results/alexis-catalogue.json)
 *        node bench/alexis-catalogue.bench.js flare     (child: ours)
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runNode, runPython, emit, report } = require('./lib/harness');

const N = 81; // samples: +-40 min at 1 min
const CLUSTERS = 8;
const BOXES = [150, 100, 80, 50];
const CHANNELS = ['94', '131', '171', '193', '211', '335']
  .map((wl) => ['SDO', 'AIA', wl])
  .concat([['goes15', 'SXI', 'PTHNA']]);

function flareData() {
  const times = Array.from({ length: N }, (_, i) => 1297198800 + 60 * i);
  const pulse = (t, at, w) => Math.exp(-0.5 * ((t - at) / w) ** 2);
  const xrs = ['A', 'B'].map((wavelength, c) => ({
    telescope: 'goes15',
    wavelength,
    times,
    values: times.map((_, t) => 3e-7 + 4e-6 * pulse(t, 40 - c, 5) + 1e-6 * pulse(t, 60, 4)),
  }));
  const clusters = Array.from({ length: CLUSTERS }, (_, label) => ({
    label,
    x_hpc: -600 + 150 * label,
    y_hpc: 80 * label - 300,
  }));
  const img = [];
  for (const [telescope, instrument, wavelength] of CHANNELS)
    for (const c of clusters)
      for (const size of BOXES)
        img.push({
          telescope,
          instrument,
          wavelength,
          cluster: c.label,
          bboxArcsec: size,
          times,
          values: times.map(
            (_, t) =>
              size * size * (1 + 0.05 * Math.sin(t / 7 + c.label)) + 3e4 * pulse(t, 20 + 6 * c.label, 4) * (50 / size),
          ),
        });
  return { workingDir: 'flarecandidate_M1.0_at_2011-02-08T10_00_00_00.working', xrs, clusters, img };
}

async function child() {
  const lib = require(path.join(__dirname, '..', 'kernel-lib', 'dist', 'pipelines', 'alexis'));
  const { runInWorkers, closeWorkerPool } = require(
    path.join(__dirname, '..', 'kernel-lib', 'dist', 'numeric', 'parallel', 'pool'),
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-grid-'));
  const t0 = process.hrtime.bigint();
  const files = lib.gridsearchFiles(flareData(), []);
  const paths = files.map((f) => {
    const p = path.join(dir, lib.CATALOGUE_FILES.gridsearch(f.gridsearch));
    fs.writeFileSync(p, JSON.stringify(f));
    return p;
  });
  const t1 = process.hrtime.bigint();
  const task = path.join(__dirname, '..', 'kernel-lib', 'src', 'pipelines', 'alexis', 'lasso-fit-task.ts');
  const lams = lib.logspace(-3, 1, 50);
  const fitted = await runInWorkers(
    task,
    'fitGridsearchFile',
    paths.map((file) => ({ file, lams })),
    { threads: 2 },
  );
  const t2 = process.hrtime.bigint();
  const { event } = lib.selectFits(lib.collateFits(fitted.flat()), 0.1);
  const t3 = process.hrtime.bigint();
  await closeWorkerPool();
  fs.rmSync(dir, { recursive: true, force: true });
  const s = (a, b) => Number(b - a) / 1e9;
  const combinations = files.reduce((n, f) => n + (f.pairs.length ? BOXES.length ** f.clusters.length : 0), 0);
  emit({
    seconds: s(t0, t3),
    step8_s: s(t0, t1),
    step9_s: s(t1, t2),
    step10_11_s: s(t2, t3),
    files: files.length,
    pairs: files[files.length - 1].pairs.length,
    combinations,
    event: event ? event.gridsearch_clusters.join(',') : null,
  });
}

const PY_CVXOPT = `
import numpy as np
from cvxopt import matrix, solvers
solvers.options['show_progress'] = False
n, k = ${N}, ${CLUSTERS}
t = np.arange(n, dtype=np.float64)
A = np.empty((n, k))
for j in range(k):
    A[:, j] = 0.1 + 0.05 * np.sin(t / 7.0 + j) + np.exp(-0.5 * ((t - 20.0 - 6.0 * j) / 4.0) ** 2)
A = A / A.max()
x = 0.7 * A[:, 3] + 0.2 * A[:, 5] + 0.01 * np.sin(t * 1.3)
x = x / x.max()
lams = np.logspace(-3, 1, 50)
P = matrix(2 * A.T @ A); G = matrix(np.vstack([-np.eye(k), np.eye(k)])); h = matrix(np.hstack([np.zeros(k), np.ones(k)]))
def path():
    return [solvers.qp(P, matrix(-2 * A.T @ x + lam), G, h)['x'] for lam in lams]
t, out = best(path, 3)
emit({'seconds': t / len(lams)})
`;

function main() {
  const ours = runNode(__filename, ['flare']);
  const ref = runPython(PY_CVXOPT);
  const problems = ours.combinations * 50 * ours.pairs;
  report('alexis-catalogue', [
    {
      kernel: 'flare_grid_8x4_2cores',
      size: `${ours.files} subset files, ${ours.pairs} pairs, ${ours.combinations} combinations x 50 lams (${(problems / 1e6).toFixed(0)} M problems), ${N} samples`,
      ours_s: ours.seconds,
      ref_s: ref.seconds * problems,
      ref_name: `cvxopt per problem (${ref.seconds.toExponential(2)} s) x ${(problems / 1e6).toFixed(0)} M (extrapolated)`,
      ours_peak_mb: ours.peak_rss_mb,
      ref_peak_mb: ref.peak_rss_mb,
      target: 'ours < 600 s on 2 cores',
      note: `step 8 ${ours.step8_s.toFixed(1)} s, step 9 ${ours.step9_s.toFixed(1)} s (2 workers), steps 10-11 ${ours.step10_11_s.toFixed(2)} s; reference not run`,
    },
  ]);
}

if (process.argv[2])
  child().catch((e) => {
    console.error(e);
    process.exit(1);
  });
else main();
