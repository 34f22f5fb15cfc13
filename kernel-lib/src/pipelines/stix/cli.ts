/**
 * `stagebook stix serve|status|monitor|process` (registered in cli/main.ts). Flags follow the
 * STIXCore tools: `stix-pipeline-status -l -e -c -n -C -p` (its `-o` fixed: an alias of `-n`),
 * `pipeline_monitor.py -s FILE`, `stix-pipeline-cli -b -e --filter --input-files -o --clean`.
 * Exit codes: 0 ok; 1 failures (a run with failures, a stuck pipeline, an unreachable endpoint);
 * 2 usage; others as `stagebook` (docs/cli.md).
 */
import { createInterface } from 'node:readline/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { validateYaml } from '../../config/loader';
import { loadStagebookConfig, type StagebookConfig } from '../../config/schema';
import { StagebookError, isStagebookError } from '../../errors/stagebook-error';
import { Ledger } from '../../ledger/ledger';
import type { LogLevel } from '../../logging/unit-log';
import { monitorStep, readMonitorStatus, sendStuckAlert, writeMonitorStatus } from './monitor';
import { stixOptionsSchema, stixPaths, type StixOptions } from './options';
import { STIX_STAGES } from './pipeline';
import { checkLevelRange, processStix, STIX_LEVELS } from './process';
import { readServiceState, StixService } from './service';
import { queryStatus, startStatusServer } from './status';

type Spec = Record<string, { long?: string; value: boolean }>;

/** Parses short (`-l`) and long (`--config`) options; unknown ones are E_USAGE. */
export function parseStixArgs(argv: readonly string[], spec: Spec): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  const byFlag = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) {
    byFlag.set(name.length === 1 ? `-${name}` : `--${name}`, name);
    if (s.long) byFlag.set(`--${s.long}`, name);
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] =
      argv[i].startsWith('--') && argv[i].includes('=')
        ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)]
        : [argv[i], undefined];
    const name = byFlag.get(flag);
    if (!name) throw usage(`unknown option ${argv[i]}`);
    if (!spec[name].value) out[name] = true;
    else {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('-') && v.length > 1 && isNaN(Number(v))))
        throw usage(`${flag} needs a value`);
      out[name] = v;
    }
  }
  return out;
}

function usage(message: string): StagebookError {
  return new StagebookError('E_USAGE', `stagebook stix: ${message} (see stagebook stix --help)`, { where: 'stix cli' });
}

export const STIX_HELP = `usage: stagebook stix <command> [options]

  serve --config stix.yaml
  status [-l] [-e] [-c] [-n] [-o] [-C] [-p PORT | --config stix.yaml]
  monitor -s monitor_status.json --config stix.yaml [-p PORT]
  process --config stix.yaml -b TM|LB|L0|L1|L2 -e TM|LB|L0|L1|L2 [--filter GLOB | --input-files list.txt]
          [-o out.txt] [--clean [--yes]] [--stop-on-error | --continue-on-error] [--log-file F --log-level L]
  publish [--config stix.yaml] [-f FITS] [-t TARGET] [-s SAME_ESA_DIR] ...   (stagebook stix publish --help)
  daily [--config stix.yaml] [-i FITS_IN] [-o FITS_OUT] [-d DB] [--day YYYY-MM-DD]   (stagebook stix daily --help)

status: -l last, -e error, -c current, -n next (open files), -o same as -n (STIXCore's -o sent a command no
server handled), -C config, -p port (default: from the service's state file, else 12388).
Exit codes: 0 ok, 1 failures / stuck / service unreachable, 2 usage, 3 config, 4 locked, 5 no inputs.
`;

function loadStixConfig(file: string | undefined): { config: StagebookConfig; options: StixOptions } {
  if (!file) throw usage('--config is required');
  const { config, source } = loadStagebookConfig(file);
  const options = validateYaml(source, stixOptionsSchema, ['options'], config.options);
  return { config: { ...config, options }, options };
}

