/**
 * ALEXIS stage 4 steps 12 and 14 around HARPs (pipeline/create_peakfinder_scale.py:
 * query_HARP_drms_database_and_pass_AR_available; modules/ALEXIS_02_associate_flare_to_harp_module.py):
 * the HARP query window widens over 30, 60, 120, 300, 500, 1000, 1400 minutes around the flare
 * time until it returns a record; each HARP's span is the union of its records' Stonyhurst
 * (LAT/LON_MIN/MAX) boxes, drawn in helioprojective arcsec; a cluster position inside a span is
 * associated with that HARP (and its NOAA numbers).
 *
 * Projection (documented simplification of sunpy's HGS -> HPC): observer at Earth with B0 = 0 and
 * orthographic small-angle geometry, x = R sin(lon) cos(lat), y = R sin(lat), R the apparent radius
 * in arcsec. Over a 150" box this differs from sunpy's transform by far less than a pixel of SXI.
 */
import type { HarpRow } from './catalogues';

/** ALEXIS's query_window_list (minutes). */
export const HARP_WINDOWS_MIN = [30, 60, 120, 300, 500, 1000, 1400] as const;

/** T_REC (ISO or JSOC `2011.02.08_00:12:00_TAI`) in ms. */
export function harpTimeMs(tRec: string): number {
  const iso = tRec.replace(/^(\d{4})\.(\d{2})\.(\d{2})_/, '$1-$2-$3T').replace(/_(UTC|TAI)$/, 'Z');
  return Date.parse(/Z$|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
}

/** The first window (minutes) with records within +-window of the flare; null when even 1400 has none. */
export function widenHarpWindow(all: HarpRow[], flareMs: number): { minutes: number | null; rows: HarpRow[] } {
  for (const minutes of HARP_WINDOWS_MIN) {
    const rows = all.filter((r) => Math.abs(harpTimeMs(r.T_REC) - flareMs) <= minutes * 60_000);
    if (rows.length > 0) return { minutes, rows };
  }
  return { minutes: null, rows: [] };
}

/** Apparent solar radius (arcsec) on a date: 959.63" at 1 AU over the Earth-Sun distance (eccentricity 0.0167). */
export function solarRadiusArcsec(ms: number): number {
  const dayOfYear = (ms - Date.UTC(new Date(ms).getUTCFullYear(), 0, 1)) / 86_400_000;
  return 959.63 / (1 - 0.0167 * Math.cos((2 * Math.PI * (dayOfYear - 3)) / 365.25));
}

/** HGS (deg) -> HPC (arcsec), see the module comment. */
export function hgsToHpc(latDeg: number, lonDeg: number, rsunArcsec: number): [number, number] {
  const lat = (latDeg * Math.PI) / 180;
  const lon = (lonDeg * Math.PI) / 180;
  return [rsunArcsec * Math.sin(lon) * Math.cos(lat), rsunArcsec * Math.sin(lat)];
}

export interface HarpSpan {
  HARPNUM: number;
  NOAA_AR: number;
  NOAA_ARS: string;
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
  /** Closed polygon (HPC arcsec) of the box's edges. */
  hpcPolygon: [number, number][];
}

/** Per HARP, the union box of its records and its HPC outline (8 points per edge). */
export function harpSpans(rows: HarpRow[], rsunArcsec: number): HarpSpan[] {
  const by = new Map<number, HarpRow[]>();
  for (const r of rows) by.set(r.HARPNUM, [...(by.get(r.HARPNUM) ?? []), r]);
  return [...by.entries()]
    .sort(([a], [b]) => a - b)
    .map(([HARPNUM, rs]) => {
      const latMin = Math.min(...rs.map((r) => r.LAT_MIN));
      const latMax = Math.max(...rs.map((r) => r.LAT_MAX));
      const lonMin = Math.min(...rs.map((r) => r.LON_MIN));
      const lonMax = Math.max(...rs.map((r) => r.LON_MAX));
      const edge: [number, number][] = [];
      const steps = 8;
      const lerp = (a: number, b: number, i: number): number => a + ((b - a) * i) / steps;
      for (let i = 0; i < steps; i++) edge.push([latMin, lerp(lonMin, lonMax, i)]);
      for (let i = 0; i < steps; i++) edge.push([lerp(latMin, latMax, i), lonMax]);
      for (let i = 0; i < steps; i++) edge.push([latMax, lerp(lonMax, lonMin, i)]);
      for (let i = 0; i < steps; i++) edge.push([lerp(latMax, latMin, i), lonMin]);
      const hpcPolygon = edge.map(([la, lo]) => hgsToHpc(la, lo, rsunArcsec));
      hpcPolygon.push(hpcPolygon[0]);
      const last = rs[rs.length - 1];
      return { HARPNUM, NOAA_AR: last.NOAA_AR, NOAA_ARS: last.NOAA_ARS, latMin, latMax, lonMin, lonMax, hpcPolygon };
    });
}

/** Even-odd point-in-polygon (ALEXIS: check_flare_coord_wn_AR with matplotlib's Path.contains_point). */
export function insidePolygon(x: number, y: number, poly: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Step 14 for one position: the spans that contain it (HARPNUM ascending) and whether it is off the disc. */
export function associateHarps(
  x: number,
  y: number,
  spans: HarpSpan[],
  rsunArcsec: number,
): { HARPNUM_list: number[]; NOAA_AR_list: number[]; outside_solar_border: boolean } {
  const hit = spans.filter((s) => insidePolygon(x, y, s.hpcPolygon));
  return {
    HARPNUM_list: hit.map((s) => s.HARPNUM),
    NOAA_AR_list: hit.map((s) => s.NOAA_AR),
    outside_solar_border: Math.hypot(x, y) >= rsunArcsec,
  };
}
