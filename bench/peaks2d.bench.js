'use strict';
/**
 * ALEXIS peak finder kernels vs scikit-image 0.19.3 / scikit-learn 1.2 (Debian python3):
 *  - peak_local_max(img, threshold_rel=0.9) on a 4096x4096 float32 solar-like image (serial, 2 threads)
 *  - peak_local_max(img) on 1024x1024 uniform noise (~116k candidates; skimage's spacing is quadratic)
 *  - DBSCAN(eps=1.0, min_samples=5) on 100,000 2-D points (blobs + 20% uniform noise)
 * Inputs are generated once here (seeded) and written to raw files both sides read. Each side
 * reports a count and a checksum of its output so the rows also prove the results are identical.
 * Usage: node bench/peaks2d.bench.js           (suite)
 *        node bench/peaks2d.bench.js child ...  (one measurement of ours, used by the suite)
 */
const { writeFileSync, readFileSync, mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runNode, runPython, best, emit, report } = require('./lib/harness');

const MOD = 1000000007;

function lcg(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function gauss(rand) {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** Solar-like image: limb-darkened disk, Poisson-ish noise, a few bright active regions. */
function solarImage(n) {
  const rand = lcg(2024);
  const img = new Float32Array(n * n);
  const c = n / 2,
    R = n * 0.4;
  const ars = Array.from({ length: 6 }, () => ({
    y: c + (rand() - 0.5) * R,
    x: c + (rand() - 0.5) * R,
    a: 500 + rand() * 1500,
    s: n / 200 + (rand() * n) / 100,
  }));
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const r2 = ((y - c) ** 2 + (x - c) ** 2) / (R * R);
      let v = r2 < 1 ? 100 * Math.sqrt(1 - r2) + 10 : 5;
      for (const a of ars) {
        const d2 = (y - a.y) ** 2 + (x - a.x) ** 2;
        if (d2 < 25 * a.s * a.s) v += a.a * Math.exp(-d2 / (2 * a.s * a.s));
      }
      img[y * n + x] = v + Math.sqrt(v) * gauss(rand);
    }
  }
  return img;
}

function dbscanPoints(n) {
  const rand = lcg(77);
  const centres = Array.from({ length: 50 }, () => [rand() * 1000, rand() * 1000]);
  const pts = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    if (i % 5 === 4) {
      pts[2 * i] = rand() * 1000;
      pts[2 * i + 1] = rand() * 1000;
      continue;
    }
    const [cx, cy] = centres[Math.floor(rand() * centres.length)];
    pts[2 * i] = cx + 6 * gauss(rand);
    pts[2 * i + 1] = cy + 6 * gauss(rand);
  }
  return pts;
}

function checksum(pairs, cols) {
  let s = 0;
  for (let k = 0; k < pairs.length / 2; k++)
    s = (s + (((k + 1) * (pairs[2 * k] * cols + pairs[2 * k + 1])) % MOD)) % MOD;
  return s;
}

async function child([kind, file, a, b, c]) {
  const sb = require('stagebook');
  const buf = readFileSync(file);
  if (kind === 'plm') {
    const n = Number(a),
      threads = Number(b),
      opts = JSON.parse(c);
    const data = new Float32Array(buf.buffer, buf.byteOffset, n * n);
    const image = { data, shape: [n, n] };
    const run = () => (threads > 1 ? sb.peakLocalMaxParallel(image, opts, { threads }) : sb.peakLocalMax(image, opts));
    const [t, out] = await best(run, threads > 1 ? 5 : 3);
    await sb.closeWorkerPool();
    emit({ seconds: t, count: out.length / 2, checksum: checksum(out, n) });
  } else {
    const data = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    const [t, r] = await best(() => sb.dbscan({ data, dims: 2 }, { eps: 1.0, minSamples: 5 }), 3);
    let s = 0;
    for (let i = 0; i < r.labels.length; i++) s = (s + (((i + 1) * (r.labels[i] + 2)) % MOD)) % MOD;
    emit({ seconds: t, count: r.nClusters, checksum: s, n_core: r.coreSampleIndices.length });
  }
}