function say(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

/** `stix serve`: runs the service until SIGTERM/SIGINT (exit 0) or a stop on error (exit 1). */
export async function cmdServe(argv: string[]): Promise<number> {
  const a = parseStixArgs(argv, { config: { value: true } });
  const { config, options } = loadStixConfig(a.config as string | undefined);
  const service = new StixService(config);
  service.on('log', (l: { level: string; message: string }) => say(`${l.level.toUpperCase()} ${l.message}`));
  const { server, port } = await startStatusServer(service, options.service.statusPort);
  service.setPort(port);
  say(`INFO status endpoint on 127.0.0.1:${port}`);
  const stopped = new Promise<string>((resolve) => service.once('stopped', resolve));
  const onSignal = (sig: string) => (): void => void service.stop(`signal ${sig}`);
  process.once('SIGTERM', onSignal('SIGTERM'));
  process.once('SIGINT', onSignal('SIGINT'));
  await service.start();
  const reason = await stopped;
  await new Promise((r) => server.close(r));
  return reason.startsWith('stop on error') ? 1 : 0;
}

function portOf(a: Record<string, string | true>): number {
  if (typeof a.p === 'string') {
    const p = Number(a.p);
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw usage(`-p ${a.p}: expected a port number`);
    return p;
  }
  if (typeof a.config === 'string') {
    const { config, options } = loadStixConfig(a.config);
    const state = readServiceState(stixPaths(config.root, options).stateFile);
    return state?.port ?? options.service.statusPort;
  }
  return 12388;
}

/** `stix status`: one command per flag, answers printed in flag order. */
export async function cmdStatus(argv: string[]): Promise<number> {
  const spec: Spec = {
    l: { value: false },
    e: { value: false },
    c: { value: false },
    n: { value: false },
    o: { value: false },
    C: { value: false },
    p: { value: true },
    config: { value: true },
  };
  const a = parseStixArgs(argv, spec);
  const commands = (['l', 'e', 'c', 'n', 'o', 'C'] as const)
    .filter((f) => a[f])
    .map((f) => ({ l: 'last', e: 'error', c: 'current', n: 'next', o: 'next', C: 'config' })[f]);
  if (commands.length === 0) throw usage('status needs at least one of -l -e -c -n -o -C');
  const port = portOf(a);
  try {
    for (const c of commands) process.stdout.write(`${await queryStatus(port, c)}\n`);
  } catch (e) {
    if (isStagebookError(e) && e.code === 'E_STIX_STATUS') {
      process.stderr.write(`stagebook: ${e.code}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  return 0;
}

/** `stix monitor`: one sample; exit 1 (after alerting) when stuck. */
export async function cmdMonitor(argv: string[]): Promise<number> {
  const a = parseStixArgs(argv, {
    s: { long: 'status-file', value: true },
    config: { value: true },
    p: { value: true },
  });
  if (typeof a.s !== 'string') throw usage('monitor needs -s monitor_status.json');
  const { options } = loadStixConfig(a.config as string | undefined);
  const reply = await queryStatus(portOf(a), 'next');
  const m = /^open files: (\d+)/.exec(reply);
  if (!m)
    throw new StagebookError('E_STIX_STATUS', `stix monitor: unexpected answer to next: ${reply.split('\n')[0]}`, {
      where: 'stix monitor',
    });
  const step = monitorStep(readMonitorStatus(a.s), { date: new Date(), open: Number(m[1]) }, options.monitor);
  writeMonitorStatus(a.s, step.status);
  process.stdout.write(`open files: ${m[1]}; ${step.stuck ? 'STUCK' : 'ok'}: ${step.reason}\n`);
  if (!step.stuck) return 0;
  const sent = await sendStuckAlert(
    options.monitor,
    'STIX pipeline stuck',
    `The STIX pipeline seems stuck: ${step.reason}.\nRestart: sudo systemctl restart stix-pipeline.service\n`,
  );
  process.stdout.write(`alert sent: ${sent.join(', ') || 'no mail or command configured'}\n`);
  return 1;
}

async function confirm(question: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) throw usage('--clean deletes products: add --yes when not on a terminal');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${question} [y/N] `);
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

/** `stix process`: a level range; the products made go to stdout or -o. */
export async function cmdProcess(argv: string[]): Promise<number> {
  const a = parseStixArgs(argv, {
    config: { value: true },
    b: { long: 'start-level', value: true },
    e: { long: 'end-level', value: true },
    filter: { value: true },
    'input-files': { value: true },
    o: { long: 'out-file', value: true },
    clean: { value: false },
    yes: { value: false },
    'stop-on-error': { value: false },
    'continue-on-error': { value: false },
    'log-file': { value: true },
    'log-level': { value: true },
  });
  const { begin, end } = checkLevelRange(String(a.b ?? 'TM'), String(a.e ?? 'L2'));
  if (a.filter && a['input-files']) throw usage('--filter and --input-files exclude each other');
  if (a['stop-on-error'] && a['continue-on-error'])
    throw usage('--stop-on-error and --continue-on-error exclude each other');
  const level = a['log-level'] as string | undefined;
  if (level && !['debug', 'info', 'warn', 'error'].includes(level))
    throw usage(`--log-level ${level}: expected debug, info, warn or error`);
  const { config } = loadStixConfig(a.config as string | undefined);
  const inputFiles =
    typeof a['input-files'] === 'string'
      ? readFileSync(a['input-files'], 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
      : undefined;
  let clean = false;
  if (a.clean) {
    const ledger = Ledger.open(config.ledger);
    const stages = STIX_STAGES.filter(
      (_, i) => i + 1 >= Math.max(1, STIX_LEVELS.indexOf(begin)) && i + 1 <= STIX_LEVELS.indexOf(end),
    );
    const n = ledger.filesOfStages('stix', [...stages]).length;
    ledger.close();
    clean = await confirm(`Delete ${n} product file(s) of levels ${begin}..${end}?`, a.yes === true);
    if (!clean) {
      process.stderr.write('stagebook stix process: not cleaned; nothing done\n');
      return 0;
    }
  }
  const r = await processStix(config, {
    begin,
    end,
    filter: a.filter as string | undefined,
    inputFiles,
    clean,
    onError: a['stop-on-error'] ? 'stop' : a['continue-on-error'] ? 'continue' : undefined,
    logFile: a['log-file'] as string | undefined,
    logLevel: level as LogLevel | undefined,
  });
  const list = r.produced.map((f) => `${f}\n`).join('');
  if (typeof a.o === 'string') writeFileSync(path.resolve(a.o), list);
  else process.stdout.write(list);
  for (const e of r.errors) process.stderr.write(`error: ${e}\n`);
  process.stderr.write(`run ${r.runId}: ${r.status}, ${r.produced.length} product(s)\n`);
  return r.status === 'succeeded' ? 0 : 1;
}

/** Dispatches `stagebook stix <command>`. */
export async function stixCommand(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve':
      return cmdServe(rest);
    case 'status':
      return cmdStatus(rest);
    case 'monitor':
      return cmdMonitor(rest);
    case 'process':
      return cmdProcess(rest);
    case 'publish':
      return (await import('./publish/cli')).cmdPublish(rest);
    case 'daily':
      return (await import('./daily/cli')).cmdDaily(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(STIX_HELP);
      return cmd === undefined ? 2 : 0;
    default:
      throw usage(`unknown command ${cmd}`);
  }
}
