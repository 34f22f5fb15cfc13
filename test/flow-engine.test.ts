/**
 * The flow engine (kernel-lib/src/flows): definitions validated with errors naming the state and
 * field, retries with backoff on an injected clock, Choice and Parameters, and the transfer action's
 * checksummed, resumable copies (a real child process killed with SIGKILL mid-copy).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FlowStore,
  makeFlowEnvironment,
  parseFlowDefinition,
  runFlow,
  type FlowClock,
  type FlowEnvironment,
} from '../kernel-lib/src/flows';
import { FLOW_ACTIONS } from '../kernel-lib/src/flows/actions';
import { DIST, exited, waitFor } from './support/engine-fixtures';
import { expectStagebookError } from './support/helpers';

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'sb-flow-'));
}

function envIn(dir: string, extra: Record<string, unknown> = {}): FlowEnvironment {
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  mkdirSync(path.join(dir, 'dst'), { recursive: true });
  return makeFlowEnvironment(
    { ledger: 'ledger.db', roots: ['.'], endpoints: { src: { path: 'src' }, dst: { path: 'dst' } }, ...extra },
    dir,
  );
}

/** A clock whose waits return at once and are recorded; timeouts never fire. */
function recordingClock(): FlowClock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    timeout: () => new Promise<never>(() => undefined),
  };
}

describe('flow definitions', () => {
  it('name the state and field of a dangling reference or a bad field', () => {
    expectStagebookError(
      () => parseFlowDefinition({ StartAt: 'A', States: { A: { Type: 'Action', Action: 'shell', Next: 'B' } } }),
      /States\.A\.Next: unknown state "B"/,
    );
    expectStagebookError(
      () => parseFlowDefinition({ StartAt: 'A', States: { A: { Type: 'Action', Action: 'copy', End: true } } }),
      /States\.A\.Action/,
    );
    expectStagebookError(
      () => parseFlowDefinition({ StartAt: 'Z', States: { A: { Type: 'Succeed' } } }),
      /StartAt names the unknown state "Z"/,
    );
    expectStagebookError(
      () =>
        parseFlowDefinition({
          StartAt: 'A',
          States: { A: { Type: 'Action', Action: 'shell', End: true, InputPath: '$..x' } },
        }),
      /States\.A\.InputPath/,
    );
  });
});

describe('running a flow', () => {
  it('retries a failing step with exponential backoff, then fails naming the state', async () => {
    const dir = tmp();
    const env = envIn(dir, { shell: { allow: { false: '/bin/false' } } });
    const def = parseFlowDefinition({
      StartAt: 'Fails',
      States: {
        Fails: {
          Type: 'Action',
          Action: 'shell',
          Retry: [{ ErrorEquals: ['E_FLOW_ACTION'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
          End: true,
        },
      },
    });
    const store = FlowStore.open(env.ledger);
    const { run } = store.createRun('t', def, { command: 'false', cwd: 'work' });
    const clock = recordingClock();
    const r = await runFlow(store, run.id, { env, clock });
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'E_FLOW_ACTION', state: 'Fails' });
    expect(clock.sleeps).toEqual([1000, 2000]);
    expect(store.steps(run.id).map((s) => [s.attempt, s.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
    ]);
    store.close();
  });

  it('succeeds on a retry, branches with Choice and composes inputs with Parameters', async () => {
    const dir = tmp();
    const env = envIn(dir);
    let calls = 0;
    const flaky = {
      name: 'shell',
      plan: () => ({}),
      run: async (input: unknown) => {
        calls++;
        if (calls === 1) throw new Error('transient');
        return { echo: input, n: calls };
      },
    };
    const def = parseFlowDefinition({
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Action',
          Action: 'shell',
          InputPath: '$.job',
          ResultPath: '$.work',
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 0.5 }],
          Next: 'Route',
        },
        Route: {
          Type: 'Choice',
          Choices: [{ Variable: '$.work.n', NumericGreaterThan: 1, Next: 'Report' }],
          Default: 'Bad',
        },
        Report: {
          Type: 'Action',
          Action: 'shell',
          Parameters: { 'value.$': '$.work.echo.value', fixed: 3 },
          ResultPath: '$.report',
          End: true,
        },
        Bad: { Type: 'Fail', Error: 'E_FLOW_FAILED' },
      },
    });
    const store = FlowStore.open(env.ledger);
    const { run } = store.createRun('t', def, { job: { value: 42 } });
    const clock = recordingClock();
    const r = await runFlow(store, run.id, { env, clock, actions: { shell: flaky } });
    expect(r.status).toBe('succeeded');
    expect(clock.sleeps).toEqual([500]);
    expect((r.document as { report: { echo: unknown } }).report.echo).toEqual({ value: 42, fixed: 3 });
    store.close();
  });

  it('starts a deduplicated run once, whatever the number of attempts to create it', () => {
    const env = envIn(tmp());
    const def = parseFlowDefinition({ StartAt: 'S', States: { S: { Type: 'Succeed' } } });
    const store = FlowStore.open(env.ledger);
    const a = store.createRun('t', def, {}, { dedupKey: 'dataset-1' });
    const b = store.createRun('t', def, {}, { dedupKey: 'dataset-1' });
    expect([a.created, b.created]).toEqual([true, false]);
    expect(b.run.id).toBe(a.run.id);
    store.close();
  });
});

