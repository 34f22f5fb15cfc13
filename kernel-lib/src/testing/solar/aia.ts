/**
 * Simulated SDO/AIA level-1 frames (`aia.lev1_euv_12s`): 12 s cadence per EUV channel, full disk,
 * `scale` x `scale` pixels (4096 for the real instrument; 1024 default, 256 in tests), int16 DN in
 * a RICE-compressed HDU 1 as JSOC serves them (ALEXIS reads `hdul[1]`). Headers carry what the
 * pipeline reads: T_OBS, WAVELNTH, EXPTIME, QUALITY, CRPIX1/2, CDELT1/2, CROTA2, CRVAL1/2,
 * RSUN_OBS, R_SUN, DSUN_OBS and the pointing keywords aiapy's `update_pointing` uses (X0_MP,
 * Y0_MP, IMSCL_MP, INSTROT, SAT_ROT, SAT_Y0, SAT_Z0). The WCS cards (CRPIX, CDELT, CROTA2) are
 * slightly stale, as in real lev1 files; the *_MP keywords are the truth the image is drawn with.
 *
 * Defective frames (one in `badFrameEvery`, chosen by a stable hash) reproduce the cases ALEXIS
 * codes: a non-zero header QUALITY (passed through), NaN spacecraft pointing (QUALITY 9), a frame
 * that is not full disk (8) and a negative-dominated frame (4).
 */
import { seededRandom } from '../../simulate/random';
import { aiaLev1FileName } from '../../archives/jsoc';
import { writeFits } from '../../formats/fits/write';
import type { FitsCardInput } from '../../formats/fits/header';
import { AIA_FLARE_LAG_S, flareProfile, stableHash, type AiaChannel, type SolarScene } from './scene';

/** Kinds of AIA frame defects. */
export type AiaDefect = 'none' | 'header-quality' | 'nan-pointing' | 'not-full-disk' | 'negative';
export const AIA_DEFECTS: readonly AiaDefect[] = ['header-quality', 'nan-pointing', 'not-full-disk', 'negative'];

/** Quiet-Sun disc rate (DN/s/px at 0.6"/px), active-region contrast and exposure per channel (typical AIA values). */
const CHANNEL: Record<AiaChannel, { quiet: number; arGain: number; exptime: number; tobsOffsetMs: number }> = {
  '94': { quiet: 1.2, arGain: 1.6, exptime: 2.901, tobsOffsetMs: 2120 },
  '131': { quiet: 4.5, arGain: 1.5, exptime: 2.902, tobsOffsetMs: 9620 },
  '171': { quiet: 240, arGain: 0.8, exptime: 1.999, tobsOffsetMs: 340 },
  '193': { quiet: 290, arGain: 1.0, exptime: 2.0, tobsOffsetMs: 7840 },
  '211': { quiet: 95, arGain: 1.2, exptime: 2.901, tobsOffsetMs: 620 },
  '335': { quiet: 7.5, arGain: 1.8, exptime: 2.901, tobsOffsetMs: 3620 },
};

/** AIA telescope of each channel (INSTRUME). */
const AIA_TELESCOPE_UNIT: Record<AiaChannel, string> = {
  '94': 'AIA_4',
  '131': 'AIA_1',
  '171': 'AIA_3',
  '193': 'AIA_2',
  '211': 'AIA_2',
  '335': 'AIA_1',
};

/** EXPTIME (s) of a channel's regular frames. */
export function aiaExptime(channel: AiaChannel): number {
  return CHANNEL[channel].exptime;
}

/** AIA lev1 cadence (s). */
export const AIA_CADENCE_S = 12;
/** Header QUALITY the simulator sets on a `header-quality` frame (bit 17 set: a real lev1 flag value). */
export const AIA_BAD_HEADER_QUALITY = 131072;

/** One simulated frame. */
export interface AiaFrame {
  channel: AiaChannel;
  index: number;
  /** T_OBS (ISO, ms precision). */
  time: string;
  timeMs: number;
  defect: AiaDefect;
  shape: [number, number];
  data: Int16Array;
  header: FitsCardInput[];
}

