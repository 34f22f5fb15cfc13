/**
 * The files ALEXIS stage 4 steps 8-16 write in a flare's working directory
 * (pipeline/create_peakfinder_scale.py; shared/notes/seed-systems.md section 1, stage 4), as JSON
 * with zod schemas (ALEXIS pickles pandas frames; the names keep ALEXIS's stems):
 *   resampled_img_df_v3.gridsearch_{k}.v3_normalized_and_lowpass_resampled_data.json   (step 8)
 *   resampled_img_df_v3.gridsearch_{k}.zoom_in_lasso_results_v3.json                   (step 9)
 *   v3_LASSO_df.json, all_fits_distance_calculated_v4.json                              (step 10)
 *   all_best_fits_w_lowpass_filter_v4.json, best_of_the_rest_fit_vote_w_lowpass_filter_v4.json (11)
 *   known_flares.json, drms_harp_availability.json, span_of_available_harps.json        (step 12)
 *   defined_flare_peaks_w_best_fit_180s_window_v4.json                                  (step 13)
 *   defined_flares_w_harp_v4.json                                                       (step 14)
 *   defined_flares_w_harp_meta_and_goes_flare_class_v4.json                             (step 15)
 *   first_hek_report_v4.json / .csv                                                     (step 16)
 * Every file carries `provenance`: the chain of (stage, version, params, runId) that produced it,
 * so a catalogue row names the reprocessing it came from even when upstream files were cache hits.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StagebookError } from '../../errors/stagebook-error';

export const FILES = {
  gridsearch: (k: number): string =>
    `resampled_img_df_v3.gridsearch_${k}.v3_normalized_and_lowpass_resampled_data.json`,
  lassoOf: (gridFile: string): string =>
    gridFile.replace('.v3_normalized_and_lowpass_resampled_data.json', '.zoom_in_lasso_results_v3.json'),
  lassoDf: 'v3_LASSO_df.json',
  distance: 'all_fits_distance_calculated_v4.json',
  bestFits: 'all_best_fits_w_lowpass_filter_v4.json',
  eventFit: 'best_of_the_rest_fit_vote_w_lowpass_filter_v4.json',
  knownFlares: 'known_flares.json',
  harps: 'drms_harp_availability.json',
  harpSpan: 'span_of_available_harps.json',
  peaks: 'defined_flare_peaks_w_best_fit_180s_window_v4.json',
  withHarp: 'defined_flares_w_harp_v4.json',
  withClass: 'defined_flares_w_harp_meta_and_goes_flare_class_v4.json',
  report: 'first_hek_report_v4.json',
  reportCsv: 'first_hek_report_v4.csv',
} as const;

export const provenanceSchema = z.array(
  z.strictObject({ stage: z.string(), version: z.number().int(), params: z.unknown(), runId: z.string() }),
);
export type Provenance = z.output<typeof provenanceSchema>;

const channelPairSchema = z.strictObject({
  xrs_telescope: z.string(),
  xrs_wavelength: z.string(),
  img_telescope: z.string(),
  img_instrument: z.string(),
  img_wavelength: z.string(),
});
export type ChannelPair = z.output<typeof channelPairSchema>;

/** 'goes15-B/SDO-AIA-131': a pair's key (search_instrument of the report is derived from it). */
export function pairKey(p: ChannelPair): string {
  return `${p.xrs_telescope}-${p.xrs_wavelength}/${p.img_telescope}-${p.img_instrument}-${p.img_wavelength}`;
}

const clusterSchema = z.strictObject({ label: z.number().int(), x_hpc: z.number(), y_hpc: z.number() });
export type ClusterPosition = z.output<typeof clusterSchema>;

/** Step 8: one cluster subset, every channel pair, columns per box normalised and low-passed. */
export const gridsearchFileSchema = z.strictObject({
  workingDir: z.string(),
  gridsearch: z.number().int().min(0),
  clusters: z.array(clusterSchema).min(1),
  pairs: z.array(
    z.strictObject({
      pair: channelPairSchema,
      /** The pair's resampled times (Unix seconds, 1-minute XRS grid within the image channel's range). */
      times: z.array(z.number()),
      /** alexisTarget(xrs). */
      x: z.array(z.number()),
      /** Box linear sizes (arcsec), in ALEXIS's order. */
      boxesArcsec: z.array(z.number()),
      /** h[cluster of the subset][box]: alexisColumn(flux, size). */
      h: z.array(z.array(z.array(z.number()))),
    }),
  ),
  provenance: provenanceSchema,
});
export type GridsearchFile = z.output<typeof gridsearchFileSchema>;

const metricsSchema = z.strictObject({
  RMSE: z.number(),
  MSE: z.number(),
  pears_corr: z.number().nullable(),
  p_val: z.number().nullable(),
  vector_fit: z.number().nullable(),
  E_tot: z.number().nullable(),
  distance: z.number(),
});

/** One subset's best fit for one channel pair (all steps 10-11 read; see lasso-steps.ts). */
export const fitRowSchema = z.strictObject({
  gridsearch: z.number().int(),
  pair: channelPairSchema,
  gridsearch_clusters: z.array(z.number().int()),
  zoom_in_type: z.array(z.number()),
  lamda: z.number(),
  coeff: z.array(z.number()),
  combinations: z.number().int(),
  metrics: metricsSchema,
});
export type FitRow = z.output<typeof fitRowSchema>;

export const lassoResultsFileSchema = z.strictObject({
  workingDir: z.string(),
  gridsearch: z.number().int(),
  rows: z.array(fitRowSchema),
  provenance: provenanceSchema,
});
export type LassoResultsFile = z.output<typeof lassoResultsFileSchema>;

export const fitTableFileSchema = z.strictObject({
  workingDir: z.string(),
  rows: z.array(fitRowSchema.extend({ gridsearch_cluster_conf: z.number().optional() })),
  provenance: provenanceSchema,
});
export type FitTableFile = z.output<typeof fitTableFileSchema>;

export const eventFitFileSchema = z.strictObject({
  workingDir: z.string(),
  /** Null when no channel pair kept a cluster (ALEXIS then has no flare here). */
  fit: fitRowSchema.extend({ gridsearch_cluster_conf: z.number() }).nullable(),
  provenance: provenanceSchema,
});
export type EventFitFile = z.output<typeof eventFitFileSchema>;

/** Reads and validates one of these files; errors name the file and the field. */
export function readCatalogueFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new StagebookError(
      'E_FORMAT',
      `${path.basename(file)}: cannot read JSON: ${(cause as Error).message}`,
      { where: 'readCatalogueFile', file },
      { cause },
    );
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new StagebookError('E_FORMAT', `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`, {
      where: 'readCatalogueFile',
      file,
      field: i.path.join('.'),
    });
  }
  return r.data;
}
