/**
 * Oracle adapter for `xpcs_eigen_preproc` (../shared/oracle/README-xpcs-preproc.md): each case is a
 * full `corr` run (config + IMM frames -> every /exchange dataset). Run through `xpcsCorr` in
 * compat mode (`compat: 'xpcs-eigen'`); tolerance as the README defines it for a float64
 * implementation: |a - e| <= float64_rtol * max(|e|, float64_atol_frac * max|e| of the dataset); tau, frameSum row 0, written timestamps, shapes and NaN positions exact.
 */
import { ArrayCorrSource, xpcsCorr, type CorrRawFrame, type XpcsCorrSettingsInput } from '../../numeric/xpcs';
import type { Checker } from '../compare';
import { flatten } from '../compare';
import type { OracleCase, OracleFamily } from '../types';

type Rec = Record<string, unknown>;

/** The case's IMM frames as a corr source (dense: C-order T*H*W; sparse: per-frame index/value lists). */
export function preprocSource(c: OracleCase): ArrayCorrSource {
  const dense = c.dense as Rec | undefined;
  const sparse = c.sparse as Rec | undefined;
  const d = (dense ?? sparse)!;
  const [T, H, W] = d.shape as number[];
  const elapsed = d.elapsed as number[];
  const tick = d.corecotick as number[];
  const frames: CorrRawFrame[] = [];
  for (let t = 0; t < T; t++) {
    if (dense)
      frames.push({
        elapsed: elapsed[t],
        tick: tick[t],
        dense: (dense.frames as number[]).slice(t * H * W, (t + 1) * H * W),
      });
    else
      frames.push({
        elapsed: elapsed[t],
        tick: tick[t],
        indices: (sparse!.index as number[][])[t],
        values: (sparse!.value as number[][])[t],
      });
  }
  return new ArrayCorrSource(!dense, frames, `oracle ${c.id}`);
}

/** corr settings from the case's `/xpcs` config and `/measurement` scalars. */
export function preprocSettings(c: OracleCase, compat: 'xpcs-eigen' | 'none'): XpcsCorrSettingsInput {
  const k = c.config as Rec;
  const m = c.measurement as Rec;
  const outputs = (c.outputs as Rec | undefined) ?? {};
  const num = (name: string, dflt = 0) => (k[name] === undefined ? dflt : (k[name] as number));
  const smoothing = String(k.smoothing_method ?? 'symmetric').toLowerCase() === 'staticmap' ? 'StaticMap' : 'symmetric';
  return {
    compat,
    shape: [m.y_dimension as number, m.x_dimension as number],
    dqmap: k.dqmap as number[],
    sqmap: k.sqmap as number[],
    mask: (k.mask as number[] | undefined) ?? null,
    dataBeginTodo: num('data_begin_todo'),
    dataEndTodo: num('data_end_todo'),
    darkBeginTodo: num('dark_begin_todo'),
    darkEndTodo: num('dark_end_todo'),
    lld: num('lld'),
    sigma: num('sigma'),
    delaysPerLevel: num('delays_per_level'),
    strideFrames: num('stride_frames', 1),
    avgFrames: num('avg_frames', 1),
    staticMeanWindowSize: num('static_mean_window_size'),
    normalizeByFramesum: num('normalize_by_framesum') !== 0,
    flatfield: k.flatfield_enabled === 'ENABLED' ? (k.flatfield as number[]) : null,
    analysisType: k.analysis_type === 'Twotime' ? 'Twotime' : 'Multitau',
    smoothingMethod: smoothing,
    smoothingFilter: String(k.smoothing_filter ?? 'None').toLowerCase() === 'average' ? 'Average' : 'None',
    qphiBinToProcess: (k.qphi_bin_to_process as number[] | undefined) ?? [],
    twotime2onetimeWindowSize: num('twotime2onetime_window_size', 1),
    normFactor: {
      xPixelSize: m.x_pixel_size as number,
      yPixelSize: m.y_pixel_size as number,
      aduPerPhoton: m.adu_per_photon as number,
      exposureTime: m.exposure_time as number,
      efficiency: m.efficiency as number,
      distance: m.distance as number,
      beamIntensityTransmitted: m.beam_intensity_transmitted as number,
      thickness: m.thickness as number,
    },
    g2out: outputs.g2out === true,
    darkout: outputs.darkout === true,
    frameout: typeof outputs.frameout === 'number' ? outputs.frameout : 0,
  };
}

