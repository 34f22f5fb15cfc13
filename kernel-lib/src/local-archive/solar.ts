/**
 * Synthetic solar availability (ALEXIS onboarding style) around flare events: AIA every 12 s at
 * three EUV channels over +-60 min, SXI every minute over +-90 min alternating data levels BA/AB
 * with NCEI-style file names. File bodies are small deterministic stand-ins (bytes derived from
 * the name), enough to test fetching; they are not images.
 */
import { createHash } from 'node:crypto';
import type { AvailabilityRow } from '../archives/catalogue';

/** The ALEXIS seed's example flare (ALEXIS_download_data.py). */
export const DEFAULT_EVENTS = ['2011-02-08T21:11:00Z'];

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** AIA file name as ALEXIS builds it: aia_lev1_{WL}a_{YYYY_MM_DDtHH_MM_SS_ff}z_image_lev1.fits */
export function aiaName(t: Date, wl: string): string {
  return `aia_lev1_${wl}a_${t.getUTCFullYear()}_${pad(t.getUTCMonth() + 1)}_${pad(t.getUTCDate())}t${pad(t.getUTCHours())}_${pad(t.getUTCMinutes())}_${pad(t.getUTCSeconds())}_${pad(Math.floor(t.getUTCMilliseconds() / 10))}z_image_lev1.fits`;
}

/** SXI name: SXI_YYYYMMDD_HHMMSSmmm_{BA|AB}_{NN}.FTS */
export function sxiName(t: Date, level: string, sat: number): string {
  return `SXI_${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}_${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}${pad(t.getUTCMilliseconds(), 3)}_${level}_${sat}.FTS`;
}

/** Deterministic bytes of a stand-in file (4 KiB). */
export function standInBytes(name: string): Buffer {
  const parts: Buffer[] = [];
  let h = createHash('sha256').update(name).digest();
  for (let i = 0; i < 128; i++) {
    parts.push(h);
    h = createHash('sha256').update(h).digest();
  }
  return Buffer.concat(parts);
}

/** Catalogue rows for the events; URLs point at `origin`. */
export function solarRows(origin: string, events: readonly string[] = DEFAULT_EVENTS): AvailabilityRow[] {
  const rows: AvailabilityRow[] = [];
  for (const ev of events) {
    const c = Date.parse(ev);
    for (let dt = -3600_000; dt <= 3600_000; dt += 12_000) {
      for (const wl of ['171', '193', '211']) {
        const t = new Date(c + dt + Number(wl) * 10);
        const filename = aiaName(t, wl);
        rows.push({
          url: `${origin}/solar/aia/${filename}`,
          time: t.toISOString(),
          source: 'aia',
          instrument: 'SDO/AIA',
          wavelength: wl,
          filename,
          quality: 0,
          dataLevel: 'lev1',
          size: 4096,
        });
      }
    }
    for (let dt = -5400_000, i = 0; dt <= 5400_000; dt += 60_000, i++) {
      const t = new Date(c + dt + 123);
      const level = i % 2 === 0 ? 'BA' : 'AB';
      const filename = sxiName(t, level, 15);
      const day = `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}`;
      rows.push({
        url: `${origin}/ncei/goes15/${day}/${filename}`,
        time: t.toISOString(),
        source: 'sxi',
        instrument: 'goes15',
        wavelength: 'PTHK',
        filename,
        dataLevel: level,
        size: 4096,
      });
    }
  }
  return rows;
}

/** An NCEI-like autoindex page for one day directory. */
export function listingHtml(dirPath: string, names: readonly string[]): string {
  const links = names
    .map(
      (n) =>
        `<tr><td><a href="${n}">${n}</a></td><td align="right">2011-02-09 00:10</td><td align="right">4.0K</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html><head><title>Index of ${dirPath}</title></head><body><h1>Index of ${dirPath}</h1>\n<table><tr><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th></tr>\n<tr><td><a href="../">Parent Directory</a></td></tr>\n${links}\n</table></body></html>\n`;
}
