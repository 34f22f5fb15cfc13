'use strict';
/**
 * Side-by-side benchmark harness. Every measurement runs in its own child process (ours: node,
 * reference: Debian's /usr/bin/python3) so peak RSS is that of the measured work alone. A child
 * prints one JSON line: {"seconds": best-of-N wall time, ...extra}; the harness adds peak RSS.
 * Results go to bench/results/<suite>.json; `node bench/run.js` turns them into bench/README.md.
 */
const { spawnSync } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const PYTHON = '/usr/bin/python3'; // Debian's, with numpy/scipy/skimage/sklearn (not pyenv's)

function parseChild(name, r) {
  if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
  const line = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`${name} printed no JSON result: ${r.stdout}\n${r.stderr}`);
  return JSON.parse(line);
}

/**
 * Runs a node script (ours) with args; the script prints {"seconds": ...} via `emit()`.
 * `--expose-gc` lets scripts collect between repeats.
 */
function runNode(script, args = [], env = {}) {
  const r = spawnSync(process.execPath, ['--expose-gc', script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  return parseChild(script, r);
}

/** Runs a python reference snippet; it must print {"seconds": ...} (see PY_PRELUDE). */
function runPython(code, args = []) {
  const r = spawnSync(PYTHON, ['-c', PY_PRELUDE + code, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return parseChild('python reference', r);
}

/** Helpers available to python snippets: best(fn, repeats) and emit(dict) adding peak RSS. */
const PY_PRELUDE = `
import json, resource, sys, time
def best(fn, repeats=3):
    t = float('inf'); out = None
    for _ in range(repeats):
        t0 = time.perf_counter(); out = fn(); t = min(t, time.perf_counter() - t0)
    return t, out
def emit(d):
    d['peak_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(d))
`;

/** Node-side equivalents for bench scripts. */
async function best(fn, repeats = 3) {
  let t = Infinity;
  let out;
  for (let i = 0; i < repeats; i++) {
    if (global.gc) global.gc();
    const t0 = performance.now();
    out = await fn();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return [t, out];
}

function emit(d) {
  d.peak_rss_mb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(d) + '\n');
}

/**
 * Records a suite's rows: {kernel, size, ours_s, ref_s, ref_name, ours_peak_mb, ref_peak_mb,
 * target?, note?}. ratio = ours/ref (< 1 means faster than the reference).
 */
function report(suite, rows) {
  const machine = {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    node: process.version,
    date: new Date().toISOString(),
  };
  const out = rows.map((r) => ({ ...r, ratio: r.ref_s ? r.ours_s / r.ref_s : null }));
  mkdirSync(path.join(__dirname, '..', 'results'), { recursive: true });
  writeFileSync(
    path.join(__dirname, '..', 'results', `${suite}.json`),
    JSON.stringify({ suite, machine, rows: out }, null, 2) + '\n',
  );
  for (const r of out) {
    console.log(
      `${suite} | ${r.kernel} | ${r.size} | ours ${fmt(r.ours_s)} s | ${r.ref_name} ${fmt(r.ref_s)} s | ratio ${r.ratio == null ? '-' : r.ratio.toFixed(3)} | peak ${fmt(r.ours_peak_mb)} / ${fmt(r.ref_peak_mb)} MB`,
    );
  }
  return out;
}

function fmt(v) {
  if (v == null) return '-';
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

module.exports = { runNode, runPython, best, emit, report, fmt, PYTHON };
