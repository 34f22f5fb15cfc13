/**
 * zod schemas and CSV columns of the ALEXIS stage 3-4 working-directory files (see candidate-files.ts
 * for the file names, the conventions and the typed read/write helpers, which re-export these).
 */
import { z } from 'zod';
import type { CsvColumns } from '../../formats/csv/table';
import { IMAGE_DATA_COLUMNS, IMAGE_DATA_NUMBER_COLUMNS } from './image-db';
// ---- value schemas: numbers may be NaN (null in JSON, empty in CSV) ----

const num = z.union([z.number(), z.nan(), z.null()]).transform((v) => (v === null ? NaN : v)) as unknown as z.ZodType<
  number,
  number | null
>;
const text = z.string().nullable();
const point = z.tuple([num, num]);
/** A closed square (ALEXIS's make_square_region_v2: 5 corners, first repeated). */
const polygon = z.array(point);

// ---- image rows (image_data_availability + date_time + working_dir) ----

const NUMBER_COLUMNS = new Set(IMAGE_DATA_NUMBER_COLUMNS);

/** The 10 peak columns ALEXIS drops from initialize_with_these_files_df. */
export const PEAK_COLUMNS = [
  'peakfinder_time_1',
  'dbscan_time_1',
  'cleaning_time_1',
  'peaks_found',
  'dbscan_1_x_hpc',
  'dbscan_1_y_hpc',
  'dbscan_1_x_pix',
  'dbscan_1_y_pix',
  'dbscan_1_num_members',
  'dbscan_1_label',
] as const;

function kindOf(c: string): 'number' | 'text' | 'boolean' {
  return NUMBER_COLUMNS.has(c) ? 'number' : c === 'peaks_found' ? 'boolean' : 'text';
}

/** Columns of initialize_hyperspectral_with_these_files_df (one row per cluster of each image). */
export const HYPERSPECTRAL_ROW_COLUMNS: CsvColumns = Object.fromEntries([
  ...IMAGE_DATA_COLUMNS.map((c) => [c, kindOf(c)] as const),
  ['date_time', 'text'],
  ['working_dir', 'text'],
]);

/** Columns of initialize_with_these_files_df (one row per image, peak columns dropped). */
export const FILE_ROW_COLUMNS: CsvColumns = Object.fromEntries(
  Object.entries(HYPERSPECTRAL_ROW_COLUMNS).filter(([c]) => !(PEAK_COLUMNS as readonly string[]).includes(c)),
);

const fileRowShape = {
  download_string: text,
  time_stamp: num,
  data_level: text,
  file_name: text,
  exp_time: num,
  file_size_MB: num,
  QUALITY: num,
  wavelength: z.string(),
  url: z.string(),
  instrument: z.string(),
  file_path: z.string(),
  wget_log_file: text,
  download_speed: text,
  cached_dict_path: text,
  telescope: z.string(),
  img_data_max: num,
  img_data_min: num,
  img_flux: num,
  /** UTC ISO time of time_stamp (pandas `date_time`). */
  date_time: z.string(),
  /** The working directory's name (`flarecandidate_..._at_....working`). */
  working_dir: z.string(),
};
/** One image (initialize_with_these_files_df row). */
export const fileRowSchema = z.object(fileRowShape);
export type FileRow = z.output<typeof fileRowSchema>;

/** One cluster of one image (initialize_hyperspectral_with_these_files_df row). */
export const hyperspectralRowSchema = z.object({
  ...fileRowShape,
  peakfinder_time_1: num,
  dbscan_time_1: num,
  cleaning_time_1: num,
  peaks_found: z.boolean(),
  dbscan_1_x_hpc: num,
  dbscan_1_y_hpc: num,
  dbscan_1_x_pix: num,
  dbscan_1_y_pix: num,
  dbscan_1_num_members: num,
  dbscan_1_label: num,
});
export type HyperspectralRow = z.output<typeof hyperspectralRowSchema>;