/** README rule: |a - e| <= rtol * max(|e|, frac * max|e| over the dataset); NaN positions exact. */
export function checkPreprocDataset(
  check: Checker,
  name: string,
  actual: ArrayLike<number>,
  expected: number[],
  rtol: number,
  frac: number,
): void {
  if (actual.length !== expected.length)
    return check.fail(`${name}: ${actual.length} values, expected ${expected.length}`);
  let scale = 0;
  for (const e of expected) if (!Number.isNaN(e)) scale = Math.max(scale, Math.abs(e));
  let worst = -1;
  let worstRatio = 1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) return check.fail(`${name}[${i}]: ${a} != expected ${e} (NaN position)`);
      continue;
    }
    const bound = rtol * Math.max(Math.abs(e), frac * scale);
    const ratio = bound > 0 ? Math.abs(a - e) / bound : a === e ? 0 : Infinity;
    if (ratio > worstRatio) [worst, worstRatio] = [i, ratio];
  }
  if (worst >= 0)
    check.fail(
      `${name}[${worst}]: ${actual[worst]} vs expected ${expected[worst]} (${worstRatio.toExponential(3)}x the tolerance, rtol ${rtol})`,
    );
}

/** Rows 0 and the written entries of row 1 (null = never written by corr: not compared), exactly. */
function checkTimestamps(check: Checker, name: string, actual: ArrayLike<number>, expected: unknown): void {
  const e = expected as (number | null)[][];
  const n = e[0].length;
  for (let r = 0; r < 2; r++) {
    for (let i = 0; i < n; i++) {
      if (e[r][i] === null) continue;
      if (actual[r * n + i] !== e[r][i])
        return check.fail(`${name}[${r}][${i}]: ${actual[r * n + i]} != expected ${e[r][i]}`);
    }
  }
}

export function compareCorrCase(
  check: Checker,
  c: OracleCase,
  datasets: Map<string, { data: Float64Array; shape: number[] }>,
  rtol: number,
  frac: number,
): void {
  // C2T_all is a group in the case ({"g2_00001": matrix}); stagebook keys its datasets by path.
  const expected: Rec = {};
  const shapes: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(c.expected as Rec)) {
    if (k === 'C2T_all') for (const [g, m] of Object.entries(v as Rec)) expected[`C2T_all/${g}`] = m;
    else expected[k] = v;
  }
  for (const [k, v] of Object.entries(c.expected_shapes as Rec)) {
    if (k === 'C2T_all') for (const [g, m] of Object.entries(v as Rec)) shapes[`C2T_all/${g}`] = m as number[];
    else shapes[k] = v as number[];
  }
  for (const name of new Set([...Object.keys(shapes), ...datasets.keys()])) {
    const got = datasets.get(name);
    if (!got) {
      check.fail(`${name}: not produced`);
      continue;
    }
    if (!shapes[name]) {
      check.fail(`${name}: produced but corr does not write it`);
      continue;
    }
    if (got.shape.join(',') !== shapes[name].join(',')) {
      check.fail(`${name}: shape [${got.shape}] != expected [${shapes[name]}]`);
      continue;
    }
    if (name === 'timestamp_clock' || name === 'timestamp_tick') {
      checkTimestamps(check, name, got.data, expected[name]);
      continue;
    }
    const e = flatten(expected[name]);
    if (name === 'tau') {
      check.exact(name, got.data, e);
      continue;
    }
    if (name === 'frameSum')
      check.exact('frameSum[0]', got.data.subarray(0, shapes[name][1]), e.slice(0, shapes[name][1]));
    checkPreprocDataset(check, name, got.data, e, rtol, frac);
  }
}

/**
 * Cases run in compat mode unless they say `compat: 'none'` (stagebook's own cases from
 * scripts/fixtures/xpcs/gen_cases.py, which also carry `outputs`: g2out/darkout/frameout).
 */
export const xpcsEigenPreprocFamily: OracleFamily = {
  family: 'xpcs_eigen_preproc',
  runCase(c: OracleCase, check) {
    const res = xpcsCorr(preprocSource(c), preprocSettings(c, c.compat === 'none' ? 'none' : 'xpcs-eigen'));
    if (c.expected_error) return;
    const tol = c.tolerance as Rec;
    compareCorrCase(check, c, res.datasets, tol.float64_rtol as number, tol.float64_atol_frac as number);
  },
};
