/**
 * ALEXIS stage 3 (`ALEXIS_03_create_wd_w_init_files_before_hyperspectral.py` with
 * `check_data_qual_module_02.py`): for one working directory, the image_data_availability rows at
 * [t - 20 min, t + 20 min) for AIA and [t - 40 min, t + 40 min) for SXI (t parsed back from the
 * directory name), then per (wavelength, instrument, telescope) group, counted one row per URL:
 *   AIA: good = #QUALITY 0, N = all images; the group exists only with more than one good image;
 *   SXI: only `lev2` images count (good = lev2 with QUALITY 0, N = #lev2; no lev2 -> 0 of 0);
 *   kept when good/N >= 0.9 and good >= 125 (AIA) or >= 10 (SXI); other instruments are ignored.
 * Outputs: the peak rows of kept groups with `lev2` and QUALITY 0 (hyperspectral table) and the same
 * images once each with the peak columns dropped (files table). No kept group -> no tables.
 *
 * Quirks, and whether they are reproduced:
 * - `merged_class` is filled with the datetime (`zip(dt, dt, wd)`): not reproduced, nothing reads it;
 * - stage 2 gives every failed SXI image a non-lev2 level, so SXI's 90 % rule always passes (lev2 is
 *   QUALITY 0): reproduced (it is the rule as written);
 * - an AIA group with 0 or 1 good images is dropped before the thresholds (no time spacing to
 *   measure): reproduced, it only matters with thresholds below 2;
 * - ALEXIS writes the tables only when missing; here the engine rewrites them when stage 2's result
 *   changes (content hashes), so a reprocessed image database is never ignored.
 */
import { z } from 'zod';
import { PEAK_COLUMNS, type FileRow, type HyperspectralRow } from './candidate-files';
import type { ImageDataRow } from './image-db';

/** Parameters of stage 3 (ALEXIS's values as defaults). */
export const initFilesParamsSchema = z.strictObject({
  aiaMinutes: z.number().positive().default(20).describe('AIA window half-width (minutes)'),
  sxiMinutes: z.number().positive().default(40).describe('SXI window half-width (minutes)'),
  minGoodFraction: z.number().min(0).max(1).default(0.9).describe('good/N needed per group'),
  minGoodAia: z.number().int().min(0).default(125).describe('good AIA images needed per group'),
  minGoodSxi: z.number().int().min(0).default(10).describe('good (lev2) SXI images needed per group'),
});
export type InitFilesParams = z.output<typeof initFilesParamsSchema>;

/** One group's quality (ALEXIS's data_qual_df row) and the decision. */
export interface GroupQuality {
  wavelength: string;
  instrument: string;
  telescope: string;
  good_qual: number;
  available_data: number;
  good_percent: number;
  /** Largest gap between consecutive good images (s); 1e6 when fewer than two (ALEXIS's filler). */
  seconds_between_points_max: number;
  kept: boolean;
  /** Why a group was not kept. */
  reason?: string;
}

/** The two tables of one working directory (empty arrays when no group is kept). */
export interface InitTables {
  groups: GroupQuality[];
  hyperspectral: HyperspectralRow[];
  files: FileRow[];
}

const groupKey = (r: { wavelength: unknown; instrument: unknown; telescope: unknown }): string =>
  JSON.stringify([String(r.wavelength), String(r.instrument), String(r.telescope)]);

/** pandas groupby order: keys sorted (wavelength, instrument, telescope as strings). */
function sortedKeys(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => {
    const x = JSON.parse(a) as string[];
    const y = JSON.parse(b) as string[];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
  });
}

function maxGap(times: number[]): number {
  if (times.length < 2) return 1e6;
  const t = [...times].sort((a, b) => a - b);
  let m = 0;
  for (let i = 1; i < t.length; i++) m = Math.max(m, t[i] - t[i - 1]);
  return m;
}

