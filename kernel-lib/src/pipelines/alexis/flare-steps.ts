/**
 * ALEXIS stage 4 steps 13-16 as pure functions (pipeline/create_peakfinder_scale.py:
 * define_ALEXIS_flare_peaktime, associate_candidates_to_HARP, assign_xray_class_to_alexis_peak,
 * create_first_hek_report; modules/ALEXIS_03_create_hek_report_module.py
 * standardize_alexis_for_comparison / standardize_others_for_comparison). lasso-stages.ts and
 * flare-stages.ts wrap them as engine stages.
 */
import { z } from 'zod';
import { alexisPeakTimes, goesClassAtPeak } from './flare-peaks';
import type { KnownFlareRow } from './catalogues';
import { provenanceSchema, type GridsearchFile, type Provenance } from './catalogue-files';
import type { ConfRow } from './lasso-steps';
import { associateHarps, type HarpSpan } from './harp-association';

/** One cluster of the event's fit after steps 13-15. */
export const flareRowSchema = z.strictObject({
  final_cluster_label: z.number().int(),
  final_cluster_x_hpc: z.number(),
  final_cluster_y_hpc: z.number(),
  /** The integration box (HPC corners) at the fit's zoom for this cluster. */
  final_cluster_hpc_integration_bbox: z.array(z.tuple([z.number(), z.number()])),
  coeff: z.number(),
  ALEXIS_found: z.boolean(),
  /** Step 13: the ALEXIS peaks (Unix seconds). */
  alexis_peaktime: z.array(z.number()),
  /** Step 14. */
  HARPNUM_list: z.array(z.number()).optional(),
  HARPS_NOAA_AR_list: z.array(z.number()).optional(),
  outside_solar_border: z.boolean().optional(),
  /** Step 15, one entry per ALEXIS peak. */
  classes: z
    .array(
      z.strictObject({
        ALEXIS_vector_peak: z.number(),
        final_ALEXIS_peaktime: z.number().nullable(),
        final_ALEXIS_value: z.number().nullable(),
        final_ALEXIS_goes_class: z.string().nullable(),
        final_fwd_bkg_time: z.enum(['3m', '5m']).nullable(),
      }),
    )
    .optional(),
});
export type FlareRow = z.output<typeof flareRowSchema>;

export const flareFileSchema = z.strictObject({
  workingDir: z.string(),
  search_instrument: z.string().nullable(),
  rows: z.array(flareRowSchema),
  provenance: provenanceSchema,
});
export type FlareFile = z.output<typeof flareFileSchema>;

/** The event fit's matrix rebuilt from its gridsearch file: A_j = h_j(zoom) / max, x, times. */
export function fittedColumns(fit: ConfRow, file: GridsearchFile): { A: number[][]; x: number[]; times: number[] } {
  const key = JSON.stringify(fit.pair);
  const p = file.pairs.find((e) => JSON.stringify(e.pair) === key);
  if (!p) return { A: [], x: [], times: [] };
  const cols = fit.zoom_in_type.map((size, j) => p.h[j][p.boxesArcsec.indexOf(size)]);
  const m = Math.max(...cols.map((c) => Math.max(...c)));
  return { A: cols.map((c) => c.map((v) => v / m)), x: p.x, times: p.times };
}

/** Step 13: per cluster of the fit, its ALEXIS peaks (L = A.b, X = x, V = A_j b_j; 180 s window). */
export function defineFlarePeaks(fit: ConfRow, file: GridsearchFile, windowSeconds = 180): FlareRow[] {
  const { A, x, times } = fittedColumns(fit, file);
  const L = x.map((_, t) => A.reduce((s, col, j) => s + col[t] * fit.coeff[j], 0));
  return fit.gridsearch_clusters.map((label, j) => {
    const c = file.clusters.find((e) => e.label === label) as GridsearchFile['clusters'][number];
    const V = A[j]?.map((v) => v * fit.coeff[j]) ?? [];
    const peaks = V.length ? alexisPeakTimes(L, x, V, times, windowSeconds) : [];
    const half = fit.zoom_in_type[j] / 2;
    return {
      final_cluster_label: label,
      final_cluster_x_hpc: c.x_hpc,
      final_cluster_y_hpc: c.y_hpc,
      final_cluster_hpc_integration_bbox: [
        [c.x_hpc - half, c.y_hpc - half],
        [c.x_hpc + half, c.y_hpc - half],
        [c.x_hpc + half, c.y_hpc + half],
        [c.x_hpc - half, c.y_hpc + half],
      ],
      coeff: fit.coeff[j],
      ALEXIS_found: peaks.length > 0,
      alexis_peaktime: peaks,
    };
  });
}

