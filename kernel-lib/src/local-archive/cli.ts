/**
 * `stagebook archive <command>`:
 *   serve [--port N] [--seed S] [--nights N] [--frames-per-night N] [--token-env NAME] [--faults F.yaml] [--data-dir D] [--blob NAME:BYTES]
 *       runs the local archive on 127.0.0.1 until SIGINT/SIGTERM. Without --token-env it serves
 *       anonymously (any token or none is accepted: it is a loopback test archive); with
 *       --token-env NAME it requires `Authorization: Token $NAME` (the value is never printed).
 *   lco-sync <data_download.yaml>   runs the LCO data-management pipeline once: every failure with its
 *       reason on stderr, the result as JSON on stdout; exit 0 only when the run `succeeded`, 1 when it
 *       is `partial` or `failed`, 130 when interrupted.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { resolveSecret } from '../config/secrets';
import { StagebookError } from '../errors/stagebook-error';
import { escapeForLog } from '../acquisition/names';
import { stagebookEvents, type StagebookEvent } from '../events/emitter';
import type { LcoRunResult } from '../pipelines/lco/run';
import { startLocalArchive, type LocalArchiveOptions } from './server';

const USAGE = `usage: stagebook archive serve [--port N] [--seed S] [--nights N] [--frames-per-night N] [--token-env NAME] [--faults F.yaml] [--data-dir D] [--blob NAME:BYTES]
       stagebook archive lco-sync <data_download.yaml>

  serve      the offline LCO-compatible archive on 127.0.0.1 (frames API, downloads, catalogue) until Ctrl-C.
             Anonymous by default (any token is accepted); --token-env NAME requires the token in $NAME.
  lco-sync   runs the LCO data-management pipeline once for a data_download.yaml (exit 0 ok, 1 failures).
`;

function flags(argv: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--'))
      throw new StagebookError('E_USAGE', `archive: unexpected argument ${a}\n${USAGE}`, { where: 'archive' });
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--'))
      throw new StagebookError('E_USAGE', `archive: ${a} needs a value\n${USAGE}`, { where: 'archive', field: a });
    m.set(a, [...(m.get(a) ?? []), v]);
    i++;
  }
  return m;
}

function int(m: Map<string, string[]>, k: string): number | undefined {
  const v = m.get(k)?.[0];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v))
    throw new StagebookError('E_USAGE', `archive: ${k}: expected a non-negative integer, got ${v}`, {
      where: 'archive',
      field: k,
    });
  return Number(v);
}

async function serve(argv: string[]): Promise<number> {
  const m = flags(argv);
  const allowed = new Set([
    '--port',
    '--seed',
    '--nights',
    '--frames-per-night',
    '--token-env',
    '--faults',
    '--data-dir',
    '--blob',
  ]);
  for (const k of m.keys())
    if (!allowed.has(k))
      throw new StagebookError('E_USAGE', `archive serve: unknown option ${k}\n${USAGE}`, {
        where: 'archive serve',
        field: k,
      });
  // An explicit --token-env must be set (refused with E_SECRET_MISSING otherwise); without it the
  // archive is anonymous, so `archive serve --port 8123` works on a fresh machine.
  const tokenEnv = m.get('--token-env')?.[0];
  const token = tokenEnv === undefined ? undefined : resolveSecret(tokenEnv).reveal();
  const faultsFile = m.get('--faults')?.[0];
  const options: LocalArchiveOptions = {
    port: int(m, '--port') ?? 0,
    token,
    dataDir: m.get('--data-dir')?.[0],
    synthetic: { seed: int(m, '--seed'), nights: int(m, '--nights'), framesPerNight: int(m, '--frames-per-night') },
    faults: faultsFile ? (parse(readFileSync(faultsFile, 'utf8')) as LocalArchiveOptions['faults']) : [],
    blobs: (m.get('--blob') ?? []).map((b) => {
      const [name, size] = b.split(':');
      if (!name || !/^\d+$/.test(size ?? ''))
        throw new StagebookError('E_USAGE', `archive serve: --blob: expected NAME:BYTES, got ${b}`, {
          where: 'archive serve',
          field: '--blob',
        });
      return { name, size: Number(size) };
    }),
  };
  const archive = await startLocalArchive(options);
  const auth = tokenEnv === undefined ? 'anonymous: any token is accepted' : `frames API token from $${tokenEnv}`;
  process.stdout.write(`local archive on ${archive.url} (${archive.frames.length} frames; ${auth}; loopback only)\n`);
  process.stdout.write(
    `  frames:     ${archive.url}frames/?limit=100\n  catalogue:  ${archive.url}catalogues/availability.sqlite\n  listing:    ${archive.url}ncei/goes15/2011/02/08/\n`,
  );
  process.stdout.write(connectHint(archive.url, tokenEnv));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await archive.close();
  return 0;
}

/** One terminal line per engine event worth seeing: failures with their code and reason, warnings. */
function printEvent(e: StagebookEvent): void {
  const where = [e.stage, e.unit].filter(Boolean).join(' ');
  // A multi-line message (E_LCO_UNDELIVERED lists frames) keeps its own lines, each escaped, so no name can add one.
  if (e.type === 'stage-failed')
    process.stderr.write(
      `x ${where}: ${e.error?.code ?? 'E_STAGE_FAILED'}: ${(e.error?.message ?? '').split('\n').map(escapeForLog).join('\n  ')}\n`,
    );
  else if (e.type === 'stage-blocked')
    process.stderr.write(`- ${where}: blocked (${e.message ?? 'an upstream unit failed'})\n`);
  else if (e.type === 'stage-finished') process.stderr.write(`ok ${where}\n`);
  else if (e.type === 'log' && e.level === 'warn')
    process.stderr.write(`! ${where}: ${escapeForLog(e.message ?? '')}\n`);
}

