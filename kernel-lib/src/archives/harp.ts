/**
 * HARP (HMI Active Region Patch) queries on `hmi.sharp_720s[][t1 - t2]` through DRMS, with the keys
 * ALEXIS keeps (HARPNUM, NOAA_AR, NOAA_ARS, LAT/LON_MIN/MAX, T_REC), one row per HARP and record.
 */
import type { DownloadPolicyInput } from '../acquisition/policy';
import { DrmsClient, jsocTimeMs } from './jsoc';

/** A HARP record. */
export interface HarpRecord {
  harpnum: number;
  noaaAr: number;
  noaaArs: string;
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
  /** T_REC as ISO. */
  time: string;
}

export const HARP_KEYS = [
  'HARPNUM',
  'NOAA_AR',
  'NOAA_ARS',
  'LAT_MIN',
  'LAT_MAX',
  'LON_MIN',
  'LON_MAX',
  'T_REC',
] as const;

/** HARP records in [start, end]. */
export async function queryHarps(
  server: string,
  start: string,
  end: string,
  policy?: DownloadPolicyInput,
): Promise<HarpRecord[]> {
  const t = (s: string): string =>
    new Date(Date.parse(s)).toISOString().slice(0, 19).replace(/-/g, '.').replace('T', '_');
  const r = await new DrmsClient(server, policy).query(`hmi.sharp_720s[][${t(start)} - ${t(end)}]`, HARP_KEYS);
  return r.rows.map((row) => ({
    harpnum: Number(row.HARPNUM),
    noaaAr: Number(row.NOAA_AR),
    noaaArs: row.NOAA_ARS,
    latMin: Number(row.LAT_MIN),
    latMax: Number(row.LAT_MAX),
    lonMin: Number(row.LON_MIN),
    lonMax: Number(row.LON_MAX),
    time: new Date(jsocTimeMs(row.T_REC)).toISOString(),
  }));
}
