/**
 * L2 stage `xpcs-fit`: the L1 results of one dataset -> `L2/<name>/<name>_report.json` with
 *  - the decay fit per q bin, g2 = baseline + beta exp(-2 (t/tau)^k) (the 8-ID `*FIT1` model), with
 *    tau in frames and seconds and error bars from the sector scatter (see sectors.ts),
 *  - the QC checklist (gladier-xpcs xpcs_qc.py) for the multi-tau and, when present, two-time
 *    datasets,
 *  - the flattened search metadata (gladier-xpcs xpcs_metadata.py).
 * The fits are a separate step in the seed too (corr never writes them).
 */
import path from 'node:path';
import { promises as fsp } from 'node:fs';
import { z } from 'zod';
import { defineStage } from '../../engine/stage';
import { StagebookError } from '../../errors/stagebook-error';
import {
  checkXpcsFile,
  flattenXpcsMetadata,
  readXpcsLegacyConfig,
  readXpcsLegacyResults,
  type XpcsMetadata,
  type XpcsQcReport,
} from '../../formats/xpcs';
import { withHdf5 } from '../../formats/hdf5/reader';
import { datasetGroup, type XpcsSectorG2 } from './correlate-stage';
import { fitDecayWithSectors, type G2Curve, type XpcsDecayFit } from './sectors';

const fitParams = z.strictObject({
  fitExponent: z.boolean().default(false).describe('Fit the stretching exponent k (default: k = 1, simple diffusion)'),
  minTau: z.number().min(0).optional().describe('Ignore delays below this (frames)'),
  maxTau: z.number().min(0).optional().describe('Ignore delays above this (frames)'),
});
export type XpcsFitParams = z.output<typeof fitParams>;

/** One q bin of the L2 report. */
export interface XpcsReportFit extends XpcsDecayFit {
  /** q of the bin (1/A) from `/xpcs/dqlist`. */
  q: number;
  /** tau and its error in seconds (frames x exposure period). */
  tauSeconds: number;
  tauErrSeconds: number;
}

/** The L2 report (JSON). */
export interface XpcsReport {
  dataset: string;
  results: string;
  exposurePeriod: number;
  frames: number;
  fits: XpcsReportFit[];
  qc: { multitau: XpcsQcReport; twotime?: XpcsQcReport; ok: boolean };
  metadata: XpcsMetadata;
}

/** Reads an L2 report (with null -> NaN in the numeric fields JSON cannot hold). */
export async function readXpcsReport(file: string): Promise<XpcsReport> {
  const text = await fsp.readFile(file, 'utf8');
  return JSON.parse(text, (_k, v) => (v === null ? NaN : v)) as XpcsReport;
}

function column(flat: Float64Array, nRows: number, nCols: number, c: number): number[] {
  return Array.from({ length: nRows }, (_, r) => flat[r * nCols + c]);
}

/** The L2 fit + QC stage. */
export const xpcsFitStage = defineStage<XpcsFitParams>({
  name: 'xpcs-fit',
  version: 1,
  kind: 'merge',
  level: 'L2',
  product: 'xpcs-report',
  usesCore: false,
  after: ['xpcs-corr'],
  params: fitParams,
  groupBy: datasetGroup,
  description: 'Decay fits per q with sector error bars, QC checklist and flattened metadata',
  async run(ctx) {
    const results = ctx.inputs.find((f) => f.path.endsWith('_results.hdf'));
    const sectorsFile = ctx.inputs.find((f) => f.path.endsWith('_g2_sectors.json'));
    if (!results || !sectorsFile) {
      throw new StagebookError('E_NO_INPUTS', `${ctx.stage}: ${ctx.unit} lacks the L1 results or sector file`, {
        where: ctx.stage,
        input: ctx.unit,
      });
    }
    const name = path.basename(results.path).replace(/_results\.hdf$/, '');
    const config = await readXpcsLegacyConfig(results.path);
    const ex = await readXpcsLegacyResults(results.path, config.outputData);
    const [nTau, nQ] = ex['norm-0-g2'].shape;
    const taus = Array.from(ex.tau.data);
    const sectors = JSON.parse(await fsp.readFile(sectorsFile.path, 'utf8'), (_k, v) =>
      v === null ? NaN : v,
    ) as XpcsSectorG2;
    const dq = await dqList(results.path);
    const bins = Array.from(new Set(Array.from(config.dqmap.data).filter((b) => b > 0))).sort((a, b) => a - b);
    // One correlated frame spans stride x avg detector frames (corr's blocks).
    const period = config.detector.exposurePeriod * config.strideFrames * config.avgFrames;
    const options = { fitExponent: ctx.params.fitExponent, minTau: ctx.params.minTau, maxTau: ctx.params.maxTau };
    const fits: XpcsReportFit[] = bins.map((bin, i) => {
      ctx.progress(i, nQ, `fit q bin ${bin}`);
      const ring: G2Curve = {
        taus,
        g2: column(ex['norm-0-g2'].data, nTau, nQ, i),
        stderr: column(ex['norm-0-stderr'].data, nTau, nQ, i),
      };
      const parts = sectors.curves
        .filter((c) => c.bin === bin)
        .map((c) => ({ taus: sectors.taus, g2: c.g2, stderr: c.stderr }));
      const f = fitDecayWithSectors(bin, ring, parts, options);
      return { ...f, q: dq[bin - 1] ?? bin, tauSeconds: f.tau * period, tauErrSeconds: f.tauErr * period };
    });
    const multitau = await checkXpcsFile(results.path, { analysisType: 'Multitau', outputData: config.outputData });
    const twotime =
      'g2full' in ex
        ? await checkXpcsFile(results.path, { analysisType: 'Twotime', outputData: config.outputData })
        : undefined;
    const metadata = await flattenXpcsMetadata(results.path);
    const report: XpcsReport = {
      dataset: name,
      results: path.relative(ctx.root, results.path),
      exposurePeriod: period,
      frames: ex.frameSum.shape[1],
      fits,
      qc: { multitau, twotime, ok: multitau.ok && (twotime?.ok ?? true) },
      metadata,
    };
    ctx.log.info(
      `${name}: ${fits.map((f) => `q${f.bin} tau ${f.tau.toFixed(2)}+-${f.tauErr.toFixed(2)}`).join(', ')}; QC ${report.qc.ok ? 'ok' : 'FAILED'}`,
    );
    await ctx.writeJson(`L2/${name}/${name}_report.json`, report);
    ctx.progress(nQ, nQ, `${name}: ${nQ} fits, QC ${report.qc.ok ? 'ok' : 'failed'}`);
  },
});

/** `/xpcs/dqlist` (q per dynamic bin, 1/A); empty when absent. */
function dqList(file: string): Promise<number[]> {
  return withHdf5(
    file,
    (r) => (r.has('/xpcs/dqlist') ? Array.from(r.readNumeric('/xpcs/dqlist', 'xpcs-fit').data) : []),
    'xpcs-fit',
  );
}