/** The end-of-run lines: status, this run's frame counts, and every problem with its reason. */
function printOutcome(r: LcoRunResult): void {
  const t = r.thisRun;
  process.stderr.write(
    `lco-sync ${r.status}: ${t.new} new frame(s), ${t.alreadyPresent} already present, ${t.failed} failed, ${t.refused} refused\n`,
  );
  for (const p of r.problems) {
    const what =
      p.kind === 'frame'
        ? `frame ${escapeForLog(p.basename ?? '?')} ${p.state}`
        : p.kind === 'unit'
          ? `stage ${p.stage} failed`
          : 'warning';
    process.stderr.write(`  ${what}: ${p.code ?? ''}: ${escapeForLog(p.message ?? '')}\n`);
  }
}

async function lcoSync(argv: string[]): Promise<number> {
  const file = argv[0];
  if (!file || argv.length !== 1)
    throw new StagebookError('E_USAGE', `archive lco-sync: expected one config file\n${USAGE}`, {
      where: 'archive lco-sync',
    });
  const { runLcoDataManagement } = await import('../pipelines/lco/run');
  const stop = stagebookEvents.subscribe(printEvent);
  try {
    const r = await runLcoDataManagement(file);
    printOutcome(r);
    process.stdout.write(
      `${JSON.stringify({ runId: r.run.runId, status: r.status, window: r.window, frames: r.frames, thisRun: r.thisRun, problems: r.problems }, null, 2)}\n`,
    );
    // exit 0 only for `succeeded`: a partial or failed run is never reported as success
    return r.status === 'succeeded' ? 0 : r.status === 'interrupted' ? 130 : 1;
  } finally {
    stop();
  }
}

/** How to point a data_download.yaml (stagebook archive lco-sync) at this archive. */
export function connectHint(url: string, tokenEnv: string | undefined): string {
  const env = tokenEnv ?? 'LCO_TOKEN';
  const value = tokenEnv === undefined ? ' (any value: the local archive accepts every token)' : '';
  return `To use it, in data_download.yaml under archives.lco set:
    url: '${url}'
    token_envvar: '${env}'
  export ${env}=...${value}, then: stagebook archive lco-sync data_download.yaml
`;
}

/** Entry of `stagebook archive ...` (argv after `archive`); resolves to the exit code. */
export async function archiveCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (
    sub !== undefined &&
    (rest.includes('--help') || rest.includes('-h') || sub === '--help' || sub === '-h' || sub === 'help')
  ) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (sub === 'serve') return serve(rest);
  if (sub === 'lco-sync') return lcoSync(rest);
  process.stderr.write(sub === undefined ? USAGE : `stagebook archive: unknown subcommand ${sub}\n${USAGE}`);
  return 2;
}
