/**
 * Simulated GOES-13/14/15 SXI frames: 512 rows x 580 columns at 5"/px (the raw SXI format ALEXIS
 * crops with `raw[1:511, 1:579]`), one frame per minute per satellite, a filter cycle (TM, PTHK,
 * PTHNA and filters ALEXIS rejects), the disc off-centre by a few pixels, a roll angle (CROTA1),
 * and occasional bad readouts. Two products per time as NCEI serves them: `BA` (the one ALEXIS
 * uses) and `AB`. Headers: DATE_OBS, WAVELNTH, IMG_CODE, EXPTIME, CRPIX1/2, CDELT1/2, CROTA1.
 *
 * Defects (hash-chosen, one in `badFrameEvery`, or forced in tests): `no-disc` (shutter-dark frame:
 * no border -> QUALITY 2), `off-centre` (header CRPIX > 20 px from the disc -> 3), `bad-readout`
 * (striped right edge, std > 700 -> 5), `not-fl` (IMG_CODE not FL -> 6), `truncated` (file cut
 * short -> 10). A wrong filter (-> 1) comes from the filter cycle.
 */
import { closeSync, openSync, ftruncateSync, statSync } from 'node:fs';
import { seededRandom } from '../../simulate/random';
import { writeFits } from '../../formats/fits/write';
import type { FitsCardInput } from '../../formats/fits/header';
import { flareProfile, stableHash, type SolarScene } from './scene';

export type SxiDefect = 'none' | 'no-disc' | 'off-centre' | 'bad-readout' | 'not-fl' | 'truncated';
export const SXI_DEFECTS: readonly SxiDefect[] = ['no-disc', 'off-centre', 'bad-readout', 'not-fl', 'truncated'];
/** Filter wheel cycle, one per minute (TM/PTHK/PTHNA are the ones ALEXIS keeps). */
export const SXI_FILTER_CYCLE = ['PTHK', 'TM', 'PTHNA', 'PTHK', 'BE12A', 'PTHK'] as const;
export const SXI_ROWS = 512;
export const SXI_COLS = 580;
export const SXI_CDELT = 5.0;
const EXPTIME: Record<string, number> = { PTHK: 0.1, TM: 0.5, PTHNA: 0.3, BE12A: 3.0 };

export interface SxiFrame {
  satellite: number;
  index: number;
  time: string;
  timeMs: number;
  level: 'BA' | 'AB';
  filter: string;
  defect: SxiDefect;
  shape: [number, number];
  data: Int16Array;
  header: FitsCardInput[];
}

/** Frame `index` of the day (one per minute, at second 5.123 + satellite offset). */
export function sxiFrameTimeMs(scene: SolarScene, satellite: number, index: number): number {
  return scene.dayStartMs + index * 60_000 + 5123 + (satellite - 13) * 7000;
}

export function sxiDefectOf(scene: SolarScene, satellite: number, index: number): SxiDefect {
  if (scene.badFrameEvery <= 0) return 'none';
  const h = stableHash('sxi-defect', scene.seed, satellite, index);
  return h % Math.max(1, Math.floor(scene.badFrameEvery / 4)) === 0
    ? SXI_DEFECTS[(h >>> 12) % SXI_DEFECTS.length]
    : 'none';
}

/** Disc centre (1-based pixels) and roll of a satellite: off-centre and rolled, as real SXI frames are. */
export function sxiPointing(satellite: number): { crpix1: number; crpix2: number; crota1: number } {
  return {
    crpix1: 290.5 + 6.3 + (satellite - 13) * 2.1,
    crpix2: 256.5 - 4.8 + (satellite - 14),
    crota1: 1.9 + (satellite - 13) * 0.6,
  };
}

function sxiBrightness(scene: SolarScene, x: number, y: number, tMs: number): number {
  const R = scene.rsunArcsec;
  const r = Math.hypot(x, y);
  // Soft X-ray: a uniform dim disc with a soft edge and a faint corona (no limb brightening needed).
  let v = r < R ? 300 : 300 * Math.exp(-(r - R) / 25);
  for (const ar of scene.activeRegions) {
    const d2 = (x - ar.x) ** 2 + (y - ar.y) ** 2;
    const s2 = (ar.sigma * 1.3) ** 2;
    if (d2 < 25 * s2) v += 450 * ar.brightness * Math.exp(-d2 / (2 * s2));
  }
  for (const f of scene.flares) {
    const p = flareProfile(f, tMs, -20);
    if (p < 1e-4) continue;
    const d2 = (x - f.x) ** 2 + (y - f.y) ** 2;
    if (d2 < 8100) v += 2700 * (2 + 4 * Math.log10(f.peakFlux / 1e-6)) * p * Math.exp(-d2 / (2 * 18 * 18));
  }
  return v;
}

