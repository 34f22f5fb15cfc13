/**
 * Settings of the XPCS-Eigen `corr` engine (xpcs-eigen@08486b7 src/xpcs/configuration.cpp), as
 * data: every `/xpcs` field corr reads, already decoded (1-based frame numbers kept as stored).
 * The HDF5 reader (formats/xpcs/corr-config.ts) fills it and refuses what it cannot honour; this
 * schema is the boundary for callers that build settings in code (tests, oracle, notebooks).
 *
 * Two modes (docs/xpcs-corr.md lists every deviation):
 *  - `compat: 'xpcs-eigen'` reproduces corr bit for bit in float64 (its bugs included);
 *  - `compat: 'none'` (default) computes the correct result where corr has a bug.
 */
import { z } from 'zod';
import { StagebookError } from '../../errors/stagebook-error';

export const XPCS_CORR_MODES = ['none', 'xpcs-eigen'] as const;

const int = (min: number) => z.number().int().min(min);
const nonNeg = z.number().finite();

export const xpcsCorrSettingsSchema = z.strictObject({
  compat: z.enum(XPCS_CORR_MODES).default('none').describe("'xpcs-eigen' reproduces corr exactly (bugs included)"),
  shape: z.tuple([int(1), int(1)]).describe('[H, W] of the detector (y_dimension, x_dimension)'),
  dqmap: z
    .custom<ArrayLike<number>>((v) => v != null && typeof (v as ArrayLike<number>).length === 'number')
    .describe('H*W dynamic bins, 1-based, 0 = excluded'),
  sqmap: z
    .custom<ArrayLike<number>>((v) => v != null && typeof (v as ArrayLike<number>).length === 'number')
    .describe('H*W static bins, 1-based, 0 = excluded'),
  /** Pixels with mask 0 are excluded in the default mode; corr never reads /xpcs/mask. */
  mask: z
    .custom<ArrayLike<number>>((v) => v != null && typeof (v as ArrayLike<number>).length === 'number')
    .nullable()
    .default(null),
  dataBeginTodo: int(1),
  dataEndTodo: int(1),
  darkBeginTodo: int(0).default(0),
  darkEndTodo: int(0).default(0),
  lld: nonNeg.default(0),
  sigma: nonNeg.default(0),
  delaysPerLevel: int(1),
  strideFrames: int(1).default(1),
  avgFrames: int(1).default(1),
  staticMeanWindowSize: int(1),
  normalizeByFramesum: z.boolean().default(false),
  /** H*W flat field, or null when `/xpcs/flatfield_enabled` is not ENABLED. */
  flatfield: z
    .custom<ArrayLike<number>>((v) => v != null && typeof (v as ArrayLike<number>).length === 'number')
    .nullable()
    .default(null),
  analysisType: z.enum(['Multitau', 'Twotime']).default('Multitau'),
  smoothingMethod: z.enum(['symmetric', 'StaticMap']).default('symmetric'),
  smoothingFilter: z.enum(['Average', 'None']).default('None'),
  qphiBinToProcess: z.array(int(1)).default([]),
  twotime2onetimeWindowSize: int(1).default(1),
  /**
   * Inputs of partition_norm_factor (configuration.cpp:188-199); null when the file lacks one of
   * them (corr then divides by an uninitialised value): the dataset is then not written.
   */
  normFactor: z
    .strictObject({
      xPixelSize: nonNeg,
      yPixelSize: nonNeg,
      aduPerPhoton: nonNeg,
      exposureTime: nonNeg,
      efficiency: nonNeg,
      distance: nonNeg,
      beamIntensityTransmitted: nonNeg,
      thickness: nonNeg,
    })
    .nullable(),
  /** corr --g2out: per-pixel G2, IP, IF (n_tau, H*W). */
  g2out: z.boolean().default(false),
  /** corr --darkout: DarkAvg, DarkStd (H, W) when a dark block was used. */
  darkout: z.boolean().default(false),
  /** corr --frameout N: the first N preprocessed frames as frames_out (N, H, W); 0 = off. */
  frameout: int(0).default(0),
});
export type XpcsCorrSettingsInput = z.input<typeof xpcsCorrSettingsSchema>;
export type XpcsCorrSettings = z.output<typeof xpcsCorrSettingsSchema>;

/** Parses settings at the boundary; E_INVALID_ARGUMENT names the first bad field. */
export function parseXpcsCorrSettings(where: string, input: unknown): XpcsCorrSettings {
  const r = xpcsCorrSettingsSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue.path.join('.');
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: settings.${field}: ${issue.message}`, { where, field });
  }
  const s = r.data;
  const px = s.shape[0] * s.shape[1];
  for (const k of ['dqmap', 'sqmap', 'mask', 'flatfield'] as const) {
    const m = s[k];
    if (m !== null && m.length !== px) {
      throw new StagebookError(
        'E_INVALID_SHAPE',
        `${where}: settings.${k} has ${m.length} values, the ${s.shape[0]}x${s.shape[1]} detector ${px}`,
        { where, field: k },
      );
    }
  }
  return s;
}

/** The refusal every unsupported setting raises: names the field and its value. */
export function configUnsupported(where: string, field: string, value: unknown, why: string): never {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new StagebookError('E_CONFIG_UNSUPPORTED', `${where}: E_CONFIG_UNSUPPORTED: ${field} = ${shown}: ${why}`, {
    where,
    field,
    value: shown,
  });
}

/** Output frames N = (end - begin + 1) // (stride*avg) (configuration.cpp:594-601); the rest is dropped. */
export function corrFrameCounts(s: XpcsCorrSettings): { frames: number; realFrames: number; block: number } {
  const realFrames = s.dataEndTodo - s.dataBeginTodo + 1;
  const block = s.strideFrames * s.avgFrames;
  return { frames: Math.floor(realFrames / block), realFrames, block };
}

/**
 * Dark block as corr decides it (configuration.cpp:164-178): begin == end, or end == 0, means no
 * dark (an odd convention kept in both modes); otherwise end - begin + 1 frames.
 */
export function corrDarkFrames(s: XpcsCorrSettings): number {
  if (s.darkBeginTodo === s.darkEndTodo || s.darkEndTodo === 0) return 0;
  return s.darkEndTodo - s.darkBeginTodo + 1;
}

/** partition_norm_factor = 1/(eff adu preset (px/dist)(py/dist) flux thickness), configuration.cpp:188-199 order. */
export function corrNormFactor(s: XpcsCorrSettings): number | null {
  const n = s.normFactor;
  if (n === null) return null;
  let f = 1.0;
  f = f / n.efficiency / n.aduPerPhoton / n.exposureTime;
  f = f / (((n.xPixelSize / n.distance) * n.yPixelSize) / n.distance);
  f /= n.beamIntensityTransmitted;
  f /= n.thickness;
  return f;
}
