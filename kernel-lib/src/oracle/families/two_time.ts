/**
 * Oracle adapter for `two_time` (skbeam.core.correlation.two_time_corr and
 * one_time_from_two_time): g2 [roi][t1][t2] and the diagonal means at rtol 1e-9, lag steps and
 * ROI labels exactly.
 */
import { oneTimeFromTwoTime, twoTimeCorr } from '../../numeric/xpcs';
import type { OracleCase, OracleFamily } from '../types';
import { caseFrames } from './multi_tau';

const TOL = { rtol: 1e-9, atol: 0 };

export const twoTimeFamily: OracleFamily = {
  family: 'two_time',
  runCase(c: OracleCase, check, ctx) {
    const frames = caseFrames(c, ctx);
    const res = twoTimeCorr(frames, c.labels as number[], {
      numBufs: c.num_bufs as number,
      numLevels: (c.num_levels as number | undefined) ?? 1,
      numFrames: (c.num_frames as number | undefined) ?? frames.shape[0],
    });
    if (c.expected_error) return;
    const e = c.expected as Record<string, unknown>;
    const nf = res.numFrames;
    const nested = res.g2.map((m) =>
      Array.from({ length: nf }, (_, a) => Array.from(m.subarray(a * nf, (a + 1) * nf))),
    );
    check.shape('g2', [res.g2.length, nf, nf], e.g2);
    check.close('g2', nested, e.g2, TOL);
    check.exact('lag_steps', res.lagSteps, e.lag_steps);
    if (e.roi_labels !== undefined) check.exact('roi_labels', res.roiLabels, e.roi_labels);
    if (e.one_time_from_two_time !== undefined)
      check.close('one_time_from_two_time', oneTimeFromTwoTime(res), e.one_time_from_two_time, TOL);
  },
};
