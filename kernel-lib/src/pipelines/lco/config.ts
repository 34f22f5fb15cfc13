/**
 * The seed's `data_download.yaml` (microlensing_photometry data_management), validated with
 * file:line:col errors. Fields as documented in the seed: archives.<id>.{name, active, url,
 * token_envvar, proposals, reduction_level{image, spectrum}}, log_dir, frame_list, data_download_dir,
 * data_reduction_dir, start_datetime, end_datetime ('%Y-%m-%d %H:%M', or containing 'none' = the
 * last 24 h), default_red_config. Stagebook additions (optional): `download` (downloader policy) and
 * `archives.<id>.public` (the seed hard-codes `public=False`; the default stays false).
 * Paths are resolved against the config file's directory.
 */
import path from 'node:path';
import { z } from 'zod';
import { downloadPolicySchema } from '../../acquisition/policy';
import { readYamlFile, validateYaml, type YamlSource } from '../../config/loader';
import { envVarNameSchema } from '../../config/secrets';
import { StagebookError } from '../../errors/stagebook-error';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or http on a loopback host (the local archive). */
const archiveUrl = z.string().refine(
  (u) => {
    try {
      const x = new URL(u);
      return x.protocol === 'https:' || (x.protocol === 'http:' && LOOPBACK_HOSTS.has(x.hostname));
    } catch {
      return false;
    }
  },
  { message: 'expected an https URL (http only on a loopback host)' },
);

const archiveSchema = z.strictObject({
  name: z.string().min(1).describe('Name of the archive'),
  active: z.boolean().describe('Switch to (de)activate downloads from this archive'),
  url: archiveUrl.describe("Root URL of the archive's API"),
  token_envvar: envVarNameSchema,
  proposals: z.array(z.string().min(1)).min(1).describe('Proposal IDs to search'),
  reduction_level: z.strictObject({
    image: z.number().int().describe('RLEVEL of imaging products (91 = BANZAI reduced)'),
    spectrum: z.number().int().describe('RLEVEL of spectroscopic products'),
  }),
  public: z
    .boolean()
    .default(false)
    .describe("The frames API's `public` filter (stagebook addition; false = the seed's hard-coded value)"),
});

const datetime = z.string().refine((s) => /none/i.test(s) || /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(s.trim()), {
  message: "expected '%Y-%m-%d %H:%M' or 'None'",
});

/** Zod schema of data_download.yaml. */
export const lcoConfigSchema = z.strictObject({
  archives: z.record(z.string(), archiveSchema).describe('Archives to query, by id'),
  log_dir: z.string().min(1).describe('Directory of pipeline logs (and of the run requests)'),
  frame_list: z
    .string()
    .optional()
    .describe("Seed field, never read by the seed's code either; stagebook keeps frames in the ledger"),
  data_download_dir: z.string().min(1).describe('Where frames are downloaded before sorting'),
  data_reduction_dir: z.string().min(1).describe('Top-level data reduction directory'),
  start_datetime: z.union([datetime, z.null()]).default('None'),
  end_datetime: z.union([datetime, z.null()]).default('None'),
  default_red_config: z
    .string()
    .optional()
    .describe('Template of each dataset reduction_config.yaml (built-in template when absent)'),
  download: downloadPolicySchema.partial().optional().describe('Downloader policy (stagebook addition)'),
});

/** One archive entry (the schema's output: no hand-written twin). */
export type LcoArchiveConfig = z.output<typeof archiveSchema>;

/** A validated config with absolute paths. */
export interface LcoConfig {
  file: string;
  archives: Record<string, LcoArchiveConfig>;
  logDir: string;
  downloadDir: string;
  reductionDir: string;
  startDatetime: string | null;
  endDatetime: string | null;
  defaultRedConfig?: string;
  download?: z.output<typeof lcoConfigSchema>['download'];
}

/** Loads data_download.yaml (errors: `file:line:col field: message`). */
export function loadLcoConfig(file: string): { config: LcoConfig; source: YamlSource } {
  const source = readYamlFile(file);
  const raw = validateYaml(source, lcoConfigSchema);
  const dir = path.dirname(source.absolutePath);
  const abs = (p: string): string => path.resolve(dir, p);
  return {
    source,
    config: {
      file: source.absolutePath,
      archives: raw.archives,
      logDir: abs(raw.log_dir),
      downloadDir: abs(raw.data_download_dir),
      reductionDir: abs(raw.data_reduction_dir),
      startDatetime: raw.start_datetime,
      endDatetime: raw.end_datetime,
      defaultRedConfig: raw.default_red_config ? abs(raw.default_red_config) : undefined,
      download: raw.download,
    },
  };
}

/** The query window: both datetimes given, or (either contains 'none') the 24 h before `now` (UTC). */
export function queryWindow(
  config: Pick<LcoConfig, 'startDatetime' | 'endDatetime'>,
  now: Date = new Date(),
): { start: Date; end: Date } {
  const s = config.startDatetime;
  const e = config.endDatetime;
  if (s === null || e === null || /none/i.test(s) || /none/i.test(e))
    return { start: new Date(now.getTime() - 86400_000), end: now };
  const start = new Date(`${s.trim().replace(' ', 'T')}:00Z`);
  const end = new Date(`${e.trim().replace(' ', 'T')}:59Z`);
  if (!(start <= end))
    throw new StagebookError('E_CONFIG_INVALID', `queryWindow: start_datetime ${s} is after end_datetime ${e}`, {
      where: 'queryWindow',
      field: 'start_datetime',
    });
  return { start, end };
}
