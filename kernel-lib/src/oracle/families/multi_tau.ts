/**
 * Oracle adapter for `multi_tau` (skbeam.core.correlation.multi_tau_auto_corr). Frames come inline
 * (`frames`, flat C order with `shape`) or from `frames_file` (JSON {frames, shape?, dtype?});
 * nulls are NaN. Compares g2 (rtol 1e-9), lag steps, ROI labels and pixel counts exactly, and
 * skbeam's accumulators G / past / future intensity and img_per_level.
 */
import { StagebookError } from '../../errors/stagebook-error';
import type { FrameData, Frames } from '../../numeric/frames';
import { multiTauAutoCorr } from '../../numeric/xpcs';
import type { OracleCase, OracleContext, OracleFamily } from '../types';

const G2_TOL = { rtol: 1e-9, atol: 0 };

function typed(dtype: string | undefined, values: (number | null)[]): FrameData {
  const v = values.map((x) => (x === null ? NaN : x));
  switch (dtype ?? 'float64') {
    case 'uint16':
      return Uint16Array.from(v);
    case 'uint32':
      return Uint32Array.from(v);
    case 'float32':
      return Float32Array.from(v);
    case 'float64':
      return Float64Array.from(v);
    default:
      throw new StagebookError('E_ORACLE_FORMAT', `unsupported frame dtype ${JSON.stringify(dtype)}`, {
        field: 'dtype',
      });
  }
}

/** Builds the [T, H, W] stack of an XPCS oracle case (shared by the three XPCS adapters). */
export function caseFrames(c: OracleCase, ctx: OracleContext): Frames {
  let values = c.frames as (number | null)[] | undefined;
  let shape = c.shape as [number, number, number] | undefined;
  let dtype = c.dtype as string | undefined;
  if (values === undefined && typeof c.frames_file === 'string') {
    const f = ctx.readJson(c.frames_file) as {
      frames?: (number | null)[];
      shape?: [number, number, number];
      dtype?: string;
    };
    values = f.frames;
    shape = shape ?? f.shape;
    dtype = dtype ?? f.dtype;
  }
  if (!Array.isArray(values) || !Array.isArray(shape)) {
    throw new StagebookError('E_ORACLE_FORMAT', `case ${c.id}: needs frames (or frames_file) and shape`, {
      field: 'frames',
    });
  }
  return { data: typed(dtype, values), shape: [shape[0], shape[1], shape[2]] };
}

export const multiTauFamily: OracleFamily = {
  family: 'multi_tau',
  runCase(c: OracleCase, check, ctx) {
    const frames = caseFrames(c, ctx);
    const res = multiTauAutoCorr(frames, c.labels as number[], {
      numLevels: c.num_levels as number,
      numBufs: c.num_bufs as number,
    });
    if (c.expected_error) return; // the runner expects the call above to have thrown
    const e = c.expected as Record<string, unknown>;
    const g2Shape = e.g2_shape as number[] | undefined;
    if (g2Shape) check.exact('g2_shape', [res.g2.length, res.roiLabels.length], g2Shape);
    else check.shape('g2', [res.g2.length, res.roiLabels.length], e.g2);
    check.close('g2', res.g2, e.g2, G2_TOL);
    check.exact('lag_steps', res.lagSteps, e.lag_steps);
    if (e.roi_labels !== undefined) check.exact('roi_labels', res.roiLabels, e.roi_labels);
    if (e.num_pixels !== undefined) check.exact('num_pixels', res.numPixels, e.num_pixels);
    if (e.G !== undefined) check.close('G', res.G, e.G, G2_TOL);
    if (e.past_intensity !== undefined) check.close('past_intensity', res.pastIntensity, e.past_intensity, G2_TOL);
    if (e.future_intensity !== undefined)
      check.close('future_intensity', res.futureIntensity, e.future_intensity, G2_TOL);
    if (e.img_per_level !== undefined) check.exact('img_per_level', res.imgPerLevel, e.img_per_level);
  },
};
