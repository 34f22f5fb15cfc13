/**
 * Options of `stagebook stix publish` (STIXCore `stix-publish`, `publish.py`), as data with stated
 * defaults: the code fallbacks of `publish.py` (`DEFAULTS.code`) and the values of the repository's
 * `stixcore.ini` [Publish] section (`DEFAULTS.ini`: waiting_period 7d, include_levels L0,
 * batch_size 20000). Read from `options.publish` of a stix.yaml and/or command-line flags.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { StagebookError } from '../../../errors/stagebook-error';
import { monitorSchema } from '../options';

const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  min: 60,
  h: 3600,
  hr: 3600,
  d: 86_400,
  day: 86_400,
  wk: 604_800,
};

/** Seconds of an astropy-Quantity-style duration (`14d`, `1min`, `0s`, `2 h`, `1.5d`); undefined when invalid. */
export function durationSeconds(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  const unit = m ? UNIT_SECONDS[m[2]] : undefined;
  return m && unit !== undefined ? Number(m[1]) * unit : undefined;
}

/** Seconds of a waiting period; units s, min, h, d, wk (astropy spellings), anything else refused naming the field. */
export function parseDuration(text: string, field: string): number {
  const s = durationSeconds(text);
  if (s === undefined)
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `stix publish: ${field} ${JSON.stringify(text)}: expected a number and a unit (s, min, h, d, wk), e.g. 14d`,
      { where: 'parseDuration', field },
    );
  return s;
}

const duration = z.string().refine((s) => durationSeconds(s) !== undefined, {
  message: 'expected a number and a unit (s, min, h, d, wk), e.g. 14d',
});

/** Comma lists as STIXCore reads them: lower-cased, blanks removed; `*` = everything. */
const list = z.string().min(1);

export const publishOptionsSchema = z
  .strictObject({
    fitsDir: z.string().min(1).describe('-f: folder searched (recursively) for solo_*.fits and solo_*.svg'),
    targetDir: z.string().min(1).describe('-t: where published files are copied (on targetHost when not localhost)'),
    targetHost: z
      .string()
      .min(1)
      .default('localhost')
      .describe('-T: localhost = a local copy; otherwise scp to HOST:targetDir (then ssh mv, atomic)'),
    sameEsaNameDir: z.string().min(1).describe('-s: where files beyond the second supplement are copied (local)'),
    dbFile: z.string().min(1).default('~/published.sqlite').describe('-d: the history database'),
    waitingPeriod: duration.default('14d').describe('-w: time since the last modification'),
    llWaitingPeriod: duration.default('1min').describe('waiting period of LL* levels'),
    batchSize: z.number().int().min(-1).default(-1).describe('-n: most files published per run (-1 = no limit)'),
    includeVersions: list.default('*').describe('-v: versions, e.g. "V01,2" (* = all)'),
    includeLevels: list.default('L0, L1, L2, ANC, LL03, CAL').describe('-l: levels'),
    includeProducts: list.default('ql,hk,sci,asp,cal').describe('-p: products (* = all; STIXCore crashed on *)'),
    ridLutFile: z.string().min(1).optional().describe('-r: the RID table rid_lut.csv (BSD request reasons)'),
    updateRidLut: z.boolean().default(false).describe('--update-rid-lut: update the RID table before publishing'),
    ridLutUpdateUrl: z
      .string()
      .url()
      .default('https://datacenter.stix.i4ds.net/api/bsd/info/')
      .describe('Request-information API; slices are fetched as {url}{YYYYMMDD}/{YYYYMMDD}'),
    sortFiles: z.boolean().default(false).describe('--sort-files: sort candidates by path before the batch cut'),
    blacklistFiles: z.string().min(1).optional().describe('--blacklist-files: text file, one file name a line'),
    supplementReport: z
      .string()
      .min(1)
      .default('~/supplement_report.csv')
      .describe('--supplement-report: TSV of supplements (filename, basefile, comment)'),
    summaryJson: z.string().min(1).optional().describe('--summary-json: the run summary as JSON'),
    futureDays: z.number().min(0).default(7).describe('Files starting more than this many days ahead are ignored'),
    timeCorrelationDir: z
      .string()
      .min(1)
      .optional()
      .describe('Time-correlation tables: VERS_TC of renamed U files is refreshed from the newest'),
    reportMail: monitorSchema.shape.mail.describe('Report mail after each run (STIXCore [Publish] report_mail_*)'),
    scpCommand: z.array(z.string().min(1)).min(1).default(['scp', '-q', '-B']).describe('Copy command for remote'),
    sshCommand: z.array(z.string().min(1)).min(1).default(['ssh', '-o', 'BatchMode=yes']).describe('Remote mv'),
  })
  .describe('stagebook stix publish');

export type PublishOptions = z.output<typeof publishOptionsSchema>;
export type PublishOptionsInput = z.input<typeof publishOptionsSchema>;

/** The two default sets the notes give: publish.py's fallbacks and stixcore.ini's values. */
export const PUBLISH_DEFAULT_SETS = {
  code: {},
  ini: { waitingPeriod: '7d', includeLevels: 'L0', batchSize: 20000 },
} as const;

/** Validates options (E_CONFIG_INVALID naming each field) and expands `~` in paths. */
export function resolvePublishOptions(input: Record<string, unknown>, where = 'stix publish'): PublishOptions {
  const r = publishOptionsSchema.safeParse(input);
  if (!r.success)
    throw new StagebookError(
      'E_CONFIG_INVALID',
      `${where}: ${r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ')}`,
      { where, field: String(r.error.issues[0].path[0] ?? '') },
    );
  const o = r.data;
  const home = (p: string): string => (p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p);
  return {
    ...o,
    dbFile: home(o.dbFile),
    supplementReport: home(o.supplementReport),
    fitsDir: home(o.fitsDir),
    sameEsaNameDir: home(o.sameEsaNameDir),
    targetDir: o.targetHost === 'localhost' ? home(o.targetDir) : o.targetDir,
  };
}

/** A comma list as a set (lower case, blanks removed), or 'all' for `*`. */
export function listFilter(text: string, stripV = false): Set<string> | 'all' {
  if (text.trim() === '*') return 'all';
  const items = text
    .toLowerCase()
    .replace(/\s/g, '')
    .split(',')
    .filter((s) => s !== '');
  return new Set(stripV ? items.map((s) => String(Number(s.replace(/^v/, '')))) : items);
}
