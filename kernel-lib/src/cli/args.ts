/**
 * A small argv parser for the `stagebook` CLI (no dependency): `--flag`, `--key value`,
 * `--key=value`, positionals. Unknown options are usage errors (exit code 2).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { StagebookError } from '../errors/stagebook-error';

/** Declared options of a command: name -> 'flag' or 'value'. */
export type OptionSpec = Record<string, 'flag' | 'value'>;

/** Parsed command line. */
export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | boolean>;
}

/** Parses `argv` against `spec`; throws E_USAGE on unknown options or missing values. */
export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const out: ParsedArgs = { positionals: [], options: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || a === '--') {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw usage(`unknown option --${name}`);
    if (kind === 'flag') {
      if (eq >= 0) throw usage(`--${name} takes no value`);
      out.options[name] = true;
    } else {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || (eq < 0 && v.startsWith('--'))) throw usage(`--${name} needs a value`);
      out.options[name] = v;
    }
  }
  return out;
}

/** E_USAGE error with the CLI's wording. */
export function usage(message: string): StagebookError {
  return new StagebookError('E_USAGE', `stagebook: ${message} (see stagebook --help)`, { where: 'cli' });
}

/** A string option or undefined. */
export function str(p: ParsedArgs, name: string): string | undefined {
  const v = p.options[name];
  return typeof v === 'string' ? v : undefined;
}

/** A required string option. */
export function required(p: ParsedArgs, name: string): string {
  const v = str(p, name);
  if (v === undefined) throw usage(`--${name} is required`);
  return v;
}

/** Config file names `--config` defaults to, searched in the current directory and its parents. */
export const WORKSPACE_CONFIG_NAMES = ['stagebook.yaml', 'stagebook.yml'];

/**
 * `--config`, or the workspace config found from `cwd` upwards (like git finding `.git`), so that
 * `stagebook status` works inside a workspace. E_USAGE naming the names searched when none is found.
 */
export function configFile(p: ParsedArgs, cwd: string = process.cwd()): string {
  const given = str(p, 'config');
  if (given !== undefined) return given;
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of WORKSPACE_CONFIG_NAMES) if (existsSync(path.join(dir, name))) return path.join(dir, name);
    if (path.dirname(dir) === dir) break;
  }
  throw usage(
    `--config is required: no ${WORKSPACE_CONFIG_NAMES.join(' or ')} in ${path.resolve(cwd)} or its parent directories`,
  );
}
