'use strict';
/**
 * The JupyterLab extension in a real JupyterLab 4.6.4 (headless chromium), side by side with what
 * JupyterLab does without it: Vega-Lite drawing (ours: vega-embed 7 / vega 6 vs JupyterLab's
 * vega5-extension: vega-embed 6 / vega 5, same spec and renderer), one in-place progress update (our
 * renderer vs JupyterLab's HTML renderer on the HTML twin), and the panel's cost per iopub progress
 * message. The page-side code is bench/jupyterlab/frontend.measure.ts (run through vitest to reuse
 * the end-to-end test's helpers). Needs what the e2e test needs (scripts/system-deps.sh).
 */
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { report } = require('./lib/harness');

const ROOT = path.join(__dirname, '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-jl-'));
const out = path.join(dir, 'result.json');
const vitest = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const r = spawnSync(
  process.execPath,
  [vitest, 'run', '--config', path.join(__dirname, 'jupyterlab', 'vitest.config.mts')],
  { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SB_BENCH_OUT: out } },
);
if (r.status !== 0) {
  console.error(r.stdout, r.stderr);
  process.exit(1);
}
const res = JSON.parse(readFileSync(out, 'utf8'));
rmSync(dir, { recursive: true, force: true });

const rows = res.vega.map((v) => ({
  kernel: `Vega-Lite plot (${v.renderer})`,
  size: v.name === 'scatter' ? '2000 points, log x' : '64x64 heatmap',
  ours_s: v.ours,
  ref_s: v.ref,
  ref_name: 'JupyterLab vega5-extension',
  note: 'ours adds tooltips + zoom/pan params',
}));
rows.push({
  kernel: 'progress output update',
  size: '10 stages, 300 updates',
  ours_s: res.progress.oursUpdate,
  ref_s: res.progress.htmlUpdate,
  ref_name: 'JupyterLab HTML renderer (HTML twin)',
  note: 'per update',
});
rows.push({
  kernel: 'panel per iopub message',
  size: '10 stages, 300 messages',
  ours_s: res.progress.panelPerMessage,
  ref_s: res.progress.htmlUpdate,
  ref_name: 'HTML twin render per update',
  note: `zod validation + model; redraw coalesced; ${res.progress.panelRuns} runs listed`,
});
report('jupyterlab', rows);
