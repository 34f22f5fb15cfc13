'use strict';
/**
 * ALEXIS' bounded LASSO (issue 14): ours (active set in wasm-core, warm-started along the lambda
 * path) vs cvxopt's QP (Debian python3-cvxopt 1.3.0; ALEXIS uses cvxpy, which Debian does not
 * package) on the same problems in the same run, per problem (one lam):
 * - path_K4 / path_K8: an ALEXIS-like 180-sample problem with 4 / 8 columns, lam in
 *   logspace(-3, 1, 50); cvxopt solves each lam from scratch (as cvxpy does in ALEXIS).
 * - grid_8x4: ALEXIS' full grid for one flare and one XRS/image pair (8 clusters x 4 boxes:
 *   5^8 - 1 = 390,624 combinations x 50 lams = 19.5 M problems) through lassoGridSearch, one thread;
 *   the reference column is cvxopt's measured per-problem time x 19.5 M (extrapolated, not run:
 *   about 5.5 hours).
 * - box_sums: ALEXIS' region fluxes, 8 clusters x 4 half-widths (125/85/67/41 px) on a 4096x4096
 *   float32 frame, per frame (a 200-frame stack is 200 of these; each frame is copied into WASM memory
 *   once), vs numpy cumulative-sum images (the reference) and vs ALEXIS' own np.sum over
 *   each slice.
 * Usage: node bench/lasso.bench.js          (orchestrates, writes bench/results/lasso.json)
 *        node bench/lasso.bench.js <kernel>  (child: one measurement of ours)
 */
const path = require('node:path');
const { runNode, runPython, best, emit, report } = require('./lib/harness');

const T = 180;
// Deterministic ALEXIS-like columns (a flare pulse per column at its own time on a slow
// background) and a target mixing three of them; identical formulas in JS and numpy.
const PY_DATA = `
import numpy as np
def problem(k, n=${T}):
    t = np.arange(n, dtype=np.float64)
    A = np.empty((n, k))
    for j in range(k):
        A[:, j] = 0.1 + 0.02 * np.sin(t / 17.0 + j) + np.exp(-0.5 * ((t - 30.0 - 15.0 * j) / (6.0 + j)) ** 2)
    A = A / A.max()
    x = 0.6 * A[:, 0] + 0.3 * A[:, min(1, k - 1)] + 0.1 * A[:, k - 1] + 0.01 * np.sin(t * 1.3)
    return A, x / x.max()
lams = np.logspace(-3, 1, 50)
`;
function problem(k, n = T) {
  const A = Array.from({ length: n }, () => new Array(k));
  let max = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const v = 0.1 + 0.02 * Math.sin(i / 17 + j) + Math.exp(-0.5 * ((i - 30 - 15 * j) / (6 + j)) ** 2);
      A[i][j] = v;
      max = Math.max(max, v);
    }
  }
  for (const row of A) for (let j = 0; j < k; j++) row[j] /= max;
  const x = A.map(
    (row, i) => 0.6 * row[0] + 0.3 * row[Math.min(1, k - 1)] + 0.1 * row[k - 1] + 0.01 * Math.sin(i * 1.3),
  );
  const xm = Math.max(...x);
  return { A, x: x.map((v) => v / xm) };
}
const LAMS = Array.from({ length: 50 }, (_, i) => 10 ** (-3 + (4 * i) / 49));

const PY_CVXOPT = (k) => `
from cvxopt import matrix, solvers
solvers.options['show_progress'] = False
A, x = problem(${k})
P = matrix(2 * A.T @ A); G = matrix(np.vstack([-np.eye(${k}), np.eye(${k})])); h = matrix(np.hstack([np.zeros(${k}), np.ones(${k})]))
def path():
    return [solvers.qp(P, matrix(-2 * A.T @ x + lam), G, h)['x'] for lam in lams]
t, out = best(path, 3)
emit({'seconds': t / len(lams)})
`;

const KERNELS = {
  path_K4: { size: `${T}x4, 50 lams`, k: 4 },
  path_K8: { size: `${T}x8, 50 lams`, k: 8 },
};

function gridScene(nc, nz, n = T) {
  const sizes = [150, 100, 80, 50].slice(0, nz);
  const columns = Array.from({ length: nc }, (_, c) =>
    sizes.map((s) =>
      Array.from(
        { length: n },
        (_, t) =>
          s * s * (1 + 0.1 * Math.sin(t / 9 + c)) + 4e4 * Math.exp(-0.5 * ((t - 20 - 12 * c) / 5) ** 2) * (50 / s),
      ),
    ),
  );
  const xrs = Array.from(
    { length: n },
    (_, t) => 1e-6 + 5e-6 * Math.exp(-0.5 * ((t - 40) / 6) ** 2) + 2e-6 * Math.exp(-0.5 * ((t - 64) / 6) ** 2),
  );
  return { columns, boxSizesArcsec: sizes, xrs };
}

