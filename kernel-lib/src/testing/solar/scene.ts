/**
 * The simulated Sun of one UTC day (deterministic from a seed): a quiet Sun with limb brightening,
 * active regions (bright, non-flaring, some close together), and flares injected with known
 * start/peak/end times, helioprojective positions (arcsec) and GOES class. Every instrument
 * simulator (AIA, SXI, GOES XRS) renders from the same scene, so a pipeline's results can be
 * checked against the truth: a flare's XRS-B peak is its class, its EUV response peaks earlier in
 * hotter channels, and its position is where the injected brightening is.
 */
import { createHash } from 'node:crypto';
import { StagebookError } from '../../errors/stagebook-error';

/** AIA's six EUV channels (Angstrom), hottest response first as used for the flare lags. */
export const AIA_CHANNELS = ['94', '131', '171', '193', '211', '335'] as const;
export type AiaChannel = (typeof AIA_CHANNELS)[number];

/** A flare to inject. */
export interface FlareInput {
  /** ISO times (UTC). */
  start: string;
  peak: string;
  end: string;
  /** Helioprojective position (arcsec, x west, y north). */
  x: number;
  y: number;
  /** GOES class (`C4.0`, `M1.2`, ...): the XRS-B peak flux. */
  goesClass: string;
  /** Whether the HEK-style archive knows this flare (default true). */
  inHek?: boolean;
}

/** An injected flare with derived facts. */
export interface InjectedFlare extends Required<FlareInput> {
  id: string;
  /** XRS-B peak flux (W m^-2). */
  peakFlux: number;
  startMs: number;
  peakMs: number;
  endMs: number;
  /** NOAA number of the active region it sits in. */
  noaa: number;
}

/** An active region (a Gaussian brightening, also a HARP). */
export interface ActiveRegion {
  noaa: number;
  harpnum: number;
  x: number;
  y: number;
  /** Gaussian sigma (arcsec). */
  sigma: number;
  /** Peak brightness in units of the quiet-Sun disc. */
  brightness: number;
}

/** Options of a scene. */
export interface SolarSceneOptions {
  /** UTC day `YYYY-MM-DD` (default 2011-02-08, the day of ALEXIS's example flare). */
  date?: string;
  seed?: number;
  flares?: FlareInput[];
  /** One in N frames is defective (bad QUALITY cases); 0 = none. Default 97. */
  badFrameEvery?: number;
  /** One in N catalogued files is missing from the archive (404); 0 = none. Default 211. */
  missingEvery?: number;
  /**
   * Data gaps (ISO times). Default: a 10-minute AIA 211 gap at 09:00 and a 30-minute SXI gap at
   * 16:00, away from the default flares.
   */
  gaps?: Array<{ instrument: 'aia' | 'sxi'; channel?: string; start: string; end: string }>;
}

/** A resolved scene. */
export interface SolarScene {
  date: string;
  dayStartMs: number;
  seed: number;
  flares: InjectedFlare[];
  activeRegions: ActiveRegion[];
  /** Apparent solar radius (arcsec) and Sun-observer distance (m) for the day. */
  rsunArcsec: number;
  dsunM: number;
  badFrameEvery: number;
  missingEvery: number;
  /** Data gaps (no frames at all): per instrument, optionally one AIA channel. */
  gaps: DataGap[];
}

/** A time range without data. */
export interface DataGap {
  instrument: 'aia' | 'sxi';
  channel?: string;
  startMs: number;
  endMs: number;
}

/** True when a frame time falls in a gap. */
export function inGap(scene: SolarScene, instrument: 'aia' | 'sxi', channel: string, tMs: number): boolean {
  return scene.gaps.some(
    (g) =>
      g.instrument === instrument &&
      (g.channel === undefined || g.channel === channel) &&
      tMs >= g.startMs &&
      tMs < g.endMs,
  );
}

const CLASS_DECADE: Record<string, number> = { A: 1e-8, B: 1e-7, C: 1e-6, M: 1e-5, X: 1e-4 };

/** GOES class text -> XRS-B flux (W m^-2); `C4` = `C4.0` = 4e-6. */
export function goesClassFlux(goesClass: string): number {
  const m = /^\s*([ABCMX])\s*(\d+(?:\.\d*)?)\s*$/i.exec(goesClass);
  if (!m)
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `goesClassFlux: class ${JSON.stringify(goesClass)} is not a GOES class like C4.0`,
      { where: 'goesClassFlux', field: 'goesClass' },
    );
  return CLASS_DECADE[m[1].toUpperCase()] * Number(m[2]);
}

/** Default flares: the ALEXIS example (C4.0 at 21:11:00.08) and two more, in three active regions. */
export function defaultFlares(date = '2011-02-08'): FlareInput[] {
  const t = (hms: string): string => `${date}T${hms}Z`;
  return [
    { start: t('04:18:00'), peak: t('04:30:00'), end: t('04:52:00'), x: 520, y: -210, goesClass: 'M1.2', inHek: true },
    {
      start: t('12:58:00'),
      peak: t('13:05:00'),
      end: t('13:20:00'),
      x: -140,
      y: -360,
      goesClass: 'C1.8',
      inHek: false,
    },
    {
      start: t('21:02:00'),
      peak: t('21:11:00.080'),
      end: t('21:25:00'),
      x: -380,
      y: 260,
      goesClass: 'C4.0',
      inHek: true,
    },
  ];
}

