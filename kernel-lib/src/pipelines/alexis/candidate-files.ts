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
import {
  CLUSTER_FLUX_COLUMNS,
  FILE_ROW_COLUMNS,
  HYPERSPECTRAL_ROW_COLUMNS,
  RESAMPLED_IMG_COLUMNS,
  RESAMPLED_XRS_COLUMNS,
  candidateSchema,
  clusterFluxInitRowSchema,
  clusterFluxRowSchema,
  fileRowSchema,
  hyperspectralRowSchema,
  resampledImgRowSchema,
  resampledXrsRowSchema,
  temporalClustersFileSchema,
} from './candidate-schemas';

export * from './candidate-schemas';

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

const PER_IMAGE_NAME = new RegExp(
  '^v3_interesting_pixels\\.([^.]+)\\.([^.]+)\\.([^.]+)\\.cluster\\.(\\d+)' +
    '\\.v3_(?:initialize_cluster_flux|cluster_flux_timeseries)\\.json$',
);

/** Parses a per-image file name (either suffix); undefined when it is not one. */
export function parseClusterFluxFileName(name: string): ClusterFluxFileId | undefined {
  const m = PER_IMAGE_NAME.exec(name);
  return m ? { telescope: m[1], instrument: m[2], wavelength: m[3], n: Number(m[4]) } : undefined;
}

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
