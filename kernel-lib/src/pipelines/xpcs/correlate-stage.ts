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
import { join } from 'node:path';
import { withHdf5 } from '../../formats/hdf5/reader';
import { readXpcsCorrConfig } from '../../formats/xpcs/corr-config';
import { writeXpcsCorrResults } from '../../formats/xpcs/corr-results';
import { runInWorkers } from '../../numeric/parallel/pool';
import type { XpcsCorrResult, XpcsCorrSettings } from '../../numeric/xpcs';
import { corrFrameCounts } from '../../numeric/xpcs/corr-settings';
import { correlateXpcsFile } from './corr-file';
import { xpcsFitDatasets } from './fit-datasets';
import { xpcsCorrPassTask, type CorrPassResult, type CorrPassTask } from './corr-task';
import { frameKindOf, type FrameFileKind } from './frame-source';
import { sectorMap } from './sectors';

const TASK = join(__dirname, 'corr-task.ts');
const PERIOD = '/measurement/instrument/detector/exposure_period';

const corrParams = z.strictObject({
  threads: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(2)
    .describe(
      'Threads: the sector and two-time passes run in workers beside the main pass (results are identical for any value)',
    ),
  twoTime: z.boolean().default(true).describe('Also compute the two-time correlation (C2T_all, g2full, g2partials)'),
  twoTimeMaxFrames: z
    .number()
    .int()
    .min(2)
    .default(4000)
    .describe('Refuse two-time above this many frames (the maps take frames^2 x 8 bytes per q bin)'),
  compat: z
    .enum(['none', 'xpcs-eigen'])
    .default('none')
    .describe("'xpcs-eigen' reproduces corr exactly, bugs included (docs/xpcs-corr.md); 'none' fixes them"),
  sectors: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(16)
    .describe('Azimuthal sectors per q ring for the error estimate of the fitted decay times'),
});
export type XpcsCorrParams = z.output<typeof corrParams>;

