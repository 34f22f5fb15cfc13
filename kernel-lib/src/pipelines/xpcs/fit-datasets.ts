/**
 * The fit datasets the 8-ID QC and plotting step read (gladier-xpcs `tools/xpcs_qc.py`,
 * `xpcs_plots.py`), which corr does not write (a separate fitting step did): per dynamic q,
 *   FIT1 single exponential  g2 = baseline + contrast exp(-2 t / tau)
 *   FIT2 stretched           g2 = baseline + contrast exp(-2 (t / tau)^exponent)
 * as `contrastFIT1`, `contrastErrFIT1`, `baselineFIT1`, ..., `tauFIT1/2` (seconds), `tauErrFIT1/2`,
 * `exponentFIT1/2`, `exponentErrFIT1/2` (FIT1: exponent fixed at 1, error 0; xpcs_qc.py reads only FIT2's,
 * stagebook's QC both), each (1, n_q), and `g2avgFIT1/2` = the fitted curve at each
 * delay, (1, n_tau, n_q) (xpcs_qc.py expects 3 dimensions). A q whose fit fails is NaN.
 */
import { fitG2Decay, g2Model, type G2Fit } from '../../analysis/g2-fit';
import type { CorrDataset } from '../../numeric/xpcs';

/** Fits every column of norm-0-g2 (delays in seconds) and returns the datasets by name. */
export function xpcsFitDatasets(
  tauSeconds: ArrayLike<number>,
  g2: CorrDataset,
  stderr: CorrDataset,
): Map<string, CorrDataset> {
  const [nd, nq] = g2.shape;
  const out = new Map<string, CorrDataset>();
  for (const k of [1, 2] as const) {
    const cols = {
      contrast: new Float64Array(nq),
      baseline: new Float64Array(nq),
      tau: new Float64Array(nq),
      exponent: new Float64Array(nq),
    };
    const errs = {
      contrast: new Float64Array(nq),
      baseline: new Float64Array(nq),
      tau: new Float64Array(nq),
      exponent: new Float64Array(nq),
    };
    const curve = new Float64Array(nd * nq).fill(NaN);
    for (let q = 0; q < nq; q++) {
      const y = Array.from({ length: nd }, (_, d) => g2.data[d * nq + q]);
      const e = Array.from({ length: nd }, (_, d) => stderr.data[d * nq + q]);
      const ok = y.map((v, i) => Number.isFinite(v) && Number.isFinite(e[i]) && e[i] > 0);
      let fit: G2Fit | null = null;
      try {
        const idx = ok.flatMap((o, i) => (o ? [i] : []));
        fit = fitG2Decay(
          idx.map((i) => tauSeconds[i]),
          idx.map((i) => y[i]),
          idx.map((i) => e[i]),
          { fitExponent: k === 2 },
        );
      } catch {
        fit = null; // too few usable delays: NaN columns, as a failed fit in the 8-ID step
      }
      const v = fit ?? {
        beta: NaN,
        baseline: NaN,
        tau: NaN,
        exponent: NaN,
        betaErr: NaN,
        baselineErr: NaN,
        tauErr: NaN,
        exponentErr: NaN,
      };
      cols.contrast[q] = v.beta;
      cols.baseline[q] = v.baseline;
      cols.tau[q] = v.tau;
      cols.exponent[q] = v.exponent;
      errs.contrast[q] = v.betaErr;
      errs.baseline[q] = v.baselineErr;
      errs.tau[q] = v.tauErr;
      errs.exponent[q] = k === 1 && fit ? 0 : v.exponentErr;
      if (fit)
        for (let d = 0; d < nd; d++)
          curve[d * nq + q] = g2Model(tauSeconds[d], fit.baseline, fit.beta, fit.tau, fit.exponent);
    }
    for (const name of ['contrast', 'baseline', 'tau', 'exponent'] as const) {
      out.set(`${name}FIT${k}`, { data: cols[name], shape: [1, nq] });
      out.set(`${name}ErrFIT${k}`, { data: errs[name], shape: [1, nq] });
    }
    out.set(`g2avgFIT${k}`, { data: curve, shape: [1, nd, nq] });
  }
  return out;
}
