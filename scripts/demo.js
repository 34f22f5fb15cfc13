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
  // ALEXIS: the real windows (AIA +-20 min, SXI +-40 min) on the simulated day (3 flares), AIA at 128 px every 2 min.
  'alexis/01-download': { aiaScale: 128, aiaCadenceSeconds: 120, aiaMinutes: 20, sxiMinutes: 40 },
  'alexis/00-onboarding': { aiaScale: 128, aiaCadenceSeconds: 120 },
  'alexis/02-initialize': { aiaScale: 128, aiaCadenceSeconds: 120 },
  // PUNCH: 8 recent + 8 back-log observations x 4 observatories x 4 types = 256 L0, ~590 files through L3.
  'punch/control': { recentSlots: 8, backlogSlots: 8, size: 48 },
  // Stage 3 with the real windows: 20 AIA frames per channel (2-min cadence), SXI every minute over 4 filters.
  'alexis/03-candidates': { aiaScale: 128, aiaCadenceSeconds: 120, minGoodAia: 10, minGoodSxi: 5, minPoints: 10 },
};

/**
 * Notebook folders run after the top-level notebooks, in file order. The ALEXIS notebooks share one
 * workspace (`out/alexis`: 00 builds the catalogues 01 and 02 use); the others get `out/<folder>/<name>`.
 */
const NOTEBOOK_FOLDERS = ['alexis', 'stix', 'punch'];
const SHARED_WORKSPACE_FOLDERS = ['alexis'];

/** The parameter that names a notebook's output directory (default `outDir`). */
const OUTPUT_PARAM = {
  'lco-data-management': 'workspace',
  'alexis/00-onboarding': 'workspace',
  'alexis/01-download': 'workspace',
  'alexis/02-initialize': 'workspace',
  'alexis/03-candidates': 'workspace',
  'alexis/04-catalogue': 'workspace',
};

function loadRunner() {
  try {
    return require('stagebook/notebook');
  } catch (e) {
    console.error('demo: the library is not built (run `npm run build`, or `npm ci` which builds it)');
    throw e;
  }
}

function xpcsSummary(dir) {
  const file = path.join(dir, 'summary.json');
  if (!fs.existsSync(file)) return [];
  const s = JSON.parse(fs.readFileSync(file, 'utf8'));
  const lines = [
    `  results ${path.relative(repo, s.results)}, report ${path.relative(repo, s.report)}, QC ${s.qcOk ? 'ok' : 'FAILED'}`,
  ];
  for (const f of s.fits) {
    lines.push(
      `  q bin ${f.bin}: tau ${f.tau.toFixed(2)} +- ${f.tauErr.toFixed(2)} frames, generator ${f.trueTau.toFixed(2)} ((fit - true)/error = ${f.pull.toFixed(2)}, ${f.ok ? 'ok' : 'OFF'})`,
    );
  }
  return lines;
}

function alexisSummary(dir) {
  const file = path.join(dir, 'peaks.json');
  if (!fs.existsSync(file)) return [];
  const s = JSON.parse(fs.readFileSync(file, 'utf8'));
  return [
    `  ${s.n_peaks} peaks in ${s.clusters.length} clusters -> ${path.relative(repo, file)}`,
    ...s.clusters.map(
      (c) =>
        `  cluster ${c.dbscan_1_label}: ${c.dbscan_1_num_members} members at (${c.dbscan_1_x_hpc.toFixed(1)}", ${c.dbscan_1_y_hpc.toFixed(1)}")`,
    ),
  ];
}

function alexisStagesSummary(dir) {
  const db = path.join(dir, 'data_products', 'image_data_availability.db');
  if (!fs.existsSync(db)) return [];
  const sqlite = require(path.join(repo, 'node_modules', 'better-sqlite3'))(db, { readonly: true });
  try {
    const r = sqlite
      .prepare(
        'SELECT COUNT(DISTINCT url) AS images, COUNT(*) AS rows, SUM(QUALITY = 0 AND peaks_found = 1) AS peakRows FROM image_data_availability',
      )
      .get();
    return [
      `  image_data_availability: ${r.images} images, ${r.rows} rows (${r.peakRows} good-image clusters) -> ${path.relative(repo, db)}`,
    ];
  } finally {
    sqlite.close();
  }
}

