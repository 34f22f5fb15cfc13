/**
 * The file contract of ALEXIS stages 3 and 4 (steps 1-7) in a flare's working directory
 * (`flare_candidates/flarecandidate_<class>_at_<time>.working/`). ALEXIS pickles pandas frames;
 * stagebook writes their CSV (tables) or JSON (lists of records with list fields) equivalents under
 * ALEXIS's names with `.csv`/`.json` for `.pickle`:
 *
 * | file | written by | ALEXIS |
 * |---|---|---|
 * | initialize_hyperspectral_with_these_files_df.csv | stage 3 | same name .pickle |
 * | initialize_with_these_files_df.csv | stage 3 | same name .pickle |
 * | v3_temporal_clusters.json | step 1 (temporal DBSCAN) | kept in memory (`hyper_spectral_df`) |
 * | v3_interesting_pixels.json | step 2 (hyperspectral DBSCAN) | v3_interesting_pixels.pickle |
 * | v3_interesting_pixels.{tel}.{inst}.{wl}.cluster.{n}.v3_initialize_cluster_flux.json | step 3 | same |
 * | v3_interesting_pixels.{tel}.{inst}.{wl}.cluster.{n}.v3_cluster_flux_timeseries.json | step 4 | same |
 * | clusters_flux_df_v3.csv | step 5 | clusters_flux_df_v3.pickle |
 * | resampled_XRS_df_v3.csv | step 6 | resampled_XRS_df_v3.pickle |
 * | resampled_img_df_v3.csv | step 7 | resampled_img_df_v3.pickle |
 *
 * Columns are ALEXIS's, except run-time columns (`*_run_time`, `dbscan_time_2`): timings go to the
 * unit log, so equal results are byte-equal files and the engine's content hashes skip downstream
 * work. NaN is an empty CSV cell and `null` in JSON; both read back as NaN. Shapes only grow (new
 * fields are added, none change), so code built on them keeps working.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { StagebookError } from '../../errors/stagebook-error';
import { formatCsv, parseCsv, type CsvColumns } from '../../formats/csv/table';
import { atomicWriteFile } from '../../workdirs/atomic';
import { IMAGE_DATA_COLUMNS } from './image-db';

/** ALEXIS's file names (fixed ones). */
export const CANDIDATE_FILES = {
  initHyperspectral: 'initialize_hyperspectral_with_these_files_df.csv',
  initFiles: 'initialize_with_these_files_df.csv',
  temporalClusters: 'v3_temporal_clusters.json',
  interestingPixels: 'v3_interesting_pixels.json',
  clustersFlux: 'clusters_flux_df_v3.csv',
  resampledXrs: 'resampled_XRS_df_v3.csv',
  resampledImg: 'resampled_img_df_v3.csv',
} as const;

/** Suffixes of the per-image files of steps 3 and 4 (Ruffus @subdivide / @transform). */
export const CLUSTER_FLUX_INIT_SUFFIX = '.v3_initialize_cluster_flux.json';
export const CLUSTER_FLUX_TIMESERIES_SUFFIX = '.v3_cluster_flux_timeseries.json';

/** What a per-image file name says: the image group and the image's index in it. */
export interface ClusterFluxFileId {
  telescope: string;
  instrument: string;
  wavelength: string;
  /** ALEXIS's `cluster.{n}`: the n-th image (by time) of the group, not a cluster label. */
  n: number;
}

/** `v3_interesting_pixels.{tel}.{inst}.{wl}.cluster.{n}` + suffix (ALEXIS writes AIA wl as int). */
export function clusterFluxFileName(id: ClusterFluxFileId, suffix: string = CLUSTER_FLUX_INIT_SUFFIX): string {
  return `v3_interesting_pixels.${id.telescope}.${id.instrument}.${id.wavelength}.cluster.${id.n}${suffix}`;
}

/** Parses a per-image file name (either suffix); undefined when it is not one. */
export function parseClusterFluxFileName(name: string): ClusterFluxFileId | undefined {
  const m = /^v3_interesting_pixels\.([^.]+)\.([^.]+)\.([^.]+)\.cluster\.(\d+)\.v3_(?:initialize_cluster_flux|cluster_flux_timeseries)\.json$/.exec(
    name,
  );
  return m ? { telescope: m[1], instrument: m[2], wavelength: m[3], n: Number(m[4]) } : undefined;
}

// ---- value schemas: numbers may be NaN (null in JSON, empty in CSV) ----

const num = z
  .union([z.number(), z.nan(), z.null()])
  .transform((v) => (v === null ? NaN : v)) as unknown as z.ZodType<number, number | null>;
const text = z.string().nullable();
const point = z.tuple([num, num]);
/** A closed square (ALEXIS's make_square_region_v2: 5 corners, first repeated). */
const polygon = z.array(point);

// ---- image rows (image_data_availability + date_time + working_dir) ----

const NUMBER_COLUMNS = new Set([
  'time_stamp',
  'exp_time',
  'file_size_MB',
  'QUALITY',
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
]);

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

// ---- the registry: format, schema and columns per kind ----

interface CsvFormat<S extends z.ZodTypeAny> {
  format: 'csv';
  columns: CsvColumns;
  row: S;
}
interface JsonFormat<S extends z.ZodTypeAny> {
  format: 'json';
  schema: S;
}