const PY_PLM = `
import numpy as np
from skimage.feature import peak_local_max
n = int(sys.argv[2]); kw = json.loads(sys.argv[3]); reps = int(sys.argv[4])
img = np.fromfile(sys.argv[1], dtype='<f4').reshape(n, n)
t, out = best(lambda: peak_local_max(img, **kw), reps)
s = 0
for k, (r, c) in enumerate(out.tolist()): s = (s + ((k + 1) * (r * n + c)) % ${MOD}) % ${MOD}
emit({'seconds': t, 'count': len(out), 'checksum': s})
`;

const PY_DBSCAN = `
import numpy as np
from sklearn.cluster import DBSCAN
X = np.fromfile(sys.argv[1], dtype='<f8').reshape(-1, 2)
t, m = best(lambda: DBSCAN(eps=1.0, min_samples=5).fit(X), 3)
s = 0
for i, l in enumerate(m.labels_.tolist()): s = (s + ((i + 1) * (l + 2)) % ${MOD}) % ${MOD}
emit({'seconds': t, 'count': int(m.labels_.max()) + 1, 'checksum': s, 'n_core': len(m.core_sample_indices_)})
`;

function row(kernel, size, ours, ref, extra = {}) {
  const same = ours.count === ref.count && ours.checksum === ref.checksum;
  return {
    kernel,
    size,
    ours_s: ours.seconds,
    ref_s: ref.seconds,
    ours_peak_mb: ours.peak_rss_mb,
    ref_peak_mb: ref.peak_rss_mb,
    note: `${same ? 'identical output' : 'OUTPUT DIFFERS'} (count ${ours.count} / ${ref.count})${extra.note ? '; ' + extra.note : ''}`,
    ref_name: extra.ref_name,
    target: extra.target,
  };
}

async function suite() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peaks2d-bench-'));
  const me = __filename;
  const rows = [];
  try {
    const solar = path.join(dir, 'solar4096.f32');
    writeFileSync(solar, Buffer.from(solarImage(4096).buffer));
    const rel = JSON.stringify({ threshold_rel: 0.9 });
    const refSolar = runPython(PY_PLM, [solar, '4096', rel, '3']);
    const o1 = runNode(me, ['child', 'plm', solar, '4096', '1', JSON.stringify({ thresholdRel: 0.9 })]);
    const o2 = runNode(me, ['child', 'plm', solar, '4096', '2', JSON.stringify({ thresholdRel: 0.9 })]);
    rows.push(
      row('peakLocalMax rel0.9 (serial)', '4096x4096 f32', o1, refSolar, {
        ref_name: 'skimage 0.19.3',
        target: '<= 0.5',
      }),
    );
    rows.push(
      row('peakLocalMaxParallel rel0.9 (2 threads)', '4096x4096 f32', o2, refSolar, {
        ref_name: 'skimage 0.19.3',
        target: '<= 0.5',
        note: `${(o2.seconds / o1.seconds).toFixed(2)}x the serial time; load avg ${require('node:os').loadavg()[0].toFixed(2)}`,
      }),
    );

    const noise = path.join(dir, 'noise1024.f32');
    const rand = lcg(5);
    writeFileSync(noise, Buffer.from(Float32Array.from({ length: 1024 * 1024 }, () => rand()).buffer));
    const refNoise = runPython(PY_PLM, [noise, '1024', '{}', '1']);
    const on = runNode(me, ['child', 'plm', noise, '1024', '1', '{}']);
    rows.push(
      row('peakLocalMax defaults, uniform noise', '1024x1024 f32', on, refNoise, {
        ref_name: 'skimage 0.19.3',
        note: 'skimage timed once (quadratic ensure_spacing)',
      }),
    );

    const pts = path.join(dir, 'points100k.f64');
    writeFileSync(pts, Buffer.from(dbscanPoints(100000).buffer));
    const refDb = runPython(PY_DBSCAN, [pts]);
    const od = runNode(me, ['child', 'dbscan', pts]);
    rows.push(row('dbscan eps1 ms5', '100000 x 2-D', od, refDb, { ref_name: 'sklearn 1.2.1' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report('peaks2d', rows);
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