/** ALEXIS's group statistics and the keep decision, over rows counted once per URL. */
export function groupQuality(perUrl: readonly ImageDataRow[], p: InitFilesParams): GroupQuality[] {
  const groups = new Map<string, ImageDataRow[]>();
  for (const r of perUrl) {
    const k = groupKey(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const out: GroupQuality[] = [];
  for (const k of sortedKeys(groups.keys())) {
    const rows = groups.get(k) as ImageDataRow[];
    const [wavelength, instrument, telescope] = JSON.parse(k) as string[];
    let counted: ImageDataRow[];
    if (instrument === 'AIA') counted = rows;
    else if (instrument === 'SXI') counted = rows.filter((r) => r.data_level === 'lev2');
    else continue;
    const good = counted.filter((r) => Number(r.QUALITY) === 0);
    // check_data_qual_module_02: an AIA group needs two good images to be listed at all.
    if (instrument === 'AIA' && good.length <= 1) continue;
    const n = counted.length;
    const q: GroupQuality = {
      wavelength,
      instrument,
      telescope,
      good_qual: good.length,
      available_data: n,
      good_percent: n === 0 ? 0 : good.length / n,
      seconds_between_points_max: maxGap(good.map((r) => Number(r.time_stamp))),
      kept: false,
    };
    const minGood = instrument === 'AIA' ? p.minGoodAia : p.minGoodSxi;
    if (q.good_percent < p.minGoodFraction)
      q.reason = `good fraction ${q.good_percent.toFixed(3)} < ${p.minGoodFraction}`;
    else if (q.good_qual < minGood) q.reason = `${q.good_qual} good images < ${minGood}`;
    else q.kept = true;
    out.push(q);
  }
  return out;
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** A database row as a typed table row (SQLite NULL -> NaN in numeric columns) with date_time and working_dir. */
export function withTime(r: ImageDataRow, workingDir: string): HyperspectralRow {
  return {
    download_string: str(r.download_string),
    time_stamp: Number(r.time_stamp),
    data_level: str(r.data_level),
    file_name: str(r.file_name),
    QUALITY: Number(r.QUALITY),
    wavelength: String(r.wavelength),
    url: String(r.url),
    instrument: String(r.instrument),
    file_path: String(r.file_path),
    wget_log_file: str(r.wget_log_file),
    download_speed: str(r.download_speed),
    cached_dict_path: str(r.cached_dict_path),
    telescope: String(r.telescope),
    peaks_found: Boolean(r.peaks_found),
    ...numeric(r),
    date_time: new Date(Number(r.time_stamp) * 1000).toISOString(),
    working_dir: workingDir,
  };
}

const NUMERIC = [
  'exp_time',
  'file_size_MB',
  'img_data_max',
  'img_data_min',
  'img_flux',
  'peakfinder_time_1',
  'dbscan_time_1',
  'cleaning_time_1',
  'dbscan_1_x_hpc',
  'dbscan_1_y_hpc',
  'dbscan_1_x_pix',
  'dbscan_1_y_pix',
  'dbscan_1_num_members',
  'dbscan_1_label',
] as const;

/** SQLite NULL (NaN stored) -> NaN for the numeric columns. */
function numeric(r: ImageDataRow): Record<(typeof NUMERIC)[number], number> {
  const o = {} as Record<(typeof NUMERIC)[number], number>;
  for (const c of NUMERIC) o[c] = r[c] === null || r[c] === undefined ? NaN : Number(r[c]);
  return o;
}

/**
 * Stage 3 for one working directory from its window rows (AIA and SXI, all peak rows).
 * `workingDir` is the directory's name, stored in every row.
 */
export function buildInitTables(rows: readonly ImageDataRow[], workingDir: string, p: InitFilesParams): InitTables {
  const seen = new Set<string>();
  const perUrl = rows.filter((r) => (seen.has(String(r.url)) ? false : (seen.add(String(r.url)), true)));
  const groups = groupQuality(perUrl, p);
  const kept = new Set(groups.filter((g) => g.kept).map(groupKey));
  if (kept.size === 0) return { groups, hyperspectral: [], files: [] };
  const pass = (r: ImageDataRow): boolean =>
    kept.has(groupKey(r)) && r.data_level === 'lev2' && Number(r.QUALITY) === 0;
  // Row order: kept groups in groupby order, each in time order (ALEXIS concatenates per group).
  const order = sortedKeys(kept);
  const rank = (r: ImageDataRow): number => order.indexOf(groupKey(r));
  const byGroup = <T extends ImageDataRow>(a: T[]): T[] =>
    a
      .map((r, i) => ({ r, i }))
      .sort((x, y) => rank(x.r) - rank(y.r) || x.i - y.i)
      .map((e) => e.r);
  const hyperspectral = byGroup(rows.filter(pass)).map((r) => withTime(r, workingDir));
  const files = byGroup(perUrl.filter(pass)).map((r) => {
    const full = withTime(r, workingDir) as Record<string, unknown>;
    for (const c of PEAK_COLUMNS) delete full[c];
    return full as unknown as FileRow;
  });
  return { groups, hyperspectral, files };
}

/** The windows of ALEXIS's query around a flare time (Unix seconds, half-open). */
export function queryWindows(
  flareTimeMs: number,
  p: InitFilesParams,
): { instrument: string; from: number; to: number }[] {
  return [
    { instrument: 'AIA', from: flareTimeMs / 1000 - p.aiaMinutes * 60, to: flareTimeMs / 1000 + p.aiaMinutes * 60 },
    { instrument: 'SXI', from: flareTimeMs / 1000 - p.sxiMinutes * 60, to: flareTimeMs / 1000 + p.sxiMinutes * 60 },
  ];
}
