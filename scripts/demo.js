#!/usr/bin/env node
'use strict';
/**
 * `npm run demo`: runs every notebook in notebooks/ headless (the tslab kernel driven by
 * `stagebook notebook run`, in-process) on the embedded sample data; nothing is downloaded.
 * Executed notebooks go to out/notebooks/<name>.ipynb, each notebook writes its products to
 * out/<name>/ (its `outDir` parameter). Per-notebook parameters for the demo are below (the
 * notebooks' own defaults are the small CI sizes). Exits 1 if a notebook fails.
 */
const path = require('node:path');
const fs = require('node:fs');

const repo = path.resolve(__dirname, '..');
const out = path.join(repo, 'out');
const notebooksDir = path.join(repo, 'notebooks');

/** Demo parameters per notebook (bigger than the CI defaults; see notebooks/README.md). */
const DEMO_PARAMS = {
  'xpcs-correlation': { frames: 1000, size: 64 },
};

/** Notebooks in per-system sub-folders (run after the top-level ones). */
const SUBFOLDER_NOTEBOOKS = ['stix/reprocess-one-tm.ipynb', 'stix/operations.ipynb'];

/** The parameter that names a notebook's output directory (default `outDir`). */
const OUTPUT_PARAM = { 'lco-data-management': 'workspace' };

function loadRunner() {
  try {
    return require(path.join(repo, 'kernel-lib', 'dist', 'notebook'));
  } catch (e) {
    console.error('demo: the library is not built (run `npm run build`, or `npm ci` which builds it)');
    throw e;
  }
}

function xpcsSummary(dir) {
  const file = path.join(dir, 'summary.json');
  if (!fs.existsSync(file)) return [];
  const s = JSON.parse(fs.readFileSync(file, 'utf8'));
  const lines = [`  results ${path.relative(repo, s.results)}, report ${path.relative(repo, s.report)}, QC ${s.qcOk ? 'ok' : 'FAILED'}`];
  for (const f of s.fits) {
    lines.push(`  q bin ${f.bin}: tau ${f.tau.toFixed(2)} +- ${f.tauErr.toFixed(2)} frames, generator ${f.trueTau.toFixed(2)} ((fit - true)/error = ${f.pull.toFixed(2)}, ${f.ok ? 'ok' : 'OFF'})`);
  }
  return lines;
}

function alexisSummary(dir) {
  const file = path.join(dir, 'peaks.json');
  if (!fs.existsSync(file)) return [];
  const s = JSON.parse(fs.readFileSync(file, 'utf8'));
  return [`  ${s.n_peaks} peaks in ${s.clusters.length} clusters -> ${path.relative(repo, file)}`,
    ...s.clusters.map((c) => `  cluster ${c.dbscan_1_label}: ${c.dbscan_1_num_members} members at (${c.dbscan_1_x_hpc.toFixed(1)}", ${c.dbscan_1_y_hpc.toFixed(1)}")`)];
}

async function main() {
  const { runNotebook } = loadRunner();
  const names = [...fs.readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb')).sort(), ...SUBFOLDER_NOTEBOOKS];
  fs.mkdirSync(path.join(out, 'notebooks'), { recursive: true });
  let failed = 0;
  for (const file of names) {
    const name = file.replace(/\.ipynb$/, '');
    const output = path.join(out, 'notebooks', file);
    fs.mkdirSync(path.dirname(output), { recursive: true });
    const outDir = path.join(out, name);
    const parameters = { ...(DEMO_PARAMS[name] ?? {}), [OUTPUT_PARAM[name] ?? 'outDir']: outDir };
    const t0 = Date.now();
    const r = await runNotebook({ input: path.join(notebooksDir, file), output, parameters, cellTimeoutMs: 300_000 });
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(`${r.status === 'ok' ? 'ok  ' : 'FAIL'} ${file} (${r.cellsExecuted} cells, ${secs} s) -> ${path.relative(repo, output)}; products in ${path.relative(repo, outDir)}/`);
    if (r.status !== 'ok') {
      failed++;
      console.log(`  ${r.error?.code ?? ''} ${r.error?.message ?? ''}`);
    }
    const lines = name === 'xpcs-correlation' ? xpcsSummary(outDir) : name === 'alexis-peak-finder' ? alexisSummary(outDir) : [];
    for (const l of lines) console.log(l);
  }
  console.log(`demo: ${names.length - failed} of ${names.length} notebooks ok; executed notebooks in ${path.relative(repo, path.join(out, 'notebooks'))}/`);
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => { console.error(e && e.stack || e); process.exit(1); });