/** Step 14 on every row. */
export function associateRows(rows: FlareRow[], spans: HarpSpan[], rsunArcsec: number): FlareRow[] {
  return rows.map((r) => {
    const a = associateHarps(r.final_cluster_x_hpc, r.final_cluster_y_hpc, spans, rsunArcsec);
    return {
      ...r,
      HARPNUM_list: a.HARPNUM_list,
      HARPS_NOAA_AR_list: a.NOAA_AR_list,
      outside_solar_border: a.outside_solar_border,
    };
  });
}

/** Step 15 on every row with peaks: the full-cadence XRS-B class (null when no peak within +-5 min). */
export function classifyRows(rows: FlareRow[], xrsB: { times: number[]; values: number[] }): FlareRow[] {
  return rows.map((r) => ({
    ...r,
    classes: r.alexis_peaktime.map((t) => {
      const c = goesClassAtPeak(xrsB.values, xrsB.times, t);
      return {
        ALEXIS_vector_peak: t,
        final_ALEXIS_peaktime: c?.peakTime ?? null,
        final_ALEXIS_value: c?.peakFlux ?? null,
        final_ALEXIS_goes_class: c?.goes.class ?? null,
        final_fwd_bkg_time: c?.window ?? null,
      };
    }),
  }));
}

/** A row of the HEK-style report (step 16), ALEXIS's columns plus provenance. */
export interface ReportRow {
  event_date: string | null;
  peak_time: string | null;
  goes_class: string | null;
  AR_num: number[];
  hpc_x: number;
  hpc_y: number;
  hpc_bbox_poly: [number, number][] | null;
  id_team: string;
  HARPNUM: number[];
  search_instrument: string | null;
  final_cluster_label: number | null;
  /** Full-cadence XRS-B peak flux (W m^-2) the class came from (ALEXIS rows). */
  peak_flux: number | null;
  working_dir: string;
  run_id: string | null;
  stage_versions: Record<string, number> | null;
  params: Record<string, unknown> | null;
}

const iso = (s: number | null): string | null => (s === null ? null : new Date(s * 1000).toISOString());

/** Provenance as the report's columns: the versions and parameters per stage, and the latest run. */
export function provenanceColumns(p: Provenance): Pick<ReportRow, 'run_id' | 'stage_versions' | 'params'> {
  return {
    run_id: p.length ? p[p.length - 1].runId : null,
    stage_versions: Object.fromEntries(p.map((e) => [e.stage, e.version])),
    params: Object.fromEntries(p.map((e) => [e.stage, e.params])),
  };
}

/**
 * Step 16: one row per ALEXIS peak (a cluster without one gives a row with no time or class, as
 * ALEXIS's ALEXIS_found == False rows; ALEXIS writes 1970-01-01 and class '0' there), then the
 * known flares (HEK) of the window with the HARPs their position falls in.
 */
export function hekReport(
  file: FlareFile,
  known: KnownFlareRow[],
  spans: HarpSpan[],
  rsunArcsec: number,
  provenance: Provenance,
): ReportRow[] {
  const prov = provenanceColumns(provenance);
  const alexis: ReportRow[] = file.rows.flatMap((r) => {
    const base = {
      AR_num: r.HARPS_NOAA_AR_list ?? [],
      hpc_x: r.final_cluster_x_hpc,
      hpc_y: r.final_cluster_y_hpc,
      hpc_bbox_poly: r.final_cluster_hpc_integration_bbox,
      id_team: 'ALEXIS',
      HARPNUM: r.HARPNUM_list ?? [],
      search_instrument: file.search_instrument,
      final_cluster_label: r.final_cluster_label,
      working_dir: file.workingDir,
      ...prov,
    };
    const classes = r.classes ?? [];
    if (classes.length === 0)
      return [{ ...base, event_date: null, peak_time: null, goes_class: null, peak_flux: null }];
    return classes.map((c) => ({
      ...base,
      event_date: iso(c.final_ALEXIS_peaktime)?.slice(0, 10) ?? null,
      peak_time: iso(c.final_ALEXIS_peaktime),
      goes_class: c.final_ALEXIS_goes_class,
      peak_flux: c.final_ALEXIS_value,
    }));
  });
  const others: ReportRow[] = known.map((k) => {
    const a = associateHarps(k.hpc_x, k.hpc_y, spans, rsunArcsec);
    const peak = k.event_peaktime ? new Date(Date.parse(k.event_peaktime.replace(' ', 'T'))).toISOString() : null;
    return {
      event_date: peak?.slice(0, 10) ?? null,
      peak_time: peak,
      goes_class: k.fl_goescls,
      AR_num: k.ar_noaanum === null ? a.NOAA_AR_list : [k.ar_noaanum],
      hpc_x: k.hpc_x,
      hpc_y: k.hpc_y,
      hpc_bbox_poly: null,
      id_team: k.frm_name,
      HARPNUM: a.HARPNUM_list,
      search_instrument: null,
      final_cluster_label: null,
      peak_flux: null,
      working_dir: file.workingDir,
      run_id: null,
      stage_versions: null,
      params: null,
    };
  });
  return [...others, ...alexis];
}