/** Time of frame `index` of the day in `channel` (each channel has its own offset within the 12 s). */
export function aiaFrameTimeMs(scene: SolarScene, channel: AiaChannel, index: number): number {
  return scene.dayStartMs + index * AIA_CADENCE_S * 1000 + CHANNEL[channel].tobsOffsetMs;
}

/** Index of the frame of `channel` nearest to `tMs`. */
export function aiaFrameIndexNear(scene: SolarScene, channel: AiaChannel, tMs: number): number {
  return Math.round((tMs - scene.dayStartMs - CHANNEL[channel].tobsOffsetMs) / (AIA_CADENCE_S * 1000));
}

/** The defect of a frame (stable: the same frame is always the same). */
export function aiaDefectOf(scene: SolarScene, channel: AiaChannel, index: number): AiaDefect {
  if (scene.badFrameEvery <= 0) return 'none';
  const h = stableHash('aia-defect', scene.seed, channel, index);
  return h % scene.badFrameEvery === 0 ? AIA_DEFECTS[(h >>> 12) % AIA_DEFECTS.length] : 'none';
}

/** True pointing of a frame (what X0_MP/Y0_MP/IMSCL_MP/INSTROT say): sun centre (1-based px), plate scale, roll. */
export function aiaTruePointing(scale: number): { crpix1: number; crpix2: number; cdelt: number; crota2: number } {
  const f = scale / 4096;
  return { crpix1: (scale + 1) / 2 + 9.7 * f, crpix2: (scale + 1) / 2 - 6.4 * f, cdelt: 0.60035 / f, crota2: 0.13 };
}

/** Per-pixel brightness (DN/s) at helioprojective (x, y) arcsec. */
function brightness(scene: SolarScene, ch: AiaChannel, x: number, y: number, tMs: number): number {
  const c = CHANNEL[ch];
  const R = scene.rsunArcsec;
  const r = Math.hypot(x, y);
  let v: number;
  if (r < R) {
    const mu = Math.sqrt(1 - (r * r) / (R * R));
    v = c.quiet * (1 + Math.min(2, 0.25 * (1 / Math.max(mu, 1e-3) - 1)));
  } else {
    v = c.quiet * 1.25 * Math.exp(-(r - R) / (0.04 * R));
  }
  for (const ar of scene.activeRegions) {
    const d2 = (x - ar.x) ** 2 + (y - ar.y) ** 2;
    if (d2 < 25 * ar.sigma * ar.sigma)
      v += c.quiet * ar.brightness * c.arGain * Math.exp(-d2 / (2 * ar.sigma * ar.sigma));
  }
  for (const f of scene.flares) {
    const p = flareProfile(f, tMs, AIA_FLARE_LAG_S[ch]);
    if (p < 1e-4) continue;
    // Amplitude grows with the class: a C1 flare adds 1x its region's peak, an X1 flare 7x (below saturation up to M5).
    const amp = c.quiet * 4 * c.arGain * (1.5 + 3 * Math.log10(f.peakFlux / 1e-6));
    const d2 = (x - f.x) ** 2 + (y - f.y) ** 2;
    if (d2 < 900) v += amp * p * Math.exp(-d2 / (2 * 10 * 10));
  }
  return v;
}

