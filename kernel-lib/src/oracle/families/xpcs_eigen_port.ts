/**
 * Oracle adapter for `xpcs_eigen_port` (float64 port of XPCS-Eigen Corr::multiTau2 +
 * normalizeG2s): taus, levels, level_max and dynamic bins exactly, g2 and stderr at rtol 1e-9.
 */
import { xpcsMultiTau } from '../../numeric/xpcs';
import type { OracleCase, OracleFamily } from '../types';
import { caseFrames } from './multi_tau';

const TOL = { rtol: 1e-9, atol: 0 };

export const xpcsEigenPortFamily: OracleFamily = {
  family: 'xpcs_eigen_port',
  runCase(c: OracleCase, check, ctx) {
    const frames = caseFrames(c, ctx);
    const res = xpcsMultiTau(frames, c.dqmap as number[], c.sqmap as number[], {
      delaysPerLevel: (c.dpl ?? c.delays_per_level) as number,
    });
    if (c.expected_error) return;
    const e = c.expected as Record<string, unknown>;
    if (e.level_max !== undefined) check.equal('level_max', res.levelMax, e.level_max);
    check.exact('taus', res.taus, e.taus);
    if (e.levels !== undefined) check.exact('levels', res.levels, e.levels);
    if (e.dynamic_bins !== undefined) check.exact('dynamic_bins', res.dynamicBins, e.dynamic_bins);
    check.shape('g2', [res.g2.length, res.dynamicBins.length], e.g2);
    check.close('g2', res.g2, e.g2, TOL);
    if (e.stderr !== undefined) check.close('stderr', res.stderr, e.stderr, TOL);
  },
};