/** Renders an SXI frame (int16 DN; every filter is scaled to a few hundred DN on the disc). `defect`/`filter` override the stable choice (tests). */
export function renderSxiFrame(
  scene: SolarScene,
  satellite: number,
  index: number,
  options: { level?: 'BA' | 'AB'; defect?: SxiDefect; filter?: string } = {},
): SxiFrame {
  const timeMs = sxiFrameTimeMs(scene, satellite, index);
  const defect = options.defect ?? sxiDefectOf(scene, satellite, index);
  const filter = options.filter ?? SXI_FILTER_CYCLE[index % SXI_FILTER_CYCLE.length];
  const p = sxiPointing(satellite);
  const th = (p.crota1 * Math.PI) / 180;
  const cos = Math.cos(th);
  const sin = Math.sin(th);
  const exptime = EXPTIME[filter] ?? 1;
  const rnd = seededRandom(stableHash('sxi-noise', scene.seed, satellite, index));
  const data = new Int16Array(SXI_ROWS * SXI_COLS);
  for (let j = 0; j < SXI_ROWS; j++) {
    for (let i = 0; i < SXI_COLS; i++) {
      const u = (i + 1 - p.crpix1) * SXI_CDELT;
      const w = (j + 1 - p.crpix2) * SXI_CDELT;
      let dn = defect === 'no-disc' ? 3 : sxiBrightness(scene, u * cos - w * sin, u * sin + w * cos, timeMs);
      dn += Math.sqrt(dn + 1) * rnd.normal();
      if (defect === 'bad-readout' && i > 500 && j % 3 === 0) dn += 2500 + 1500 * rnd.uniform();
      data[j * SXI_COLS + i] = Math.max(0, Math.min(32767, Math.round(dn)));
    }
  }
  const off = defect === 'off-centre' ? 31 : 0;
  const date = new Date(timeMs).toISOString().replace(/Z$/, '');
  const header: FitsCardInput[] = [
    ['TELESCOP', `GOES-${satellite}`],
    ['INSTRUME', 'SXI'],
    ['DATE_OBS', date],
    ['WAVELNTH', filter],
    ['IMG_CODE', defect === 'not-fl' ? 'PF' : 'FL'],
    ['EXPTIME', exptime],
    ['CRPIX1', p.crpix1 + off],
    ['CRPIX2', p.crpix2],
    ['CDELT1', SXI_CDELT],
    ['CDELT2', SXI_CDELT],
    ['CROTA1', p.crota1],
    ['CTYPE1', 'SOLAR_X'],
    ['CTYPE2', 'SOLAR_Y'],
    ['SIMULATD', true, 'stagebook simulated Sun (not a real observation)'],
  ];
  return {
    satellite,
    index,
    time: new Date(timeMs).toISOString(),
    timeMs,
    level: options.level ?? 'BA',
    filter,
    defect,
    shape: [SXI_ROWS, SXI_COLS],
    data,
    header,
  };
}

/** Writes the frame as a primary-HDU FITS file; a `truncated` frame is cut short (QUALITY 10 in ALEXIS). */
export function writeSxiFits(file: string, frame: SxiFrame): void {
  writeFits(file, [{ data: frame.data, shape: frame.shape, header: frame.header }], {
    overwrite: true,
    checksum: false,
  });
  if (frame.defect === 'truncated') {
    const fd = openSync(file, 'r+');
    try {
      ftruncateSync(fd, Math.floor(statSync(file).size / 2));
    } finally {
      closeSync(fd);
    }
  }
}

/** NCEI's SXI name: SXI_YYYYMMDD_HHMMSSmmm_{BA|AB}_{NN}.FTS */
export function sxiFileName(timeMs: number, level: string, satellite: number): string {
  const t = new Date(timeMs).toISOString();
  return `SXI_${t.slice(0, 4)}${t.slice(5, 7)}${t.slice(8, 10)}_${t.slice(11, 13)}${t.slice(14, 16)}${t.slice(17, 19)}${t.slice(20, 23)}_${level}_${satellite}.FTS`;
}