function parseIso(where: string, field: string, s: string): number {
  const ms = Date.parse(s);
  if (!Number.isFinite(ms))
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: ${field}: cannot parse time ${JSON.stringify(s)}`, {
      where,
      field,
    });
  return ms;
}

/** Builds the scene: active regions under every flare plus non-flaring ones (two of them close together). */
export function makeSolarScene(options: SolarSceneOptions = {}): SolarScene {
  const where = 'makeSolarScene';
  const date = options.date ?? '2011-02-08';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
    throw new StagebookError('E_INVALID_ARGUMENT', `${where}: date must be YYYY-MM-DD, got ${JSON.stringify(date)}`, {
      where,
      field: 'date',
    });
  const dayStartMs = Date.parse(`${date}T00:00:00Z`);
  const inputs = options.flares ?? defaultFlares(date);
  const ars: ActiveRegion[] = [];
  let noaa = 11150;
  let harp = 370;
  const flares = inputs.map((f, i): InjectedFlare => {
    const startMs = parseIso(where, `flares[${i}].start`, f.start);
    const peakMs = parseIso(where, `flares[${i}].peak`, f.peak);
    const endMs = parseIso(where, `flares[${i}].end`, f.end);
    if (!(startMs < peakMs && peakMs < endMs))
      throw new StagebookError('E_INVALID_ARGUMENT', `${where}: flares[${i}]: start < peak < end is required`, {
        where,
        field: `flares[${i}]`,
      });
    if (Math.hypot(f.x, f.y) > 900)
      throw new StagebookError(
        'E_INVALID_ARGUMENT',
        `${where}: flares[${i}]: position (${f.x}, ${f.y}) is not on the disc (radius < 900")`,
        { where, field: `flares[${i}].x` },
      );
    const region = { noaa: noaa++, harpnum: harp++, x: f.x + 6, y: f.y - 4, sigma: 28, brightness: 6 };
    ars.push(region);
    return {
      ...f,
      inHek: f.inHek ?? true,
      id: `flare-${i + 1}`,
      peakFlux: goesClassFlux(f.goesClass),
      startMs,
      peakMs,
      endMs,
      noaa: region.noaa,
    };
  });
  // Non-flaring regions: a close pair (their peaks merge into one DBSCAN cluster or not depending on eps) and one near the limb.
  for (const [x, y, b] of [
    [180, 120, 5],
    [245, 150, 4.5],
    [-870, 60, 4],
  ])
    ars.push({ noaa: noaa++, harpnum: harp++, x, y, sigma: 30, brightness: b });
  return {
    date,
    dayStartMs,
    seed: options.seed ?? 1,
    flares,
    activeRegions: ars,
    rsunArcsec: 975.3,
    dsunM: 1.4757e11,
    badFrameEvery: options.badFrameEvery ?? 97,
    missingEvery: options.missingEvery ?? 211,
    gaps: options.gaps
      ? options.gaps.map((g, i) => ({
          instrument: g.instrument,
          ...(g.channel === undefined ? {} : { channel: g.channel }),
          startMs: parseIso(where, `gaps[${i}].start`, g.start),
          endMs: parseIso(where, `gaps[${i}].end`, g.end),
        }))
      : [
          {
            instrument: 'aia',
            channel: '211',
            startMs: dayStartMs + 9 * 3_600_000,
            endMs: dayStartMs + 9 * 3_600_000 + 600_000,
          },
          { instrument: 'sxi', startMs: dayStartMs + 16 * 3_600_000, endMs: dayStartMs + 16.5 * 3_600_000 },
        ],
  };
}

/**
 * Time profile of a flare (0..1): Gaussian rise to the peak, exponential decay after it; `lagS`
 * shifts the peak (EUV channels lag or lead the X-ray peak).
 */
export function flareProfile(f: InjectedFlare, tMs: number, lagS = 0): number {
  const peak = f.peakMs + lagS * 1000;
  if (tMs < f.startMs - 600_000 || tMs > f.endMs + 3_600_000) return 0;
  if (tMs <= peak) {
    const tr = (f.peakMs - f.startMs) / 2.5;
    return Math.exp(-(((tMs - peak) / tr) ** 2));
  }
  return Math.exp(-(tMs - peak) / ((f.endMs - f.peakMs) / 3));
}

/** Seconds each AIA channel's flare response is shifted from the XRS peak: hotter channels peak earlier. */
export const AIA_FLARE_LAG_S: Record<AiaChannel, number> = {
  '131': -90,
  '94': -45,
  '335': 0,
  '211': 45,
  '193': 75,
  '171': 120,
};

/** A stable 32-bit hash of parts (frame defects, missing files, noise seeds). */
export function stableHash(...parts: Array<string | number>): number {
  return createHash('sha256').update(parts.join('|')).digest().readUInt32LE(0);
}

/** Start of the UTC day of a time (ms). */
export function utcDayStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}
