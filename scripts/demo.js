#!/usr/bin/env node
'use strict';
/**
 * `npm run demo`: the main job on embedded/simulated sample data, nothing downloaded.
 * XPCS: simulate a speckle series with known decay times, write it as IMM + legacy HDF5 config,
 * read it back, run XPCS-Eigen multi-tau and two-time correlation in wasm-core, write the results
 * in the legacy /exchange layout, run the QC checklist and fit the decays.
 * ALEXIS: peak finding + clustering on the embedded AIA-like 512x512 frame.
 */
const path = require('node:path');
const fs = require('node:fs');
const sb = require('../kernel-lib');

const out = path.resolve(__dirname, '..', 'out', 'demo');

async function xpcs() {
  const dir = path.join(out, 'xpcs');
  fs.mkdirSync(dir, { recursive: true });
  const sim = sb.simulateSpeckleSeries({ frames: 1000, height: 64, width: 64, rings: 4, tau0: 30, meanCounts: 5, modes: 2, seed: 2026 });
  const imm = path.join(dir, 'demo_speckle.imm');
  const cfg = path.join(dir, 'demo_speckle.hdf');
  await sb.writeImm(imm, sim.frames, { compression: 'sparse' });
  await sb.writeXpcsLegacyConfig(cfg, { dqmap: sim.dqmap, sqmap: sim.sqmap, shape: [64, 64], delaysPerLevel: 4, dataBegin: 1, dataEnd: 1000, inputFileLocal: path.basename(imm) });
  const { frames, headers } = await sb.readImm(imm);
  const config = await sb.readXpcsLegacyConfig(cfg);
  const r = await sb.xpcsMultiTauParallel(frames, config.dqmap.data, config.sqmap.data, { delaysPerLevel: config.delaysPerLevel });
  const nQ = r.dynamicBins.length;
  const results = path.join(dir, 'demo_speckle_results.hdf');
  const stats = sb.xpcsIntensityStats(frames, config.sqmap.data, { staticMeanWindowSize: config.staticMeanWindowSize ?? 10 });
  await sb.writeXpcsLegacyResults(results, {
    multiTau: { g2: Float64Array.from(r.g2.flatMap((row) => Array.from(row))), stderr: Float64Array.from(r.stderr.flatMap((row) => Array.from(row))), tau: r.taus, nTau: r.taus.length, nQ },
    pixelSum: { data: stats.pixelSum, shape: [frames.shape[1], frames.shape[2]] },
    frameSum: stats.frameSum,
    partitionMeanTotal: stats.partitionMeanTotal,
    partitionMeanPartial: { data: stats.partitionMeanPartial, shape: [stats.nWindows, stats.staticBins.length] },
    timestampClock: headers.map((h) => h.elapsed),
    timestampTick: headers.map((h) => h.corecotick),
  }, { configFile: cfg });
  const qc = await sb.checkXpcsFile(results);
  const rows = r.dynamicBins.map((q, i) => {
    const fit = sb.fitG2Decay(r.taus, r.g2.map((row) => row[i]), r.stderr.map((row) => row[i]));
    return { q, trueTau: sim.tauPerRing[i], fittedTau: fit.tau, tauErr: fit.tauErr, beta: fit.beta };
  });
  console.log(`XPCS: ${frames.shape.join('x')} frames -> ${results}`);
  for (const x of rows) console.log(`  q bin ${x.q}: tau ${x.fittedTau.toFixed(2)} +- ${x.tauErr.toFixed(2)} frames (generator ${x.trueTau.toFixed(2)}), contrast ${x.beta.toFixed(3)}`);
  console.log(`  QC: ${qc.ok ? 'ok' : 'FAILED'} (${qc.checked} checks, ${qc.missing.length} missing)`);
  fs.writeFileSync(path.join(dir, 'fits.json'), JSON.stringify(rows, null, 2) + '\n');
}

function alexis() {
  const dir = path.join(out, 'alexis');
  fs.mkdirSync(dir, { recursive: true });
  const raw = fs.readFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'oracle', 'plm_aia512.f32'));
  const image = { data: new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4), shape: [512, 512] };
  const peaks = sb.peakLocalMax(image, { thresholdRel: 0.9 }); // the ALEXIS call
  const points = [];
  for (let i = 0; i < peaks.length; i += 2) points.push([peaks[i + 1], peaks[i]]);
  // ALEXIS clusters peaks within ~50 arcsec: 83 px at AIA's 0.6"/px, so ~10 px on this 8x binned frame.
  const clusters = sb.dbscan(points, { eps: 10, minSamples: 1 });
  const summary = { peaks: points.length, clusters: clusters.nClusters, points, labels: Array.from(clusters.labels) };
  fs.writeFileSync(path.join(dir, 'peaks.json'), JSON.stringify(summary, null, 2) + '\n');
  console.log(`ALEXIS: ${points.length} peaks above 0.9 x max in ${clusters.nClusters} clusters -> ${path.join(dir, 'peaks.json')}`);
}

(async () => {
  await xpcs();
  alexis();
  await sb.closeWorkerPool();
  console.log(`demo outputs in ${out}`);
})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
