/**
 * `stagebook stix publish` with the flags of STIXCore's `stix-publish` (`-t -T -s -r -d -w -n -v -l -p -f
 * -o`, `--update_rid_lut --sort_files --blacklist_files --supplement_report --log_level`; long names
 * also with `-` for `_`), read over `options.publish` of `--config stix.yaml` and the chosen default
 * set (`--defaults code|ini`). Exit codes: 0 nothing failed; 1 a file ended as ERROR (or the report
 * mail failed); 2 usage; 3 config (docs/cli.md).
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { validateYaml } from '../../../config/loader';
import { loadStagebookConfig } from '../../../config/schema';
import { StagebookError, isStagebookError } from '../../../errors/stagebook-error';
import { sendMail } from '../monitor';
import { stixOptionsSchema } from '../options';
import { fileOperationCount } from './crash-hook';
import { PUBLISH_DEFAULT_SETS, publishOptionsSchema, resolvePublishOptions, type PublishOptions } from './options';
import { publishStix, type PublishRun } from './publish';
import { appendSupplementReport, mailBody, mailSubject, mailSummary, publishCounts, writeSummaryJson } from './report';
import { updateRidTable } from './rid-table';

/** Flag -> option field (value flags) or boolean field. */
const FLAGS: Array<{ short?: string; long: string; field: string; bool?: boolean }> = [
  { short: 't', long: 'target_dir', field: 'targetDir' },
  { short: 'T', long: 'target_host', field: 'targetHost' },
  { short: 's', long: 'same_esa_name_dir', field: 'sameEsaNameDir' },
  { short: 'r', long: 'rid_lut_file', field: 'ridLutFile' },
  { long: 'update_rid_lut', field: 'updateRidLut', bool: true },
  { long: 'sort_files', field: 'sortFiles', bool: true },
  { long: 'blacklist_files', field: 'blacklistFiles' },
  { long: 'supplement_report', field: 'supplementReport' },
  { short: 'd', long: 'db_file', field: 'dbFile' },
  { short: 'w', long: 'waiting_period', field: 'waitingPeriod' },
  { long: 'll_waiting_period', field: 'llWaitingPeriod' },
  { short: 'n', long: 'batch_size', field: 'batchSize' },
  { short: 'v', long: 'include_versions', field: 'includeVersions' },
  { short: 'l', long: 'include_levels', field: 'includeLevels' },
  { short: 'p', long: 'include_products', field: 'includeProducts' },
  { short: 'f', long: 'fits_dir', field: 'fitsDir' },
  { long: 'summary_json', field: 'summaryJson' },
  { long: 'time_correlation_dir', field: 'timeCorrelationDir' },
];
/** Flags of the command itself (not publish options). */
const OWN = ['config', 'defaults', 'dry_run', 'log_dir', 'log_level', 'o'];

export const PUBLISH_HELP = `usage: stagebook stix publish [--config stix.yaml] [--defaults code|ini] [--dry-run]
  [-f FITS_DIR] [-t TARGET_DIR] [-T TARGET_HOST] [-s SAME_ESA_NAME_DIR] [-d DB_FILE] [-w 14d] [-n BATCH]
  [-v VERSIONS] [-l LEVELS] [-p PRODUCTS] [-r RID_LUT] [--update_rid_lut] [--sort_files]
  [--blacklist_files FILE] [--supplement_report FILE] [--summary_json FILE] [-o LOG_DIR] [--log_level L]
Long flags accept - or _. Exit codes: 0 ok, 1 a file ended as ERROR or the report mail failed, 2 usage, 3 config.
`;

function usage(message: string): StagebookError {
  return new StagebookError('E_USAGE', `stagebook stix publish: ${message} (see stagebook stix publish --help)`, {
    where: 'stix publish',
  });
}

/** Parses argv into flag values (long names normalised to `_`). */
export function parsePublishArgs(argv: readonly string[]): {
  flags: Record<string, unknown>;
  own: Record<string, string | true>;
} {
  const flags: Record<string, unknown> = {};
  const own: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const long = flag.startsWith('--') ? flag.slice(2).replace(/-/g, '_') : undefined;
    const short = !long && /^-[a-zA-Z]$/.test(flag) ? flag.slice(1) : undefined;
    const spec = FLAGS.find((f) => (long ? f.long === long : f.short === short));
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw usage(`${flag} needs a value`);
      return v;
    };
    if (spec?.bool) flags[spec.field] = true;
    else if (spec) flags[spec.field] = spec.field === 'batchSize' ? Number(value()) : value();
    else if (long === 'dry_run') own.dry_run = true;
    else if ((long && OWN.includes(long)) || short === 'o') own[long ?? 'log_dir'] = value();
    else if (short === 'S' || long === 'spice_file')
      throw usage(`${flag}: SPICE kernels are not used here (ephemeris headers come from the time-correlation tables)`);
    else throw usage(`unknown option ${raw}`);
  }
  if (own.defaults !== undefined && own.defaults !== 'code' && own.defaults !== 'ini')
    throw usage(`--defaults ${String(own.defaults)}: expected code or ini`);
  return { flags, own };
}