const FRAME = 4096;
const CENTRES = Array.from({ length: 8 }, (_, c) => [600 + 350 * c + 0.4, 900 + 260 * c + 0.7]);
const PY_FRAME = `
img = (np.sin(np.arange(${FRAME} * ${FRAME}, dtype=np.float64) * 0.001) * 100 + 1000).astype(np.float32).reshape(${FRAME}, ${FRAME})
centres = ${JSON.stringify(CENTRES)}
half = [125, 85, 67, 41]
`;
const PY_BOX = {
  cumsum: `
def frame():
    S = np.zeros((${FRAME} + 1, ${FRAME} + 1))
    S[1:, 1:] = img.cumsum(0, dtype=np.float64).cumsum(1)
    out = []
    for x, y in centres:
        for d in half:
            r0, r1, c0, c1 = int(y - d), int(y + d), int(x - d), int(x + d)
            out.append(S[r1, c1] - S[r0, c1] - S[r1, c0] + S[r0, c0])
    return out
t, out = best(frame, 3)
emit({'seconds': t})
`,
  slices: `
def frame():
    return [np.sum(img[int(y - d):int(y + d), int(x - d):int(x + d)], dtype=np.float64) for x, y in centres for d in half]
t, out = best(frame, 3)
emit({'seconds': t})
`,
};

async function child(name) {
  if (name === 'box_sums') {
    const lib = require(path.join(__dirname, '..', 'kernel-lib', 'dist', 'numeric', 'boxsum'));
    const data = new Float32Array(FRAME * FRAME);
    for (let i = 0; i < data.length; i++) data[i] = Math.fround(Math.sin(i * 0.001) * 100 + 1000);
    const fn = () => lib.boxSums({ data, shape: [FRAME, FRAME] }, CENTRES, [125, 85, 67, 41]);
    fn();
    const [seconds] = await best(fn, 5);
    emit({ seconds });
    return;
  }
  if (name === 'grid_8x4') {
    const lib = require(path.join(__dirname, '..', 'kernel-lib', 'dist', 'numeric', 'lasso'));
    const scene = gridScene(8, 4);
    lib.lassoGridSearch(gridScene(3, 4)); // warm-up
    const [seconds, g] = await best(() => lib.lassoGridSearch(scene), 1);
    emit({ seconds, combinations: g.combinations });
    return;
  }
  const lib = require(path.join(__dirname, '..', 'kernel-lib', 'dist', 'numeric', 'lasso'));
  const { A, x } = problem(KERNELS[name].k);
  const fn = () => lib.boundedLassoPath(A, x, LAMS);
  fn(); // warm-up: compiles the WASM module and JITs the host code
  const [seconds] = await best(() => {
    for (let r = 0; r < 20; r++) fn();
  }, 5);
  emit({ seconds: seconds / 20 / LAMS.length });
}

function main() {
  const rows = [];
  for (const [name, k] of Object.entries(KERNELS)) {
    const ours = runNode(__filename, [name]);
    const ref = runPython(`${PY_DATA}\n${PY_CVXOPT(k.k)}`);
    rows.push({
      kernel: name,
      size: k.size,
      ours_s: ours.seconds,
      ref_s: ref.seconds,
      ref_name: 'cvxopt.solvers.qp (per lam)',
      ours_peak_mb: ours.peak_rss_mb,
      ref_peak_mb: ref.peak_rss_mb,
      target: 'ratio <= 0.01',
    });
  }
  const box = runNode(__filename, ['box_sums']);
  for (const [ref, code] of Object.entries(PY_BOX)) {
    const r = runPython(`import numpy as np\n${PY_FRAME}\n${code}`);
    rows.push({
      kernel: 'box_sums',
      size: '4096x4096 f32, 8 clusters x 4 boxes, per frame',
      ours_s: box.seconds,
      ref_s: r.seconds,
      ref_name: ref === 'cumsum' ? 'numpy cumulative-sum image' : 'numpy np.sum per slice (ALEXIS)',
      ours_peak_mb: box.peak_rss_mb,
      ref_peak_mb: r.peak_rss_mb,
      target: ref === 'cumsum' ? 'ratio <= 0.5' : '',
    });
  }
  const grid = runNode(__filename, ['grid_8x4']);
  const problems = grid.combinations * LAMS.length;
  const perProblem = rows.find((r) => r.kernel === 'path_K8').ref_s;
  rows.push({
    kernel: 'grid_8x4',
    size: `${grid.combinations} combinations x 50 lams, 1 thread`,
    ours_s: grid.seconds,
    ref_s: perProblem * problems,
    ref_name: 'cvxopt per problem x 19.5 M (extrapolated)',
    ours_peak_mb: grid.peak_rss_mb,
    ref_peak_mb: null,
    target: 'ours < 600 s on 2 cores',
    note: 'reference not run',
  });
  report('lasso', rows);
}

if (process.argv[2])
  child(process.argv[2]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
else main();