/** How each kind of file is written and checked. */
export const CANDIDATE_FILE_FORMATS = {
  initHyperspectral: { format: 'csv', columns: HYPERSPECTRAL_ROW_COLUMNS, row: hyperspectralRowSchema },
  initFiles: { format: 'csv', columns: FILE_ROW_COLUMNS, row: fileRowSchema },
  temporalClusters: { format: 'json', schema: temporalClustersFileSchema },
  interestingPixels: { format: 'json', schema: z.array(candidateSchema) },
  clusterFluxInit: { format: 'json', schema: z.array(clusterFluxInitRowSchema) },
  clusterFluxTimeseries: { format: 'json', schema: z.array(clusterFluxRowSchema) },
  clustersFlux: { format: 'csv', columns: CLUSTER_FLUX_COLUMNS, row: clusterFluxRowSchema },
  resampledXrs: { format: 'csv', columns: RESAMPLED_XRS_COLUMNS, row: resampledXrsRowSchema },
  resampledImg: { format: 'csv', columns: RESAMPLED_IMG_COLUMNS, row: resampledImgRowSchema },
} satisfies Record<string, CsvFormat<z.ZodTypeAny> | JsonFormat<z.ZodTypeAny>>;

export type CandidateFileKind = keyof typeof CANDIDATE_FILE_FORMATS;
type FormatOf<K extends CandidateFileKind> = (typeof CANDIDATE_FILE_FORMATS)[K];
/** The parsed content of a file of kind K (CSV kinds: an array of rows). */
export type CandidateFileValue<K extends CandidateFileKind> =
  FormatOf<K> extends { format: 'csv'; row: infer S extends z.ZodTypeAny }
    ? z.output<S>[]
    : FormatOf<K> extends { schema: infer S extends z.ZodTypeAny }
      ? z.output<S>
      : never;

// The CSV columns and the row schemas must name the same fields (checked at load, so a drift fails at once).
for (const f of Object.values(CANDIDATE_FILE_FORMATS) as Array<CsvFormat<z.ZodTypeAny> | JsonFormat<z.ZodTypeAny>>) {
  if (f.format !== 'csv') continue;
  const shape = (f.row as unknown as z.ZodObject<z.ZodRawShape>).shape;
  const cols = Object.keys(f.columns);
  if (cols.length !== Object.keys(shape).length || !cols.every((c) => c in shape))
    throw new StagebookError('E_INVALID_SHAPE', `candidate-files: CSV columns and row schema disagree (${cols[0]})`, {
      where: 'candidate-files',
    });
}

function zodError(source: string, e: z.ZodError, rowOffset: number | undefined): never {
  const issue = e.issues[0];
  const p = issue.path;
  const at =
    rowOffset !== undefined && typeof p[0] === 'number'
      ? `line ${Number(p[0]) + rowOffset}, column ${String(p[1] ?? '')}`
      : `field ${p.map(String).join('.') || '(root)'}`;
  throw new StagebookError('E_FORMAT', `${source}: ${at}: ${issue.message}`, {
    where: 'readCandidateFile',
    file: source,
    field: p.map(String).join('.'),
  });
}

/** The text of a file of kind K (CSV with ALEXIS's columns, or JSON, one record per line for arrays). */
export function formatCandidateFile<K extends CandidateFileKind>(kind: K, value: CandidateFileValue<K>): string {
  const f = CANDIDATE_FILE_FORMATS[kind] as CsvFormat<z.ZodTypeAny> | JsonFormat<z.ZodTypeAny>;
  if (f.format === 'csv') return formatCsv(f.columns, value as Record<string, unknown>[]);
  if (Array.isArray(value))
    return value.length === 0 ? '[]\n' : `[\n${value.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`;
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Parses and checks the text of a file of kind K; `source` names the file in errors.
 * @throws StagebookError E_FORMAT naming the file and line/column or field
 */
export function parseCandidateFile<K extends CandidateFileKind>(
  kind: K,
  textValue: string,
  source: string = kind,
): CandidateFileValue<K> {
  const f = CANDIDATE_FILE_FORMATS[kind] as CsvFormat<z.ZodTypeAny> | JsonFormat<z.ZodTypeAny>;
  if (f.format === 'csv') {
    const rows = parseCsv(f.columns, textValue, source);
    const r = z.array(f.row).safeParse(rows);
    if (!r.success) zodError(source, r.error, 2);
    return r.data as CandidateFileValue<K>;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(textValue);
  } catch (cause) {
    throw new StagebookError(
      'E_FORMAT',
      `${source}: not JSON: ${(cause as Error).message}`,
      { where: 'readCandidateFile', file: source },
      { cause },
    );
  }
  const r = f.schema.safeParse(raw);
  if (!r.success) zodError(source, r.error, undefined);
  return r.data as CandidateFileValue<K>;
}

/** Reads and checks a file of kind K. */
export function readCandidateFile<K extends CandidateFileKind>(kind: K, file: string): CandidateFileValue<K> {
  let t: string;
  try {
    t = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new StagebookError(
      'E_IO',
      `readCandidateFile: cannot read ${file}: ${(cause as Error).message}`,
      { where: 'readCandidateFile', file },
      { cause },
    );
  }
  return parseCandidateFile(kind, t, file);
}

/** Writes a file of kind K atomically (temp + rename). */
export async function writeCandidateFile<K extends CandidateFileKind>(
  kind: K,
  file: string,
  value: CandidateFileValue<K>,
): Promise<void> {
  await atomicWriteFile(file, formatCandidateFile(kind, value));
}