describe('the transfer action', () => {
  const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

  it('copies recursively with checksums, refuses to leave the endpoint, and skips what is already there', async () => {
    const dir = tmp();
    const env = envIn(dir);
    mkdirSync(path.join(dir, 'src', 'set', 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'src', 'set', 'a.txt'), 'alpha');
    writeFileSync(path.join(dir, 'src', 'set', 'sub', 'b.txt'), 'beta');
    const ctx = { env, runId: 'r', state: 'T', signal: new AbortController().signal, progress: () => undefined };
    const input = {
      source_endpoint: 'src',
      destination_endpoint: 'dst',
      transfer_items: [{ source_path: 'set', destination_path: 'copy', recursive: true }],
    };
    const first = (await FLOW_ACTIONS.transfer.run(input, ctx)) as { files: { status: string }[] };
    expect(first.files.map((f) => f.status)).toEqual(['copied', 'copied']);
    expect(readFileSync(path.join(dir, 'dst', 'copy', 'sub', 'b.txt'), 'utf8')).toBe('beta');
    const again = (await FLOW_ACTIONS.transfer.run(input, ctx)) as { files: { status: string }[] };
    expect(again.files.map((f) => f.status)).toEqual(['skipped', 'skipped']);
    await expect(
      FLOW_ACTIONS.transfer.run(
        { ...input, transfer_items: [{ source_path: 'set', destination_path: '../../escape', recursive: true }] },
        ctx,
      ),
    ).rejects.toThrow(/leaves the endpoint/);
  });

  it('resumes a copy after its process was killed with SIGKILL, and verifies the result', async () => {
    const dir = tmp();
    const big = Buffer.alloc(48 << 20);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    writeFileSync(path.join(dir, 'src', 'frames.imm'), big);
    const script = `
      const { makeFlowEnvironment } = require(${JSON.stringify(path.join(DIST, 'flows'))});
      const { FLOW_ACTIONS } = require(${JSON.stringify(path.join(DIST, 'flows', 'actions'))});
      const env = makeFlowEnvironment({ ledger: 'ledger.db', roots: ['.'], endpoints: { src: { path: 'src' }, dst: { path: 'dst', maxBytesPerSecond: 16 * 1048576 } } }, ${JSON.stringify(dir)});
      FLOW_ACTIONS.transfer.run({ source_endpoint: 'src', destination_endpoint: 'dst', transfer_items: [{ source_path: 'frames.imm', destination_path: 'frames.imm' }] },
        { env, runId: 'r', state: 'T', signal: new AbortController().signal, progress: () => {} });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    const part = path.join(dir, 'dst', 'frames.imm.sbpart');
    // Kill once a quarter of the file is written (waits on the file, not on the clock).
    await waitFor(() => existsSync(part) && statSync(part).size >= 12 << 20, 60_000, 10);
    child.kill('SIGKILL');
    await exited(child);
    const written = statSync(part).size;
    expect(written).toBeLessThan(big.length);
    const env = makeFlowEnvironment(
      { ledger: 'ledger.db', roots: ['.'], endpoints: { src: { path: 'src' }, dst: { path: 'dst' } } },
      dir,
    );
    const ctx = { env, runId: 'r', state: 'T', signal: new AbortController().signal, progress: () => undefined };
    const r = (await FLOW_ACTIONS.transfer.run(
      {
        source_endpoint: 'src',
        destination_endpoint: 'dst',
        transfer_items: [{ source_path: 'frames.imm', destination_path: 'frames.imm' }],
      },
      ctx,
    )) as { files: { status: string; sha256: string }[] };
    expect(r.files[0].status).toBe('resumed');
    expect(sha(path.join(dir, 'dst', 'frames.imm'))).toBe(sha(path.join(dir, 'src', 'frames.imm')));
    expect(existsSync(part)).toBe(false);
  });
});
