/**
 * `stagebook notebook reproduce | diff | pack | unpack` (issue 21): argument parsing and printing; the work
 * is in reproduce.ts, notebook-diff.ts and bundle.ts. Exit codes: the binary's one table (errors/exit-codes.ts).
 */
import { writeFileSync } from 'node:fs';
import { EXIT } from '../errors/exit-codes';
import { StagebookError } from '../errors/stagebook-error';
import { packNotebook, unpackBundle } from './bundle';
import { diffNotebooks, diffHtml, diffText } from './notebook-diff';
import { formatReproduce } from './repro-report';
import { reproduceNotebook, type ReproduceOptions } from './reproduce';

export const REPRO_USAGE = `usage:
  stagebook notebook reproduce RECORD.ipynb [-o REPORT.ipynb] [--inputs DIR] [--outputs DIR] [--cwd DIR]
      [--tolerance rtol=1e-9[,atol=0]] [--allow-version] [-p NAME=VALUE ...] [--cell-timeout SEC]
  stagebook notebook diff A.ipynb B.ipynb [--html FILE] [--tolerance rtol=...]
  stagebook notebook pack RECORD.ipynb -o BUNDLE.tar.gz [--max-inline-bytes N] [--url NAME=URL ...]
  stagebook notebook unpack BUNDLE.tar.gz -o DIR
Exit codes: 0 reproduced (or within tolerance) / no differences / packed, 11 differs, 12 version mismatch
(reproduce without --allow-version), 13 a recorded input is missing or changed, 2 usage, 6 not found, 7 not a
run record or not a bundle, 1 the re-run failed before comparing.
`;

function usage(message: string): StagebookError {
  return new StagebookError('E_USAGE', `stagebook notebook: ${message} (see stagebook notebook reproduce --help)`, {
    where: 'notebookReproCommand',
  });
}

interface Args {
  positionals: string[];
  flags: Map<string, string[]>;
}

const BOOLEAN = new Set(['--allow-version', '--help', '-h']);
const VALUED = new Set([
  '-o',
  '--output',
  '--inputs',
  '--outputs',
  '--cwd',
  '--tolerance',
  '-p',
  '--html',
  '--max-inline-bytes',
  '--url',
  '--cell-timeout',
]);

function parse(argv: string[], allowed: string[]): Args {
  const a: Args = { positionals: [], flags: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!flag.startsWith('-') || flag === '-') {
      a.positionals.push(arg);
      continue;
    }
    if (!allowed.includes(flag) || (!BOOLEAN.has(flag) && !VALUED.has(flag))) throw usage(`unknown option ${flag}`);
    let value = 'true';
    if (VALUED.has(flag)) {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined) throw usage(`${flag}: missing value`);
      value = v;
    }
    a.flags.set(flag, [...(a.flags.get(flag) ?? []), value]);
  }
  return a;
}

function one(a: Args, ...names: string[]): string | undefined {
  const values = names.flatMap((n) => a.flags.get(n) ?? []);
  if (values.length > 1) throw usage(`${names[0]} given twice`);
  return values[0];
}

/** `--tolerance rtol=1e-9,atol=0` (or a bare number: rtol). */
export function parseTolerance(text: string): { rtol?: number; atol?: number } {
  const out: { rtol?: number; atol?: number } = {};
  for (const part of text.split(',')) {
    const [k, v] = part.includes('=') ? part.split('=', 2) : ['rtol', part];
    const n = Number(v);
    if (!['rtol', 'atol'].includes(k.trim()) || v === undefined || v.trim() === '' || !Number.isFinite(n) || n < 0)
      throw usage(`--tolerance ${text}: expected rtol=NUMBER[,atol=NUMBER] with non-negative numbers`);
    out[k.trim() as 'rtol' | 'atol'] = n;
  }
  return out;
}

