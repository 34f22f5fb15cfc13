/**
 * `stagebook punch serve-control|run|process|status|simulate` (registered in cli/main.ts), after
 * punchpipe's `punchpipe run|serve-control <config>`. Exit codes: 0 ok; 1 a flow failed, timed out
 * or left an output unreported (never success with failures); 2 usage; 3 config; 6 unknown flow;
 * others as `stagebook` (docs/cli.md).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StagebookError } from '../../errors/stagebook-error';
import { loadPunchConfig, type PunchConfig } from './config';
import { fileCounts, flowCounts, openControlDb } from './control-db';
import { ControlDaemon, runControlPass, runUntilIdle, type ControlPassResult, type DaemonEvent } from './daemon';
import { createFlowExecutor } from './flow-executor';
import './in-process-executor';
import './bullmq-flow-executor';
import { MISSION_SEGMENTS } from './mission/segments';
import { ingestL0, simulateL0 } from './mission/simulate';
import { processFlow } from './processor';

export const PUNCH_HELP = `usage: stagebook punch <command> --config punch.yaml [options]

  serve-control            run scheduler, launcher, cleaner and health on their cron schedules until
                           SIGTERM/SIGINT (pending staggered launches go back to planned; runs are waited for)
  run [--until-idle] [--max-passes N]
                           every component once (or until nothing is left to do)
  process FLOW_ID...       run launched flows here (what an executor's worker does)
  status [--json]          flows by level, type and state; files by level and state
  simulate --start ISO --slots N [--size 64] [--cadence-minutes 4] [--seed 1]
                           write simulated L0 images of four observatories and ingest them

Exit codes: 0 ok, 1 a flow failed or timed out or an output went unreported, 2 usage, 3 config,
6 unknown flow id. See docs/punch.md.
`;

type Spec = Record<string, 'flag' | 'value'>;

function usage(message: string): StagebookError {
  return new StagebookError('E_USAGE', `stagebook punch: ${message} (see stagebook punch --help)`, {
    where: 'punch cli',
  });
}

function parse(argv: readonly string[], spec: Spec): { opts: Record<string, string | true>; rest: string[] } {
  const opts: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    const name = a.slice(2);
    if (!spec[name]) throw usage(`unknown option ${a}`);
    if (spec[name] === 'flag') opts[name] = true;
    else {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw usage(`${a} needs a value`);
      opts[name] = v;
    }
  }
  if (typeof opts.config !== 'string') throw usage('--config punch.yaml is required');
  return { opts, rest };
}

function int(v: string | true | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw usage(`--${name} must be a positive integer: ${String(v)}`);
  return n;
}

function say(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

export function softwareVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0';
  } catch {
    return '0';
  }
}

function controlOf(config: PunchConfig) {
  const db = openControlDb(config.database);
  return {
    db,
    config,
    executor: createFlowExecutor(config),
    segments: MISSION_SEGMENTS,
    softwareVersion: softwareVersion(),
  };
}

/** Flows of the pass that ended badly (for the exit code). */
function badOutcomes(db: ReturnType<typeof openControlDb>, since: number): number {
  const row = db
    .prepare(
      `SELECT (SELECT count(*) FROM punch_flows WHERE state IN ('failed','timed_out') AND coalesce(end_time, 0) >= ?)
        + (SELECT count(*) FROM punch_files WHERE state = 'unreported' AND processing_flow IN
            (SELECT flow_id FROM punch_flows WHERE coalesce(end_time, 0) >= ?)) AS n`,
    )
    .get(since, since) as { n: number };
  return row.n;
}

function summary(r: ControlPassResult): string {
  const planned = r.scheduled.map((s) => `${s.flowType} ${s.planned}`).join(', ');
  return `planned: ${planned}; launched ${r.launched.accepted.length} run(s), refused ${r.launched.refused.length}; timed out ${
    r.cleaned.timedOutLaunched.length + r.cleaned.timedOutRunning.length
  }, revived ${r.cleaned.revived.length}`;
}

async function cmdRun(argv: string[]): Promise<number> {
  const { opts, rest } = parse(argv, { config: 'value', 'until-idle': 'flag', 'max-passes': 'value' });
  if (rest.length) throw usage(`run takes no positional arguments: ${rest.join(' ')}`);
  const ctl = controlOf(loadPunchConfig(opts.config as string));
  const started = Date.now();
  try {
    if (opts['until-idle']) {
      const r = await runUntilIdle(ctl, {
        maxPasses: int(opts['max-passes'], 'max-passes', 1000),
        onPass: (p) => say(summary(p)),
      });
      if (!r.idle) say(`not idle after ${r.passes} passes`);
    } else {
      if (opts['max-passes'] !== undefined) throw usage('--max-passes needs --until-idle');
      say(summary(await runControlPass(ctl, Date.now())));
      await ctl.executor.drain?.();
    }
    const bad = badOutcomes(ctl.db, started);
    if (bad) say(`${bad} flow(s) failed, timed out or left outputs unreported (stagebook punch status)`);
    return bad ? 1 : 0;
  } finally {
    ctl.db.close();
  }
}

