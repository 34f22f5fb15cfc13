/**
 * L1 stage `xpcs-corr`: one dataset (a directory with one `.imm` and one legacy `.hdf` config,
 * the unit XPCS-Eigen `corr <hdf> -imm <imm>` processes) -> `L1/<name>/<name>_results.hdf` in the
 * legacy `/exchange` layout (multi-tau g2/stderr/tau with XPCS-Eigen normalisation, pixelSum,
 * frameSum, partition means, timestamps, two-time C2T_all/g2full/g2partials, and the config copied
 * as corr leaves it) plus `L1/<name>/<name>_g2_sectors.json` (the same multi-tau per azimuthal
 * sector, for the L2 error bars). A merge stage grouped by directory, so the cache key covers both
 * input files.
 */
import path from 'node:path';
import { promises as fsp } from 'node:fs';
import { z } from 'zod';
import { defineStage } from '../../engine/stage';
import { StagebookError } from '../../errors/stagebook-error';
import type { FileRef } from '../../ledger/types';
import { readImm } from '../../formats/imm';
import { readXpcsLegacyConfig, writeXpcsLegacyResults, type XpcsLegacyConfig, type XpcsLegacyResults } from '../../formats/xpcs';
import type { Frames } from '../../numeric/frames';
import { oneTimeFromTwoTime, twoTimeCorrParallel, xpcsIntensityStats, xpcsMultiTauParallel, type XpcsMultiTauResult } from '../../numeric/xpcs';
import { sectorMap } from './sectors';

const corrParams = z.strictObject({
  threads: z.number().int().min(1).max(64).default(2).describe('Worker threads for the correlators (results are identical for any value)'),
  twoTime: z.boolean().default(true).describe('Also compute the two-time correlation (C2T_all, g2full, g2partials)'),
  twoTimeMaxFrames: z.number().int().min(2).default(4000).describe('Refuse two-time above this many frames (the maps take frames^2 x 8 bytes per q bin)'),
  sectors: z.number().int().min(1).max(64).default(16).describe('Azimuthal sectors per q ring for the error estimate of the fitted decay times'),
});
export type XpcsCorrParams = z.output<typeof corrParams>;

