/**
 * `stagebook flow run|resume|wait|status`, mirroring the seed's scripts: automate_xpcs.py starts a
 * flow (here: in the background, or in the foreground with --block), automate_wait.py polls a step
 * until it succeeds (exit 0 only on success) or the walltime passes. Exit codes: 0 succeeded (or
 * started), 1 the run or step failed, 2 usage, 3 config, 6 run not found, 9 walltime reached.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, required, str, usage } from '../cli/args';
import { StagebookError } from '../errors/stagebook-error';
import { loadFlowConfig, type FlowEnvironment } from './config';
import { builtInFlow } from './built-ins';
import type { FlowDefinition } from './definition';
import { loadFlowDefinition } from './load';
import { planFlow } from './plan';
import { runFlow, type FlowStepEvent } from './run-flow';
import { FlowStore, type FlowRunRecord } from './store';

/** The binary's one exit-code table (errors/exit-codes.ts): a walltime reached is a timeout (9). */
export const FLOW_EXIT = { ok: 0, failed: 1, usage: 2, walltime: 9 } as const;

/** A built-in flow by name (registered by the systems, e.g. `xpcs`), else a YAML/JSON definition file. */
async function definitionOf(name: string): Promise<FlowDefinition> {
  return builtInFlow(name) ?? loadFlowDefinition(name);
}

function readInput(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new StagebookError(
      'E_CONFIG_INVALID',
      `flow input ${file}: ${(cause as Error).message}`,
      { file },
      { cause },
    );
  }
}

function stepLine(e: FlowStepEvent): string | null {
  if (e.progress) return null;
  return `flow ${e.runId} ${e.state}: ${e.status}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}${e.error ? ` ${e.error.code}: ${e.error.message}` : ''}\n`;
}

/** Runs a created run in this process, printing step lines; exit 0 only when it succeeded. */
export async function runInForeground(env: FlowEnvironment, runId: string): Promise<number> {
  const store = FlowStore.open(env.ledger);
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const r = await runFlow(store, runId, {
      env,
      signal: ac.signal,
      onEvent: (e) => {
        const l = stepLine(e);
        if (l) process.stderr.write(l);
      },
    });
    process.stdout.write(`${r.id} ${r.status}${r.error ? ` ${r.error.code}: ${r.error.message}` : ''}\n`);
    return r.status === 'succeeded' ? FLOW_EXIT.ok : FLOW_EXIT.failed;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    store.close();
  }
}

/** Starts `stagebook flow resume RUN` detached (the run goes on after this command exits). */
export function startInBackground(configFile: string, runId: string): void {
  const main = path.join(__dirname, '..', 'cli', 'main.js');
  spawn(process.execPath, [main, 'flow', 'resume', runId, '--config', path.resolve(configFile)], {
    detached: true,
    stdio: 'ignore',
  }).unref();
}

async function cmdRun(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { config: 'value', input: 'value', 'dry-run': 'flag', block: 'flag', label: 'value' });
  if (a.positionals.length !== 1)
    throw usage('flow run needs exactly one flow (a definition file or a built-in name: xpcs)');
  const def = await definitionOf(a.positionals[0]);
  const configFile = required(a, 'config');
  const { env } = loadFlowConfig(configFile);
  const input = readInput(required(a, 'input'));
  if (a.options['dry-run']) {
    process.stdout.write(JSON.stringify({ dryRun: true, steps: planFlow(def, input, env) }, null, 2) + '\n');
    return FLOW_EXIT.ok;
  }
  const store = FlowStore.open(env.ledger);
  const { run } = store.createRun(a.positionals[0], def, input, { label: str(a, 'label') });
  store.close();
  if (a.options.block) return runInForeground(env, run.id);
  startInBackground(configFile, run.id);
  process.stdout.write(`${run.id}\n`);
  return FLOW_EXIT.ok;
}

async function cmdResume(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { config: 'value' });
  if (a.positionals.length !== 1) throw usage('flow resume needs exactly one run id');
  return runInForeground(loadFlowConfig(required(a, 'config')).env, a.positionals[0]);
}