// ---- step 1: temporal clusters ----

/** One (wavelength, instrument, telescope) group of step 1. */
export const temporalGroupSchema = z.object({
  wavelength: z.string(),
  instrument: z.string(),
  telescope: z.string(),
  rows: z.number().int(),
  unique_times: z.number().int(),
  /** ALEXIS's int(0.15 * unique times) (`passing_vote`). */
  passing_vote: z.number().int(),
  /** What DBSCAN ran with: max(1, passing_vote) (sklearn < 1.2 treated 0 as 1). */
  min_samples: z.number().int(),
  /** False when the group has <= 5 rows (ALEXIS skips it). */
  clustered: z.boolean(),
});

/** One temporal cluster (a row of ALEXIS's `hyper_spectral_df`). */
export const temporalClusterSchema = z.object({
  wavelength: z.string(),
  instrument: z.string(),
  telescope: z.string(),
  hpc_x: num,
  hpc_y: num,
  label: z.number().int(),
  passing_vote: z.number().int(),
  num_votes: z.number().int(),
  num_of_members: z.number().int(),
  vote_ratio: num,
});
export type TemporalCluster = z.output<typeof temporalClusterSchema>;

/** v3_temporal_clusters.json. */
export const temporalClustersFileSchema = z.object({
  working_dir: z.string(),
  eps: z.number(),
  avg_dbscan_time_1: num,
  avg_peakfinder_time_1: num,
  avg_clean_time: num,
  groups: z.array(temporalGroupSchema),
  clusters: z.array(temporalClusterSchema),
});
export type TemporalClustersFile = z.output<typeof temporalClustersFileSchema>;

// ---- step 2: hyperspectral candidates (v3_interesting_pixels) ----

/** One candidate (ALEXIS's hyper_spectral_result dict, minus dbscan_time_2). */
export const candidateSchema = z.object({
  x_hpc: num,
  y_hpc: num,
  label: z.number().int(),
  avail_wls: z.array(z.string()),
  avail_tel: z.array(z.string()),
  avail_inst: z.array(z.string()),
  voting_wl: z.array(z.string()),
  voting_tel: z.array(z.string()),
  voting_inst: z.array(z.string()),
  working_dir: z.string(),
  passing_votes: z.number().int(),
  avail_votes: z.number().int(),
  temporal_vote_ratio: z.array(num),
  temporal_vote_number: z.array(z.number().int()),
  temporal_vote_members: z.array(z.number().int()),
  temporal_passing_vote: z.array(z.number().int()),
  num_votes: z.number().int(),
  avg_dbscan_time_1: num,
  avg_peakfinder_time_1: num,
  avg_clean_time_peakfinder: num,
});
export type Candidate = z.output<typeof candidateSchema>;

// ---- steps 3-5: per-image cluster rows, region fluxes, collated ----

/** A step-3 row: one image x one candidate. */
export const clusterFluxInitRowSchema = z.object({
  ...fileRowShape,
  x_hpc: num,
  y_hpc: num,
  final_cluster_label: z.number().int(),
});
export type ClusterFluxInitRow = z.output<typeof clusterFluxInitRowSchema>;

const fluxShape = {
  ...clusterFluxInitRowSchema.shape,
  /** Box sum of the cleaned image (AIA: flux units; SXI: DN/s). */
  region_flux: num,
  /** The candidate's pixel (0-based column/row) in the cleaned image: x_hpc / CDELT1 + CRPIX1. */
  x_pix: num,
  y_pix: num,
  integration_pixel_bbox: polygon,
  integration_hpc_bbox: polygon,
  /** 150, 100, 80 or 50 (arcsec). */
  bbox_linear_size_arcsec: z.number(),
  /** The half-width in pixels of the image actually boxed (ALEXIS's 125/85/67/41 AIA at 0.6"/px; 15/10/8/5 SXI). */
  bbox_half_linear_size_pix: num,
};
/** A step-4 row: one image x one candidate x one zoom. */
export const clusterFluxRowSchema = z.object(fluxShape);
export type ClusterFluxRow = z.output<typeof clusterFluxRowSchema>;