/** Options from the default set, the config's `options.publish` (paths relative to its root), and flags. */
export function publishOptionsFrom(argv: readonly string[]): {
  options: PublishOptions;
  own: Record<string, string | true>;
} {
  const { flags, own } = parsePublishArgs(argv);
  const defaults = PUBLISH_DEFAULT_SETS[(own.defaults as 'code' | 'ini' | undefined) ?? 'code'];
  let fromConfig: Record<string, unknown> = {};
  if (typeof own.config === 'string') {
    const { config, source } = loadStagebookConfig(own.config);
    const stix = validateYaml(source, stixOptionsSchema, ['options'], config.options);
    const pub = validateYaml(source, publishOptionsSchema.partial(), ['options', 'publish'], stix.publish ?? {});
    const rel = (p: unknown): unknown =>
      typeof p === 'string' && !p.startsWith('~') ? path.resolve(config.root, p) : p;
    // the workspace's folders are the defaults (the time-correlation folder only when there is one)
    const tc = path.resolve(config.root, stix.timeCorrelationDir);
    fromConfig = {
      fitsDir: path.resolve(config.root, stix.fitsDir),
      ...(existsSync(tc) ? { timeCorrelationDir: tc } : {}),
    };
    // only the fields the file sets: the schema's defaults must not hide the chosen default set
    const given = new Set(Object.keys(stix.publish ?? {}));
    for (const [k, v] of Object.entries(pub)) {
      if (v === undefined || !given.has(k)) continue;
      const isPath = [
        'fitsDir',
        'sameEsaNameDir',
        'dbFile',
        'ridLutFile',
        'blacklistFiles',
        'supplementReport',
        'summaryJson',
        'timeCorrelationDir',
      ].includes(k);
      fromConfig[k] = isPath || (k === 'targetDir' && (pub.targetHost ?? 'localhost') === 'localhost') ? rel(v) : v;
    }
  }
  const merged = { ...defaults, ...fromConfig, ...flags };
  for (const req of ['fitsDir', 'targetDir', 'sameEsaNameDir'])
    if (merged[req as keyof typeof merged] === undefined)
      throw usage(
        `${FLAGS.find((f) => f.field === req)?.long} is required (flag, or options.publish.${req} in --config)`,
      );
  return { options: resolvePublishOptions(merged), own };
}

const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

/** STIXCore's daily log `<log_dir>/pub_YYYYMMDD.log` (appended). */
function writeLog(dir: string, level: string, run: PublishRun): void {
  const min = LEVELS.indexOf(level.toUpperCase());
  if (min < 0) throw usage(`--log_level ${level}: expected one of ${LEVELS.join(', ')}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `pub_${run.startedAt.slice(0, 10).replace(/-/g, '')}.log`);
  const lines = run.items
    .map((i) => ({ lvl: i.result === 'ERROR' ? 3 : 1, text: `${run.startedAt} ${i.result} ${i.name}: ${i.reason}` }))
    .filter((l) => l.lvl >= min)
    .map((l) => `${l.text}\n`);
  appendFileSync(file, lines.join(''));
}

/** `stagebook stix publish`. */
export async function cmdPublish(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(PUBLISH_HELP);
    return 0;
  }
  const { options: o, own } = publishOptionsFrom(argv);
  if (o.updateRidLut) {
    if (!o.ridLutFile) throw usage('--update_rid_lut needs -r/--rid_lut_file');
    const u = await updateRidTable(o.ridLutFile, { url: o.ridLutUpdateUrl });
    process.stderr.write(`RID table: ${u.slices} slice(s), ${u.added} new row(s), ${u.total} in ${o.ridLutFile}\n`);
  }
  const run = publishStix(o, { dryRun: own.dry_run === true });
  if (run.dryRun) {
    for (const c of run.candidates)
      process.stdout.write(`${c.selected ? 'PUBLISH' : 'skip   '} ${c.name}: ${c.reason}\n`);
    return 0;
  }
  appendSupplementReport(o.supplementReport, []); // created with its header even when no supplement was made
  if (o.summaryJson) writeSummaryJson(o.summaryJson, run);
  if (typeof own.log_dir === 'string') writeLog(own.log_dir, String(own.log_level ?? 'INFO'), run);
  for (const i of run.items) process.stdout.write(`${i.result} ${i.name}: ${i.reason}\n`);
  const counts = publishCounts(run);
  process.stderr.write(`stix publish: ${mailSummary(counts)} (${fileOperationCount()} file operations)\n`);
  let mailFailed = false;
  if (o.reportMail) {
    try {
      await sendMail(o.reportMail, mailSubject(counts), mailBody(run), 'stix publish', 'options.publish.reportMail');
    } catch (e) {
      if (!isStagebookError(e)) throw e;
      process.stderr.write(`stagebook: ${e.code}: ${e.message}\n`);
      mailFailed = true;
    }
  }
  return counts.ERROR > 0 || mailFailed ? 1 : 0;
}