/** Renders frame `index` of `channel` (deterministic). `defect` overrides the hash-chosen defect (tests). */
export function renderAiaFrame(
  scene: SolarScene,
  channel: AiaChannel,
  index: number,
  options: { scale?: number; defect?: AiaDefect } = {},
): AiaFrame {
  const n = options.scale ?? 1024;
  const timeMs = aiaFrameTimeMs(scene, channel, index);
  const defect = options.defect ?? aiaDefectOf(scene, channel, index);
  const truth = aiaTruePointing(n);
  // Not full disk: the disc centre is pushed off so the limb leaves the frame.
  const cx = defect === 'not-full-disk' ? truth.crpix1 + 0.3 * n : truth.crpix1;
  const cy = truth.crpix2;
  const th = (truth.crota2 * Math.PI) / 180;
  const cos = Math.cos(th);
  const sin = Math.sin(th);
  const exptime = CHANNEL[channel].exptime;
  const rnd = seededRandom(stableHash('aia-noise', scene.seed, channel, index));
  const data = new Int16Array(n * n);
  const pedestal = defect === 'negative' ? -3 * CHANNEL[channel].quiet * exptime - 40 : 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const u = (i + 1 - cx) * truth.cdelt;
      const w = (j + 1 - cy) * truth.cdelt;
      const x = u * cos - w * sin;
      const y = u * sin + w * cos;
      // DN per pixel as at full resolution (a binned mean), so `scale` changes sampling, not brightness.
      const dn = brightness(scene, channel, x, y, timeMs) * exptime;
      const noisy = dn + Math.sqrt(dn + 4) * rnd.normal() + pedestal;
      data[j * n + i] = Math.max(-32768, Math.min(16383, Math.round(noisy)));
    }
  }
  return {
    channel,
    index,
    time: new Date(timeMs).toISOString(),
    timeMs,
    defect,
    shape: [n, n],
    data,
    header: aiaHeader(scene, channel, timeMs, n, defect, cx),
  };
}

function aiaHeader(
  scene: SolarScene,
  channel: AiaChannel,
  timeMs: number,
  n: number,
  defect: AiaDefect,
  cx: number,
): FitsCardInput[] {
  const truth = { ...aiaTruePointing(n), crpix1: cx };
  const f = n / 4096;
  const tobs = new Date(timeMs).toISOString().replace(/(\.\d\d)\dZ$/, '$1Z');
  const nan = defect === 'nan-pointing';
  return [
    ['TELESCOP', 'SDO/AIA'],
    ['INSTRUME', AIA_TELESCOPE_UNIT[channel]],
    ['LVL_NUM', 1.0],
    ['T_OBS', tobs],
    ['DATE-OBS', tobs.replace(/Z$/, '')],
    ['WAVELNTH', Number(channel)],
    ['WAVEUNIT', 'angstrom'],
    ['EXPTIME', CHANNEL[channel].exptime],
    ['QUALITY', defect === 'header-quality' ? AIA_BAD_HEADER_QUALITY : 0],
    ['CTYPE1', 'HPLN-TAN'],
    ['CUNIT1', 'arcsec'],
    ['CRVAL1', 0.0],
    ['CDELT1', truth.cdelt * 0.9993],
    ['CRPIX1', truth.crpix1 - 1.3 * f],
    ['CTYPE2', 'HPLT-TAN'],
    ['CUNIT2', 'arcsec'],
    ['CRVAL2', 0.0],
    ['CDELT2', truth.cdelt * 0.9993],
    ['CRPIX2', truth.crpix2 + 0.9 * f],
    ['CROTA2', truth.crota2 - 0.004],
    ['X0_MP', truth.crpix1 - 1],
    ['Y0_MP', truth.crpix2 - 1],
    ['IMSCL_MP', truth.cdelt],
    ['INSTROT', truth.crota2 - 0.011],
    ['SAT_ROT', nan ? 'nan' : 0.011],
    ['SAT_Y0', nan ? 'nan' : 3.1],
    ['SAT_Z0', nan ? 'nan' : -1.7],
    ['RSUN_OBS', scene.rsunArcsec],
    ['R_SUN', scene.rsunArcsec / truth.cdelt],
    ['DSUN_OBS', scene.dsunM],
    ['RSUN_REF', 696000000],
    ['SIMULATD', true, 'stagebook simulated Sun (not a real observation)'],
  ];
}

/** Writes a frame as JSOC serves lev1 files: empty primary + RICE_1-compressed image in HDU 1. */
export function writeAiaFits(file: string, frame: AiaFrame): void {
  writeFits(file, [{ data: frame.data, shape: frame.shape, header: frame.header, compress: 'RICE_1' }], {
    overwrite: true,
  });
}

/** ALEXIS's AIA file name (aia_lev1_{WL}a_{YYYY_MM_DDtHH_MM_SS_ff}z_image_lev1.fits). */
export function aiaFileName(channel: string, timeMs: number): string {
  return aiaLev1FileName(channel, timeMs);
}