/** Per working directory: the candidates of stage 4 step 2 and the rows of step 7. */
function alexisCandidatesSummary(dir) {
  const parent = path.join(dir, 'alexis_data', 'flare_candidates');
  if (!fs.existsSync(parent)) return [];
  const lines = [];
  for (const wd of fs.readdirSync(parent).sort()) {
    const pixels = path.join(parent, wd, 'v3_interesting_pixels.json');
    if (!fs.existsSync(pixels)) continue;
    const c = JSON.parse(fs.readFileSync(pixels, 'utf8'));
    const img = path.join(parent, wd, 'resampled_img_df_v3.csv');
    const rows = fs.existsSync(img) ? fs.readFileSync(img, 'utf8').trim().split('\n').length - 1 : 0;
    const where = c.map((k) => `(${k.x_hpc.toFixed(0)}", ${k.y_hpc.toFixed(0)}")`).join(' ');
    lines.push(`  ${wd}: ${c.length} candidate(s) ${where}; ${rows} resampled image rows`);
  }
  return lines;
}

/** The catalogue of notebook 04: one line per ALEXIS flare. */
function alexisCatalogueSummary(dir) {
  const file = path.join(dir, 'data_products', 'alexis_catalogue.json');
  if (!fs.existsSync(file)) return [];
  const rows = JSON.parse(fs.readFileSync(file, 'utf8')).filter((r) => r.id_team === 'ALEXIS' && r.goes_class);
  return [
    `  ${rows.length} ALEXIS flares -> ${path.relative(repo, file)} (also .csv, .db)`,
    ...rows.map(
      (r) =>
        `  ${r.goes_class} at ${r.peak_time} (${r.hpc_x.toFixed(0)}", ${r.hpc_y.toFixed(0)}") HARP ${r.HARPNUM.join(',')}`,
    ),
  ];
}

async function main() {
  const { runNotebook } = loadRunner();
  const names = [
    ...fs
      .readdirSync(notebooksDir)
      .filter((f) => f.endsWith('.ipynb'))
      .sort(),
    ...NOTEBOOK_FOLDERS.flatMap((d) =>
      fs
        .readdirSync(path.join(notebooksDir, d))
        .filter((f) => f.endsWith('.ipynb'))
        .sort()
        .map((f) => `${d}/${f}`),
    ),
  ];
  fs.mkdirSync(path.join(out, 'notebooks'), { recursive: true });
  let failed = 0;
  for (const file of names) {
    const name = file.replace(/\.ipynb$/, '');
    const output = path.join(out, 'notebooks', file);
    fs.mkdirSync(path.dirname(output), { recursive: true });
    const shared = name.includes('/') && SHARED_WORKSPACE_FOLDERS.includes(path.dirname(name));
    const outDir = shared ? path.join(out, path.dirname(name)) : path.join(out, name);
    const parameters = { ...(DEMO_PARAMS[name] ?? {}), [OUTPUT_PARAM[name] ?? 'outDir']: outDir };
    const t0 = Date.now();
    const r = await runNotebook({ input: path.join(notebooksDir, file), output, parameters, cellTimeoutMs: 300_000 });
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(
      `${r.status === 'succeeded' ? 'ok  ' : 'FAIL'} ${file} (${r.cellsExecuted} cells, ${secs} s) -> ${path.relative(repo, output)}; products in ${path.relative(repo, outDir)}/`,
    );
    if (r.status !== 'succeeded') {
      failed++;
      console.log(`  ${r.error?.code ?? ''} ${r.error?.message ?? ''}`);
    }
    const lines =
      name === 'xpcs-correlation'
        ? xpcsSummary(outDir)
        : name === 'alexis-peak-finder'
          ? alexisSummary(outDir)
          : name === 'alexis/02-initialize'
            ? alexisStagesSummary(outDir)
            : name === 'alexis/03-candidates'
              ? alexisCandidatesSummary(outDir)
              : name === 'alexis/04-catalogue'
                ? alexisCatalogueSummary(outDir)
                : [];
    for (const l of lines) console.log(l);
  }
  console.log(
    `demo: ${names.length - failed} of ${names.length} notebooks ok; executed notebooks in ${path.relative(repo, path.join(out, 'notebooks'))}/`,
  );
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error((e && e.stack) || e);
    process.exit(1);
  },
);
