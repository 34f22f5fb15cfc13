/**
 * Failure semantics of the BullMQ executor with a real redis-server and real processes killed with
 * SIGKILL (issue 18 item 3). The stage of the test pipeline writes half of a unit's output and then
 * holds while `<root>/hold` exists, so every kill lands mid-unit by construction; every wait is on
 * a file, a process's output or its exit, never on the clock. BullMQ's liveness settings are policy
 * data: they are set small here (the defaults are 30 s) so a lost worker is detected quickly.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../kernel-lib/src/testing/redis-server';
import { cli, cliAsync, exited, makeWorkspace, waitFor } from './support/engine-fixtures';
import {
  SCALE_PIPELINE,
  bullmqYaml,
  ledgerOf,
  outputsOf,
  startWorker,
  stopWorkers,
  tempsUnder,
  type WorkerProcess,
} from './support/scale-out';

// a lost worker's lock expires after 2 s; workers look for stalled jobs every 250 ms
const FAST_STALL = ['--lock-duration-ms', '2000', '--stalled-interval-ms', '250', '--max-stalled-count', '2'];
const TEXTS = { fast1: 'one two', slow: 'the slow unit', fast2: 'three four' };
const HOLD = 'stages:\n  shout: { holdOn: slow }\nengine:\n  lease: { timeoutMs: 600000, heartbeatMs: 200 }\n';

let redis: RedisServer | undefined;
const workers: WorkerProcess[] = [];
afterEach(async () => {
  // SIGKILL: a failed test may leave a worker holding a unit forever
  await stopWorkers(workers.splice(0), true);
  await redis?.dispose();
  redis = undefined;
});

function executions(ws: string, unit: string): string[] {
  const file = path.join(ws, 'executions.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l.startsWith(`${unit} `));
}

/** True once the slow unit's half-written temp is on disk (the worker is holding mid-unit). */
function slowHeld(ws: string): boolean {
  return existsSync(path.join(ws, 'L0')) && tempsUnder(path.join(ws, 'L0')).some((t) => t.includes('slow.txt'));
}

function succeededRows(ws: string, unit: string): number {
  const db = ledgerOf(ws);
  const n = db.prepare("SELECT COUNT(*) AS n FROM stage_runs WHERE unit = ? AND status = 'succeeded'").get(unit) as {
    n: number;
  };
  db.close();
  return n.n;
}

const EXPECTED_ALL = 'ONE TWO\nTHREE FOUR\nTHE SLOW UNIT\n';