/** Group key of an input: its dataset directory (relative to the root when inside it). */
export function datasetGroup(input: FileRef, root: string): string {
  const dir = path.dirname(input.path);
  const rel = path.relative(root, dir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : path.basename(dir);
}

/**
 * The one frame file (`.imm`, Rigaku `.bin`, or an HDF5 stack `.h5`/`.hdf5`) and the one `.hdf`
 * configuration of a dataset unit (gladier-xpcs: one .imm and one .hdf per directory; the other
 * frame formats corr reads are accepted the same way). E_INVALID_ARGUMENT otherwise.
 */
export function datasetFiles(
  stage: string,
  unit: string,
  inputs: readonly FileRef[],
): { imm: string; frames: string; kind: FrameFileKind; hdf: string; name: string } {
  const frames = inputs.filter((f) => /\.(imm|bin|h5|hdf5)$/i.test(f.path));
  const hdf = inputs.filter((f) => /\.hdf$/i.test(f.path));
  if (frames.length !== 1 || hdf.length !== 1) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${stage}: dataset ${unit} must hold exactly one frame file (.imm, .bin or .h5 stack) and one .hdf configuration (gladier-xpcs rule), found ${frames.length} and ${hdf.length}`,
      { where: stage, field: 'inputs', input: unit },
    );
  }
  const f = frames[0].path;
  return {
    imm: f,
    frames: f,
    kind: frameKindOf(f),
    hdf: hdf[0].path,
    name: path.basename(hdf[0].path).replace(/\.hdf$/i, ''),
  };
}

/** Mean of C[m, m+lag] within each window of `w` frames: (w, n_partials, n_q), like corr's g2partials. */
export function twoTimePartials(
  maps: Float64Array[],
  numFrames: number,
  w: number,
): { data: Float64Array; shape: [number, number, number] } {
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

/** Sector-resolved multi-tau (same ladder and normalisation), keyed by ring and sector. */
export interface XpcsSectorG2 {
  taus: number[];
  sectors: number;
  curves: Array<{ bin: number; sector: number; g2: number[]; stderr: number[] }>;
}

function sectorCurves(r: Pass, sectors: number): XpcsSectorG2 {
  const g2 = r.datasets.get('norm-0-g2')!;
  const se = r.datasets.get('norm-0-stderr')!;
  const [nd, nq] = g2.shape;
  const col = (d: Float64Array, i: number) => Array.from({ length: nd }, (_, t) => d[t * nq + i]);
  return {
    taus: r.delays.map(([, t]) => t),
    sectors,
    curves: r.dynamicBins.map((b, i) => ({
      bin: Math.floor((b - 1) / sectors) + 1,
      sector: (b - 1) % sectors,
      g2: col(g2.data, i).map((v) => (Number.isFinite(v) ? v : NaN)),
      stderr: col(se.data, i),
    })),
  };
}

type Pass = Pick<XpcsCorrResult, 'datasets' | 'frames' | 'delays' | 'dynamicBins'>;

/**
 * Extra engine passes over the same frames (sector maps, the two-time pass), in worker threads
 * while `main` runs here when threads > 1, else one after the other. Same results either way.
 */
async function withPasses(
  file: string,
  kind: FrameFileKind,
  base: XpcsCorrSettings,
  changes: Array<Partial<XpcsCorrSettings>>,
  threads: number,
  main: () => Promise<void>,
): Promise<Pass[]> {
  const tasks: CorrPassTask[] = changes.map((c) => ({
    file,
    kind,
    settings: { ...base, g2out: false, darkout: false, frameout: 0, ...c },
  }));
  const toPass = (r: CorrPassResult): Pass => ({ ...r, datasets: new Map(r.datasets) });
  if (threads > 1) {
    const pending = runInWorkers<CorrPassTask, CorrPassResult>(TASK, 'xpcsCorrPassTask', tasks, {
      threads: threads - 1,
    });
    pending.catch(() => undefined); // observed below
    await main();
    return (await pending).map(toPass);
  }
  await main();
  const out: Pass[] = [];
  for (const t of tasks) out.push(toPass(await xpcsCorrPassTask(t)));
  return out;
}

/** The L1 correlation stage. */
export const xpcsCorrStage = defineStage<XpcsCorrParams>({
  name: 'xpcs-corr',
  version: 1,
  kind: 'merge',
  level: 'L1',
  product: 'xpcs-results',
  params: corrParams,
  groupBy: datasetGroup,
  description:
    'IMM frames + legacy config -> multi-tau (XPCS-Eigen), two-time and intensity products in the legacy /exchange layout',
  async run(ctx) {
    const { frames, kind, hdf, name } = datasetFiles(ctx.stage, ctx.unit, ctx.inputs);
    const steps = ctx.params.twoTime ? 4 : 3;
    ctx.progress(0, steps, `corr ${path.basename(hdf)} (every /xpcs setting honoured or refused)`);
    const config = await readXpcsCorrConfig(hdf, { compat: ctx.params.compat });
    const s = config.settings;
    const sec = sectorMap(s.dqmap, s.shape, ctx.params.sectors);
    const changes: Array<Partial<XpcsCorrSettings>> = [
      { dqmap: sec, sqmap: sec, mask: null, analysisType: 'Multitau' },
    ];
    const N = corrFrameCounts(s).frames;
    const bins = [...new Set(Array.from(s.dqmap).filter((b) => b >= 1))].sort((a, b) => a - b);
    if (s.analysisType === 'Twotime') changes.push({ analysisType: 'Multitau' });
    else if (ctx.params.twoTime) {
      if (N > ctx.params.twoTimeMaxFrames) {
        throw new StagebookError(
          'E_INVALID_ARGUMENT',
          `${ctx.stage}: ${N} frames exceed twoTimeMaxFrames (${ctx.params.twoTimeMaxFrames}); raise it or set twoTime: false`,
          { where: ctx.stage, field: 'twoTimeMaxFrames', input: ctx.unit },
        );
      }
      changes.push({
        analysisType: 'Twotime',
        qphiBinToProcess: bins,
        twotime2onetimeWindowSize: Math.max(1, Math.min(s.twotime2onetimeWindowSize, N)),
      });
    }
    ctx.log.info(
      `${name}: ${N} frames ${s.shape[0]}x${s.shape[1]} (frames ${s.dataBeginTodo}-${s.dataEndTodo}, stride ${s.strideFrames}, avg ${s.avgFrames}, dark ${s.darkBeginTodo}-${s.darkEndTodo}), ${s.analysisType}`,
    );
    let result: XpcsCorrResult | undefined;
    const [mtSectors, extra] = await withPasses(frames, kind, s, changes, ctx.params.threads, async () => {
      ctx.progress(
        1,
        steps,
        `multi-tau per sector (${ctx.params.sectors} per ring) and ${changes.length > 1 ? 'the extra pass' : 'no extra pass'}`,
      );
      result = (await correlateXpcsFile(hdf, { [kind]: frames, output: null, compat: ctx.params.compat })).result;
    });
    const datasets = new Map(result!.datasets);
    let mt: Pass = result!;
    if (extra && s.analysisType === 'Twotime') {
      mt = extra;
      for (const k of ['tau', 'norm-0-g2', 'norm-0-stderr']) datasets.set(k, extra.datasets.get(k)!);
    } else if (extra)
      for (const [n, d] of extra.datasets) if (/^(C2T_all\/|g2full$|g2partials$|sg$)/.test(n)) datasets.set(n, d);
    // The fit datasets the 8-ID QC and plots read (*FIT1, *FIT2, g2avgFIT1/2), delays in seconds.
    const period = await withHdf5(hdf, (r) => (r.has(PERIOD) ? r.readScalar(PERIOD, ctx.stage) : 1), ctx.stage);
    const tauSeconds = mt.delays.map(([, t]) => t * period * s.strideFrames * s.avgFrames);
    for (const [k, v] of xpcsFitDatasets(tauSeconds, datasets.get('norm-0-g2')!, datasets.get('norm-0-stderr')!))
      datasets.set(k, v);
    ctx.progress(steps - 1, steps, 'write results');
    await writeXpcsCorrResults(ctx.output(`L1/${name}/${name}_results.hdf`), datasets, {
      sourceFile: hdf,
      outputData: config.outputData,
    });
    await fsp.writeFile(
      ctx.output(`L1/${name}/${name}_g2_sectors.json`, { product: 'xpcs-sector-g2' }),
      JSON.stringify(sectorCurves(mtSectors, ctx.params.sectors)) + '\n',
    );
    ctx.progress(steps, steps, `${name}: ${mt.dynamicBins.length} q bins, ${mt.delays.length} delays`);
  },
});