/** Polls until the step (or the run) succeeds, fails, or the walltime passes. */
async function cmdWait(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { config: 'value', step: 'value', walltime: 'value', interval: 'value' });
  if (a.positionals.length !== 1) throw usage('flow wait needs exactly one run id');
  const walltime = Number(str(a, 'walltime') ?? 'Infinity');
  const interval = Number(str(a, 'interval') ?? '10');
  if (!(walltime > 0) || !(interval > 0)) throw usage('--walltime and --interval must be positive numbers of seconds');
  const { env } = loadFlowConfig(required(a, 'config'));
  const store = FlowStore.open(env.ledger);
  const step = str(a, 'step');
  const deadline = Date.now() + walltime * 1000;
  try {
    const def = store.getRun(a.positionals[0]).definition;
    if (step && !def.States[step])
      throw usage(`--step ${step}: the flow has no such state (states: ${Object.keys(def.States).join(', ')})`);
    for (;;) {
      const run = store.getRun(a.positionals[0]);
      const done = step
        ? store.steps(run.id).some((s) => s.state === step && s.status === 'succeeded')
        : run.status === 'succeeded';
      if (done) {
        process.stdout.write(`${run.id} ${step ?? 'run'}: SUCCEEDED\n`);
        return FLOW_EXIT.ok;
      }
      if (run.status === 'failed') {
        process.stdout.write(
          `${run.id} ${step ?? 'run'}: FAILED${run.error ? ` (${run.error.state ?? ''} ${run.error.code}: ${run.error.message})` : ''}\n`,
        );
        return FLOW_EXIT.failed;
      }
      if (Date.now() >= deadline) {
        process.stdout.write(
          `${run.id} ${step ?? 'run'}: still ${run.currentState ? `at ${run.currentState}` : run.status} after the walltime of ${walltime} s\n`,
        );
        return FLOW_EXIT.walltime;
      }
      await new Promise((r) => setTimeout(r, Math.min(interval * 1000, Math.max(0, deadline - Date.now()))));
    }
  } finally {
    store.close();
  }
}

function runLine(r: FlowRunRecord): string {
  const t = (ms: number | null): string => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '-');
  return `${r.id}  ${r.flow.padEnd(12)} ${r.status.padEnd(9)} ${(r.currentState ?? '-').padEnd(12)} ${t(r.createdAt)}  ${r.label ?? ''}`;
}

async function cmdStatus(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { config: 'value', json: 'flag', limit: 'value' });
  const { env } = loadFlowConfig(required(a, 'config'));
  const store = FlowStore.open(env.ledger);
  try {
    if (a.positionals.length === 0) {
      const limit = Number(str(a, 'limit') ?? '50');
      if (!Number.isInteger(limit) || limit < 1) throw usage('--limit must be a positive integer');
      const runs = store.listRuns(limit);
      if (a.options.json)
        process.stdout.write(
          JSON.stringify(
            runs.map(({ definition: _d, ...r }) => r),
            null,
            2,
          ) + '\n',
        );
      else
        process.stdout.write(
          [
            `${'RUN'.padEnd(41)}  ${'FLOW'.padEnd(12)} ${'STATUS'.padEnd(9)} ${'STATE'.padEnd(12)} CREATED (UTC)        LABEL`,
            ...runs.map(runLine),
          ].join('\n') + '\n',
        );
      return FLOW_EXIT.ok;
    }
    const run = store.getRun(a.positionals[0]);
    const steps = store.steps(run.id);
    if (a.options.json)
      process.stdout.write(JSON.stringify({ run: { ...run, definition: undefined }, steps }, null, 2) + '\n');
    else {
      process.stdout.write(runLine(run) + '\n');
      for (const s of steps) {
        const secs = s.finishedAt ? ((s.finishedAt - s.startedAt) / 1000).toFixed(1) + ' s' : '-';
        process.stdout.write(
          `  ${s.state.padEnd(12)} attempt ${s.attempt}  ${s.status.padEnd(11)} ${secs.padStart(9)}${s.error ? `  ${s.error.code}: ${s.error.message}` : ''}\n`,
        );
      }
    }
    return run.status === 'failed' ? FLOW_EXIT.failed : FLOW_EXIT.ok;
  } finally {
    store.close();
  }
}

export const FLOW_HELP = `usage: stagebook flow <command>
  run FLOW --config CFG --input INPUT.json [--dry-run] [--block] [--label L]
      FLOW: a YAML/JSON definition or a built-in name (xpcs). Without --block the run goes on in the
      background and its id is printed.
  resume RUN --config CFG             run (or continue) RUN in this process
  wait RUN --config CFG [--step NAME] [--walltime S] [--interval S]
      exit 0 when the step (or the run) succeeded, 1 when it failed, 9 at the walltime
  status [RUN] --config CFG [--json] [--limit N]
`;

/** `stagebook flow ...` */
export async function flowCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help')) {
    process.stdout.write(FLOW_HELP);
    return sub === undefined ? FLOW_EXIT.usage : FLOW_EXIT.ok;
  }
  switch (sub) {
    case 'run':
      return cmdRun(rest);
    case 'resume':
      return cmdResume(rest);
    case 'wait':
      return cmdWait(rest);
    case 'status':
      return cmdStatus(rest);
    default:
      throw usage(`unknown flow command ${sub}`);
  }
}