describe('BullMQ executor: failure semantics', () => {
  it('a worker SIGKILLed mid-unit: the job stalls, another worker runs it, the half-written temp is never taken', async () => {
    redis = await startRedisServer();
    const w = makeWorkspace(TEXTS, HOLD + bullmqYaml(redis.url, 'kill', { attempts: 3, backoffMs: 0 }));
    writeFileSync(path.join(w.ws, 'hold'), '');
    workers.push(await startWorker(redis.url, 'doomed', ['--queues', 'kill', ...FAST_STALL]));
    const control = cliAsync(
      ['run', SCALE_PIPELINE, '--config', w.config, '--out-file', path.join(w.dir, 'out.json')],
      w.dir,
    );
    const done = exited(control);
    await waitFor(() => slowHeld(w.ws), 60_000);
    const doomed = workers[0];
    doomed.child.kill('SIGKILL');
    await doomed.exit;
    const halfTemp = tempsUnder(path.join(w.ws, 'L0')).find((t) => t.includes('slow.txt')) as string;
    expect(readFileSync(halfTemp, 'utf8')).toBe('THE SLO');
    rmSync(path.join(w.ws, 'hold'));
    workers.push(await startWorker(redis.url, 'rescuer', ['--queues', 'kill', ...FAST_STALL]));
    expect(await done).toBe(0);
    const out = JSON.parse(readFileSync(path.join(w.dir, 'out.json'), 'utf8'));
    expect(out.status).toBe('succeeded');
    expect(readFileSync(path.join(w.ws, 'L0/slow.txt'), 'utf8')).toBe('THE SLOW UNIT');
    expect(readFileSync(path.join(w.ws, 'L1/all.txt'), 'utf8')).toBe(EXPECTED_ALL);
    // ran twice (killed, then rescued), recorded once; the dead attempt's temp was never renamed
    expect(executions(w.ws, 'slow').length).toBe(2);
    expect(succeededRows(w.ws, 'incoming/slow.txt')).toBe(1);
    expect(readFileSync(halfTemp, 'utf8')).toBe('THE SLO');
    const db = ledgerOf(w.ws);
    const started = db
      .prepare("SELECT data_json FROM events WHERE type = 'stage-started' AND unit = 'incoming/slow.txt' ORDER BY id")
      .all() as { data_json: string }[];
    const stalled = db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'unit-retrying'").get() as { n: number };
    const complete = db.prepare("SELECT path FROM files WHERE state = 'complete'").all() as { path: string }[];
    db.close();
    expect(started.map((s) => JSON.parse(s.data_json).worker)).toEqual(['doomed', 'rescuer']);
    expect(stalled.n).toBeGreaterThanOrEqual(1);
    expect(complete.some((f) => f.path.includes('.sbtmp-'))).toBe(false);
  });

  it('the control node SIGKILLed mid-run: `stagebook resume` reattaches to the jobs still in Redis', async () => {
    redis = await startRedisServer();
    const w = makeWorkspace(TEXTS, HOLD + bullmqYaml(redis.url, 'ctl'));
    writeFileSync(path.join(w.ws, 'hold'), '');
    const worker = await startWorker(redis.url, 'steady', ['--queues', 'ctl', '--concurrency', '3']);
    workers.push(worker);
    const control = cliAsync(['run', SCALE_PIPELINE, '--config', w.config], w.dir);
    const done = exited(control);
    await waitFor(() => slowHeld(w.ws), 60_000);
    control.kill('SIGKILL');
    expect(await done).toBe(null);
    // the worker finishes the unit with nobody listening; its result waits in Redis
    rmSync(path.join(w.ws, 'hold'));
    await worker.waitFor(/shout incoming\/slow\.txt: done/);
    const db = ledgerOf(w.ws);
    const run = db.prepare('SELECT id, status FROM runs').get() as { id: string; status: string };
    db.close();
    expect(run.status).toBe('running');
    const resumed = cli(['resume', run.id, '--config', w.config, '--out-file', path.join(w.dir, 'out.json')], w.dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    const out = JSON.parse(readFileSync(path.join(w.dir, 'out.json'), 'utf8'));
    expect(out.resumed).toBe(true);
    expect(out.status).toBe('succeeded');
    // every unit ran exactly once: the resume took the slow unit's result from its job
    for (const u of ['fast1', 'slow', 'fast2']) expect(executions(w.ws, u).length).toBe(1);
    expect(succeededRows(w.ws, 'incoming/slow.txt')).toBe(1);
    expect(readFileSync(path.join(w.ws, 'L1/all.txt'), 'utf8')).toBe(EXPECTED_ALL);
    expect(tempsUnder(w.ws)).toEqual([]);
  });

  it('Redis SIGKILLed and restarted mid-run (AOF): the run continues and records each unit once', async () => {
    redis = await startRedisServer({ aof: true });
    const w = makeWorkspace(TEXTS, HOLD + bullmqYaml(redis.url, 'aof', { reconcileMs: 200 }));
    writeFileSync(path.join(w.ws, 'hold'), '');
    workers.push(await startWorker(redis.url, 'survivor', ['--queues', 'aof', '--concurrency', '3']));
    const control = cliAsync(
      ['run', SCALE_PIPELINE, '--config', w.config, '--out-file', path.join(w.dir, 'out.json')],
      w.dir,
    );
    let stderr = '';
    control.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = exited(control);
    await waitFor(() => slowHeld(w.ws), 60_000);
    await redis.stop(true);
    await redis.restart();
    rmSync(path.join(w.ws, 'hold'));
    expect(await done, stderr).toBe(0);
    const out = JSON.parse(readFileSync(path.join(w.dir, 'out.json'), 'utf8'));
    expect(out.status).toBe('succeeded');
    for (const u of ['incoming/fast1.txt', 'incoming/slow.txt', 'incoming/fast2.txt'])
      expect(succeededRows(w.ws, u)).toBe(1);
    expect(outputsOf(w.ws, ['L1'])).toEqual({ 'L1/all.txt': EXPECTED_ALL });
  });

  it('Redis gone for longer than the policy: the run ends interrupted (E_EXECUTOR) and resumes once Redis is back', async () => {
    redis = await startRedisServer({ aof: true });
    const w = makeWorkspace(TEXTS, HOLD + bullmqYaml(redis.url, 'gone', { reconcileMs: 100, redisDownTimeoutMs: 500 }));
    writeFileSync(path.join(w.ws, 'hold'), '');
    workers.push(await startWorker(redis.url, 'patient', ['--queues', 'gone', '--concurrency', '3']));
    const control = cliAsync(['run', SCALE_PIPELINE, '--config', w.config], w.dir);
    let stderr = '';
    control.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = exited(control);
    await waitFor(() => slowHeld(w.ws), 60_000);
    await redis.stop(true);
    expect(await done, stderr).toBe(8);
    expect(stderr).toMatch(/E_EXECUTOR: .*unreachable/);
    const db = ledgerOf(w.ws);
    const run = db.prepare('SELECT id, status FROM runs').get() as { id: string; status: string };
    db.close();
    expect(run.status).toBe('interrupted');
    await redis.restart();
    rmSync(path.join(w.ws, 'hold'));
    const resumed = cli(['resume', run.id, '--config', w.config], w.dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(succeededRows(w.ws, 'incoming/slow.txt')).toBe(1);
    expect(readFileSync(path.join(w.ws, 'L1/all.txt'), 'utf8')).toBe(EXPECTED_ALL);
  });
});