async function cmdServe(argv: string[]): Promise<number> {
  const { opts, rest } = parse(argv, { config: 'value' });
  if (rest.length) throw usage(`serve-control takes no positional arguments: ${rest.join(' ')}`);
  const ctl = controlOf(loadPunchConfig(opts.config as string));
  const daemon = new ControlDaemon(ctl, (e: DaemonEvent) => {
    if (e.kind === 'error') say(`ERROR ${e.component}: ${e.code ?? ''} ${e.message}`);
    else if (e.kind === 'skipped') say(`WARN ${e.component}: still running, tick skipped`);
    else say(`INFO ${e.component} ${JSON.stringify(e.result ?? null).slice(0, 300)}`);
  });
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  daemon.start();
  say(`INFO serve-control: ${ctl.config.database} (pid ${process.pid})`);
  const sig = await stopped;
  say(`INFO ${sig}: stopping`);
  await daemon.stop();
  ctl.db.close();
  say('INFO stopped');
  return 0;
}

async function cmdProcess(argv: string[]): Promise<number> {
  const { opts, rest } = parse(argv, { config: 'value' });
  if (rest.length === 0) throw usage('process needs at least one FLOW_ID');
  const config = loadPunchConfig(opts.config as string);
  const db = openControlDb(config.database);
  let ok = true;
  try {
    for (const id of rest) {
      const r = await processFlow(db, int(id, 'FLOW_ID', 0), { config, segments: MISSION_SEGMENTS });
      process.stdout.write(`${JSON.stringify(r)}\n`);
      ok &&= r.state === 'completed' && r.unreported.length === 0;
    }
  } finally {
    db.close();
  }
  return ok ? 0 : 1;
}

function cmdStatus(argv: string[]): number {
  const { opts } = parse(argv, { config: 'value', json: 'flag' });
  const config = loadPunchConfig(opts.config as string);
  const db = openControlDb(config.database);
  try {
    const flows = flowCounts(db);
    const files = fileCounts(db);
    if (opts.json) process.stdout.write(`${JSON.stringify({ flows, files })}\n`);
    else {
      process.stdout.write('flows (level type state count):\n');
      for (const f of flows) process.stdout.write(`  ${f.flow_level} ${f.flow_type} ${f.state} ${f.n}\n`);
      process.stdout.write('files (level state count):\n');
      for (const f of files) process.stdout.write(`  ${f.level} ${f.state} ${f.n}\n`);
    }
    return flows.some((f) => f.state === 'failed' || f.state === 'timed_out') ? 1 : 0;
  } finally {
    db.close();
  }
}

function cmdSimulate(argv: string[]): number {
  const { opts } = parse(argv, {
    config: 'value',
    start: 'value',
    slots: 'value',
    size: 'value',
    'cadence-minutes': 'value',
    seed: 'value',
  });
  const start = Date.parse(String(opts.start));
  if (!Number.isFinite(start)) throw usage(`--start must be an ISO time: ${String(opts.start)}`);
  const config = loadPunchConfig(opts.config as string);
  const rows = simulateL0({
    root: config.root,
    start,
    slots: int(opts.slots, 'slots', 0),
    size: int(opts.size, 'size', 64),
    cadenceMinutes: int(opts['cadence-minutes'], 'cadence-minutes', 4),
    seed: int(opts.seed, 'seed', 1),
    fileVersion: config.file_version,
  });
  const db = openControlDb(config.database);
  try {
    const r = ingestL0(db, rows, softwareVersion());
    process.stdout.write(`L0 files: ${rows.length}; ingested ${r.inserted}, already present ${r.duplicates}\n`);
  } finally {
    db.close();
  }
  return 0;
}

/** Entry of `stagebook punch ...`. */
export async function punchCommand(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || rest.includes('--help') || rest.includes('-h')) {
    (cmd === undefined ? process.stderr : process.stdout).write(PUNCH_HELP);
    return cmd === undefined ? 2 : 0;
  }
  switch (cmd) {
    case 'serve-control':
      return cmdServe(rest);
    case 'run':
      return cmdRun(rest);
    case 'process':
      return cmdProcess(rest);
    case 'status':
      return cmdStatus(rest);
    case 'simulate':
      return cmdSimulate(rest);
    default:
      throw usage(`unknown command ${cmd}`);
  }
}