/** Group key of an input: its dataset directory (relative to the root when inside it). */
export function datasetGroup(input: FileRef, root: string): string {
  const dir = path.dirname(input.path);
  const rel = path.relative(root, dir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : path.basename(dir);
}

/** The one `.imm` and one `.hdf` of a dataset unit (E_INVALID_ARGUMENT otherwise). */
export function datasetFiles(stage: string, unit: string, inputs: readonly FileRef[]): { imm: string; hdf: string; name: string } {
  const imm = inputs.filter((f) => f.path.endsWith('.imm'));
  const hdf = inputs.filter((f) => /\.(hdf|h5|hdf5)$/.test(f.path));
  if (imm.length !== 1 || hdf.length !== 1) {
    throw new StagebookError('E_INVALID_ARGUMENT', `${stage}: dataset ${unit} must hold exactly one .imm and one .hdf file (gladier-xpcs rule), found ${imm.length} and ${hdf.length}`, { where: stage, field: 'inputs', input: unit });
  }
  return { imm: imm[0].path, hdf: hdf[0].path, name: path.basename(hdf[0].path).replace(/\.(hdf|h5|hdf5)$/, '') };
}

/** Flattens [tau][q] rows into the C-order (n_tau, n_q) array /exchange stores. */
function flatRows(rows: Float64Array[]): Float64Array {
  const nq = rows[0]?.length ?? 0;
  const out = new Float64Array(rows.length * nq);
  rows.forEach((r, i) => out.set(r, i * nq));
  return out;
}

/** Mean of C[m, m+lag] within each window of `w` frames: (w, n_partials, n_q), like corr's g2partials. */
export function twoTimePartials(maps: Float64Array[], numFrames: number, w: number): { data: Float64Array; shape: [number, number, number] } {
  const nq = maps.length;
  const parts = Math.floor(numFrames / w);
  const data = new Float64Array(w * parts * nq);
  for (let q = 0; q < nq; q++) {
    for (let p = 0; p < parts; p++) {
      for (let lag = 0; lag < w; lag++) {
        let s = 0;
        const n = w - lag;
        for (let m = p * w; m < p * w + n; m++) s += maps[q][m * numFrames + m + lag];
        data[(lag * parts + p) * nq + q] = s / n;
      }
    }
  }
  return { data, shape: [w, parts, nq] };
}

async function twoTimeProducts(frames: Frames, config: XpcsLegacyConfig, bins: number[], threads: number): Promise<NonNullable<XpcsLegacyResults['twoTime']>> {
  const T = frames.shape[0];
  // num_bufs >= T (even) gives every (t1, t2) pair at level 0: the full two-time map, normalised per
  // frame pair by the ROI means (skbeam two_time_corr = XPCS-Eigen's "symmetric" smoothing).
  const tt = await twoTimeCorrParallel(frames, config.dqmap.data, { numBufs: T + (T % 2), numLevels: 1 }, { threads });
  const order = bins.map((b) => tt.roiLabels.indexOf(b));
  const maps = order.map((i) => tt.g2[i]);
  const oneTime = oneTimeFromTwoTime({ g2: maps, numFrames: tt.numFrames });
  const g2full = new Float64Array(tt.numFrames * bins.length);
  for (let lag = 0; lag < tt.numFrames; lag++) for (let q = 0; q < bins.length; q++) g2full[lag * bins.length + q] = oneTime[q][lag];
  const w = Math.min(config.twotime2onetimeWindowSize ?? 50, tt.numFrames);
  return {
    c2t: bins.map((q, i) => ({ q, data: maps[i], size: tt.numFrames })),
    g2full: { data: g2full, shape: [tt.numFrames, bins.length] },
    g2partials: twoTimePartials(maps, tt.numFrames, w),
  };
}

/** Sector-resolved multi-tau (same ladder and normalisation), keyed by ring and sector. */
export interface XpcsSectorG2 {
  taus: number[];
  sectors: number;
  curves: Array<{ bin: number; sector: number; g2: number[]; stderr: number[] }>;
}

function sectorCurves(r: XpcsMultiTauResult, sectors: number): XpcsSectorG2 {
  return {
    taus: r.taus,
    sectors,
    curves: r.dynamicBins.map((b, i) => ({
      bin: Math.floor((b - 1) / sectors) + 1,
      sector: (b - 1) % sectors,
      g2: r.g2.map((row) => (Number.isFinite(row[i]) ? row[i] : NaN)),
      stderr: r.stderr.map((row) => row[i]),
    })),
  };
}

/** The L1 correlation stage. */
export const xpcsCorrStage = defineStage<XpcsCorrParams>({
  name: 'xpcs-corr', version: 1, kind: 'merge', level: 'L1', product: 'xpcs-results',
  params: corrParams, groupBy: datasetGroup,
  description: 'IMM frames + legacy config -> multi-tau (XPCS-Eigen), two-time and intensity products in the legacy /exchange layout',
  async run(ctx) {
    const { imm, hdf, name } = datasetFiles(ctx.stage, ctx.unit, ctx.inputs);
    const steps = ctx.params.twoTime ? 6 : 5;
    ctx.progress(0, steps, `read ${path.basename(hdf)}`);
    const config = await readXpcsLegacyConfig(hdf);
    const count = config.dataEnd - config.dataBegin + 1;
    const { frames, headers } = await readImm(imm, { first: config.dataBegin - 1, count });
    const [T, H, W] = frames.shape;
    ctx.log.info(`${name}: ${T} frames ${H}x${W} (frames ${config.dataBegin}-${config.dataEnd}), delays per level ${config.delaysPerLevel}`);
    ctx.progress(1, steps, 'multi-tau (XPCS-Eigen)');
    const policy = { threads: ctx.params.threads };
    const mt = await xpcsMultiTauParallel(frames, config.dqmap.data, config.sqmap.data, { delaysPerLevel: config.delaysPerLevel }, policy);
    ctx.progress(2, steps, `multi-tau per sector (${ctx.params.sectors} per ring)`);
    const sec = sectorMap(config.dqmap.data, config.dqmap.shape, ctx.params.sectors);
    const mtSectors = await xpcsMultiTauParallel(frames, sec, sec, { delaysPerLevel: config.delaysPerLevel }, policy);
    ctx.progress(3, steps, 'intensity products');
    const stats = xpcsIntensityStats(frames, config.sqmap.data, { staticMeanWindowSize: config.staticMeanWindowSize ?? 10 });
    let twoTime: XpcsLegacyResults['twoTime'];
    if (ctx.params.twoTime) {
      if (T > ctx.params.twoTimeMaxFrames) {
        throw new StagebookError('E_INVALID_ARGUMENT', `${ctx.stage}: ${T} frames exceed twoTimeMaxFrames (${ctx.params.twoTimeMaxFrames}); raise it or set twoTime: false`, { where: ctx.stage, field: 'twoTimeMaxFrames', input: ctx.unit });
      }
      ctx.progress(4, steps, `two-time (${T}x${T} per q bin)`);
      twoTime = await twoTimeProducts(frames, config, mt.dynamicBins, ctx.params.threads);
    }
    ctx.progress(steps - 1, steps, 'write results');
    const results: XpcsLegacyResults = {
      multiTau: { g2: flatRows(mt.g2), stderr: flatRows(mt.stderr), tau: mt.taus, nTau: mt.taus.length, nQ: mt.dynamicBins.length },
      pixelSum: { data: stats.pixelSum, shape: [H, W] },
      frameSum: stats.frameSum,
      partitionMeanTotal: stats.partitionMeanTotal,
      partitionMeanPartial: { data: stats.partitionMeanPartial, shape: [stats.nWindows, stats.staticBins.length] },
      timestampClock: headers.map((h) => h.elapsed),
      timestampTick: headers.map((h) => h.corecotick),
      twoTime,
    };
    await writeXpcsLegacyResults(ctx.output(`L1/${name}/${name}_results.hdf`), results, { configFile: hdf, outputData: config.outputData });
    await fsp.writeFile(ctx.output(`L1/${name}/${name}_g2_sectors.json`, { product: 'xpcs-sector-g2' }), JSON.stringify(sectorCurves(mtSectors, ctx.params.sectors)) + '\n');
    ctx.progress(steps, steps, `${name}: ${mt.dynamicBins.length} q bins, ${mt.taus.length} delays`);
  },
});