/** Columns of clusters_flux_df_v3.csv (step-4 rows; QUALITY 9 on groups under 10 points). */
export const CLUSTER_FLUX_COLUMNS: CsvColumns = {
  ...FILE_ROW_COLUMNS,
  x_hpc: 'number',
  y_hpc: 'number',
  final_cluster_label: 'number',
  region_flux: 'number',
  x_pix: 'number',
  y_pix: 'number',
  integration_pixel_bbox: 'json',
  integration_hpc_bbox: 'json',
  bbox_linear_size_arcsec: 'number',
  bbox_half_linear_size_pix: 'number',
};

// ---- steps 6-7: resampled XRS and images ----

/** Columns of resampled_XRS_df_v3.csv. */
export const RESAMPLED_XRS_COLUMNS: CsvColumns = {
  resampled_date_time: 'text',
  resampled_time_stamp: 'number',
  xrs_resampled_data: 'number',
  xrs_wavelength: 'text',
  xrs_instrument: 'text',
  xrs_telescope: 'text',
  working_dir: 'text',
  cluster_flux_file: 'text',
  xrs_resample_file: 'text',
};
const xrsShape = {
  /** UTC ISO (pandas date_range from the channel's first sample, 1 min). */
  resampled_date_time: z.string(),
  /** Whole Unix seconds (ALEXIS floors: `// pd.Timedelta('1s')`); the spline is evaluated here. */
  resampled_time_stamp: z.number().int(),
  xrs_resampled_data: num,
  /** 'A' or 'B'. */
  xrs_wavelength: z.string(),
  /** Always 'XRS'. */
  xrs_instrument: z.string(),
  /** 'goes15' etc. */
  xrs_telescope: z.string(),
  working_dir: z.string(),
  /** Paths relative to the workspace root. */
  cluster_flux_file: z.string(),
  xrs_resample_file: z.string(),
};
export const resampledXrsRowSchema = z.object(xrsShape);
export type ResampledXrsRow = z.output<typeof resampledXrsRowSchema>;

/** Columns of resampled_img_df_v3.csv. */
export const RESAMPLED_IMG_COLUMNS: CsvColumns = {
  ...RESAMPLED_XRS_COLUMNS,
  img_resampled_value_cluster: 'number',
  img_resampled_value_full_disk: 'number',
  img_instrument: 'text',
  img_wavelength: 'text',
  img_telescope: 'text',
  final_cluster_label: 'number',
  x_hpc: 'number',
  y_hpc: 'number',
  x_pix: 'number',
  y_pix: 'number',
  integration_pixel_bbox: 'json',
  integration_hpc_bbox: 'json',
  all_resampled_data_file: 'text',
  bbox_linear_size_arcsec: 'number',
  bbox_half_linear_size_pix: 'number',
};
export const resampledImgRowSchema = z.object({
  ...xrsShape,
  /** Region flux (linear spline of the image series) at resampled_time_stamp. */
  img_resampled_value_cluster: num,
  /** Full-disk flux (img_flux) at resampled_time_stamp. */
  img_resampled_value_full_disk: num,
  img_instrument: z.string(),
  img_wavelength: z.string(),
  img_telescope: z.string(),
  final_cluster_label: z.number().int(),
  x_hpc: num,
  y_hpc: num,
  x_pix: num,
  y_pix: num,
  integration_pixel_bbox: polygon,
  integration_hpc_bbox: polygon,
  all_resampled_data_file: z.string(),
  bbox_linear_size_arcsec: z.number(),
  bbox_half_linear_size_pix: num,
});
export type ResampledImgRow = z.output<typeof resampledImgRowSchema>;
