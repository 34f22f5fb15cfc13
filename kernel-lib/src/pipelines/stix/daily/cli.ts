/**
 * `stagebook stix daily` with STIXCore `pipeline_daily.py`'s flags (`-d -i -o --continue_on_error`, long
 * names with `_` or `-`) plus `--day` and `--config stix.yaml` (`options.daily`; the workspace's
 * `fitsDir` is the default input and output root). Exit codes: 0 ok, 1 an input failed, 2 usage, 3 config.
 */
import os from 'node:os';
import path from 'node:path';
import { validateYaml } from '../../../config/loader';
import { loadStagebookConfig } from '../../../config/schema';
import { StagebookError } from '../../../errors/stagebook-error';
import { stixOptionsSchema } from '../options';
import { dailyOptionsSchema, runDaily } from './daily';

export const DAILY_HELP = `usage: stagebook stix daily [--config stix.yaml] [-i FITS_IN_DIR] [-o FITS_OUT_DIR] [-d DB_FILE]
  [--day YYYY-MM-DD] [--continue_on_error | --stop_on_error]
Exit codes: 0 ok, 1 an input failed, 2 usage, 3 config.
`;

function usage(message: string): StagebookError {
  return new StagebookError('E_USAGE', `stagebook stix daily: ${message} (see stagebook stix daily --help)`, {
    where: 'stix daily',
  });
}

const VALUE: Record<string, string> = { '-i': 'fitsInDir', '-o': 'fitsOutDir', '-d': 'dbFile' };
const LONG: Record<string, string> = {
  fits_in_dir: 'fitsInDir',
  fits_out_dir: 'fitsOutDir',
  db_file: 'dbFile',
  day: 'day',
};

/** `stagebook stix daily`. */
export async function cmdDaily(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(DAILY_HELP);
    return 0;
  }
  const flags: Record<string, unknown> = {};
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const long = a.startsWith('--') ? a.slice(2).replace(/-/g, '_') : undefined;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage(`${a} needs a value`);
      return v;
    };
    if (VALUE[a]) flags[VALUE[a]] = next();
    else if (long && LONG[long]) flags[LONG[long]] = next();
    else if (long === 'config') config = next();
    else if (long === 'continue_on_error') flags.stopOnError = false;
    else if (long === 'stop_on_error') flags.stopOnError = true;
    else throw usage(`unknown option ${a}`);
  }
  let fromConfig: Record<string, unknown> = {};
  if (config) {
    const { config: c, source } = loadStagebookConfig(config);
    const stix = validateYaml(source, stixOptionsSchema, ['options'], c.options);
    const parsed = validateYaml(source, dailyOptionsSchema.partial(), ['options', 'daily'], stix.daily ?? {});
    // only the fields the file sets (the schema's defaults would hide the workspace defaults below)
    const daily = Object.fromEntries(
      Object.entries(parsed).filter(([k]) => Object.prototype.hasOwnProperty.call(stix.daily ?? {}, k)),
    ) as Partial<typeof parsed>;
    const fits = path.resolve(c.root, stix.fitsDir);
    fromConfig = { fitsInDir: fits, fitsOutDir: fits, dbFile: path.resolve(c.root, 'processed.sqlite'), ...daily };
    for (const k of ['fitsInDir', 'fitsOutDir', 'dbFile'] as const)
      if (typeof daily[k] === 'string') fromConfig[k] = path.resolve(c.root, daily[k] as string);
  }
  const merged = { ...fromConfig, ...flags };
  if (merged.fitsInDir === undefined) throw usage('-i/--fits_in_dir is required (flag, or --config)');
  if (merged.fitsOutDir === undefined) merged.fitsOutDir = merged.fitsInDir;
  const r = dailyOptionsSchema.safeParse(merged);
  if (!r.success)
    throw new StagebookError(
      'E_CONFIG_INVALID',
      `stix daily: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      { where: 'stix daily', field: String(r.error.issues[0].path[0] ?? '') },
    );
  const o = { ...r.data, dbFile: r.data.dbFile.replace(/^~(?=\/)/, os.homedir()) };
  const items = runDaily(o);
  for (const it of items)
    process.stdout.write(`${it.status} ${it.product} <- ${path.basename(it.input)}: ${it.reason}\n`);
  const n = (s: string): number => items.filter((i) => i.status === s).length;
  process.stderr.write(`stix daily: ${n('made')} made, ${n('skipped')} skipped, ${n('failed')} failed\n`);
  return n('failed') > 0 ? 1 : 0;
}