async function reproduceCommand(argv: string[]): Promise<number> {
  const a = parse(argv, [
    '-o',
    '--output',
    '--inputs',
    '--outputs',
    '--cwd',
    '--tolerance',
    '--allow-version',
    '-p',
    '--cell-timeout',
    '--help',
    '-h',
  ]);
  if (a.flags.has('--help') || a.flags.has('-h')) return help();
  if (a.positionals.length !== 1) throw usage('reproduce takes one executed notebook (RECORD.ipynb)');
  const tolerance = one(a, '--tolerance');
  const timeout = one(a, '--cell-timeout');
  if (timeout !== undefined && !(Number(timeout) > 0)) throw usage(`--cell-timeout ${timeout}: expected seconds > 0`);
  const options: ReproduceOptions = {
    record: a.positionals[0],
    output: one(a, '-o', '--output'),
    inputsDir: one(a, '--inputs'),
    outputsDir: one(a, '--outputs'),
    cwd: one(a, '--cwd'),
    allowVersion: a.flags.has('--allow-version'),
    policy: tolerance === undefined ? undefined : parseTolerance(tolerance),
    parameterArgs: a.flags.get('-p'),
    cellTimeoutMs: timeout === undefined ? undefined : Math.round(Number(timeout) * 1000),
  };
  const r = await reproduceNotebook(options);
  (r.exitCode === EXIT.ok ? process.stdout : process.stderr).write(formatReproduce(r));
  return r.exitCode;
}

async function diffCommand(argv: string[]): Promise<number> {
  const a = parse(argv, ['--html', '--tolerance', '--help', '-h']);
  if (a.flags.has('--help') || a.flags.has('-h')) return help();
  if (a.positionals.length !== 2) throw usage('diff takes two executed notebooks (A.ipynb B.ipynb)');
  const tolerance = one(a, '--tolerance');
  const d = diffNotebooks(a.positionals[0], a.positionals[1], tolerance === undefined ? {} : parseTolerance(tolerance));
  process.stdout.write(diffText(d));
  const html = one(a, '--html');
  if (html !== undefined) writeFileSync(html, diffHtml(d));
  return d.identical ? EXIT.ok : EXIT.differs;
}

async function packCommand(argv: string[]): Promise<number> {
  const a = parse(argv, ['-o', '--output', '--max-inline-bytes', '--url', '--help', '-h']);
  if (a.flags.has('--help') || a.flags.has('-h')) return help();
  const out = one(a, '-o', '--output');
  if (a.positionals.length !== 1 || out === undefined) throw usage('pack takes RECORD.ipynb -o BUNDLE.tar.gz');
  const max = one(a, '--max-inline-bytes');
  if (max !== undefined && !/^\d+$/.test(max)) throw usage(`--max-inline-bytes ${max}: expected a byte count`);
  const urls: Record<string, string> = {};
  for (const u of a.flags.get('--url') ?? []) {
    const eq = u.indexOf('=');
    if (eq <= 0) throw usage(`--url ${u}: expected NAME=URL (NAME: the input's parameter)`);
    urls[u.slice(0, eq)] = u.slice(eq + 1);
  }
  const r = await packNotebook({
    record: a.positionals[0],
    output: out,
    maxInlineBytes: max === undefined ? undefined : Number(max),
    urls,
  });
  process.stdout.write(
    `packed ${r.files.length} files (${r.inlined.length} inputs inline, ${r.remote.length} by URL) -> ${r.output}\n`,
  );
  return EXIT.ok;
}

async function unpackCommand(argv: string[]): Promise<number> {
  const a = parse(argv, ['-o', '--output', '--help', '-h']);
  if (a.flags.has('--help') || a.flags.has('-h')) return help();
  const out = one(a, '-o', '--output');
  if (a.positionals.length !== 1 || out === undefined) throw usage('unpack takes BUNDLE.tar.gz -o DIR');
  const r = await unpackBundle(a.positionals[0], out);
  process.stdout.write(`unpacked ${r.files.length} files -> ${r.dir}\nnext: ${r.reproduceCommand}\n`);
  return EXIT.ok;
}

function help(): number {
  process.stdout.write(REPRO_USAGE);
  return EXIT.ok;
}

/** The subcommands this module handles. */
export const REPRO_SUBCOMMANDS = ['reproduce', 'diff', 'pack', 'unpack'] as const;

/** Runs one of REPRO_SUBCOMMANDS; throws StagebookErrors for the caller to map to exit codes. */
export function notebookReproCommand(sub: (typeof REPRO_SUBCOMMANDS)[number], argv: string[]): Promise<number> {
  switch (sub) {
    case 'reproduce':
      return reproduceCommand(argv);
    case 'diff':
      return diffCommand(argv);
    case 'pack':
      return packCommand(argv);
    case 'unpack':
      return unpackCommand(argv);
  }
}
