'use strict';
/**
 * Notebook runner overhead: kernel start + 10 trivial cells + shutdown, end to end as a user runs
 * it (one CLI process per run), best of N.
 *   ours: `node kernel-lib/dist/notebook/cli.js run trivial10.ipynb -o OUT` (tslab over our ZeroMQ client)
 *   reference: Debian's `jupyter nbconvert --to notebook --execute` (nbclient 0.7 / jupyter_client 7.4.9)
 *              on the same notebook, with a tslab kernelspec written into a temp JUPYTER_PATH.
 * Also reported: time to kernel_info (kernel ready) from our JSONL events, and per-cell time.
 * Build first: npx tsc -p kernel-lib/tsconfig.build.json
 */
const { spawnSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { emit, report } = require('./lib/harness');

const ROOT = path.join(__dirname, '..');
const NOTEBOOK = path.join(ROOT, 'test', 'fixtures', 'notebooks', 'trivial10.ipynb');
const CLI = path.join(ROOT, 'kernel-lib', 'dist', 'notebook', 'cli.js');
const TSLAB_BIN = path.join(path.dirname(require.resolve('tslab/package.json', { paths: [ROOT] })), 'bin', 'tslab');
const REPEATS = 3;

/** Wall time of one child command (the runner or nbconvert, with its kernel). */
function timed(cmd, args, env) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return seconds;
}

function childOurs() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-nb-'));
  let best = Infinity;
  let ready = Infinity;
  let cellsMs = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const events = path.join(dir, `ev${i}.jsonl`);
    best = Math.min(
      best,
      timed(process.execPath, [CLI, 'run', NOTEBOOK, '-o', path.join(dir, 'out.ipynb'), '--quiet', '--events', events]),
    );
    const lines = readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    ready = Math.min(ready, lines.find((l) => l.type === 'kernel_ready').ms / 1000);
    const cells = lines.filter((l) => l.type === 'cell_end');
    if (cells.length !== 10) throw new Error(`expected 10 executed cells, got ${cells.length}`);
    cellsMs = Math.min(
      cellsMs,
      cells.reduce((s, c) => s + c.duration_ms, 0),
    );
  }
  rmSync(dir, { recursive: true, force: true });
  emit({ seconds: best, kernel_ready_s: ready, cells_s: cellsMs / 1000 });
}

function childReference() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-nbconvert-'));
  const spec = path.join(dir, 'kernels', 'tslab');
  mkdirSync(spec, { recursive: true });
  writeFileSync(
    path.join(spec, 'kernel.json'),
    JSON.stringify({
      argv: [process.execPath, TSLAB_BIN, 'kernel', '--config-path', '{connection_file}'],
      display_name: 'TypeScript',
      language: 'typescript',
    }),
  );
  let best = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    best = Math.min(
      best,
      timed(
        '/usr/bin/jupyter',
        ['nbconvert', '--to', 'notebook', '--execute', NOTEBOOK, '--output', path.join(dir, 'out.ipynb')],
        { JUPYTER_PATH: dir },
      ),
    );
  }
  rmSync(dir, { recursive: true, force: true });
  emit({ seconds: best });
}

function runChild(role) {
  const r = spawnSync(process.execPath, [__filename, '--child', role], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${role} child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(
    r.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .pop(),
  );
}

function main() {
  const ours = runChild('ours');
  const ref = runChild('reference');
  report('notebook-runner', [
    {
      kernel: 'notebook run (kernel start + 10 trivial cells, CLI end to end)',
      size: 'trivial10.ipynb',
      ours_s: ours.seconds,
      ref_s: ref.seconds,
      ref_name: 'jupyter nbconvert --execute (nbclient 0.7.2)',
      ours_peak_mb: null,
      ref_peak_mb: null, // the measured work runs in grandchild processes (runner + kernel)
      note: `ours: kernel ready after ${ours.kernel_ready_s.toFixed(2)} s, 10 cells ${ours.cells_s.toFixed(3)} s in total`,
    },
  ]);
}

if (process.argv[2] === '--child') {
  if (process.argv[3] === 'ours') childOurs();
  else childReference();
} else {
  main();
}
