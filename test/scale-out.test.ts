/**
 * The BullMQ executor against a real redis-server (started per file on a free loopback port, no
 * persistence) and real `stagebook worker` processes: the same pipeline gives the same outputs and
 * ledger records in-process and on two workers; a poison unit ends failed after its retry policy
 * while the others complete; the worker announces itself and `stagebook status` shows workers,
 * queue depths and retries. Nothing here waits on the clock: every wait is on a process's output
 * or exit (the retry backoff is 0).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../kernel-lib/src/testing/redis-server';
import { cli, cliAsync, exited, makeWorkspace, waitFor } from './support/engine-fixtures';
import {
  SCALE_PIPELINE,
  bullmqYaml,
  ledgerOf,
  ledgerSnapshot,
  outputsOf,
  startWorker,
  stopWorkers,
  tempsUnder,
  type WorkerProcess,
} from './support/scale-out';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.dispose();
});

const TEXTS = { a: 'alpha beta gamma', b: 'apple banana cherry', c: 'cobalt copper', d: 'delta echo' };

describe('BullMQ executor: same results as in-process', () => {
  it('the example pipeline gives identical outputs and ledger records on 2 workers', async () => {
    const local = makeWorkspace(TEXTS);
    const remote = makeWorkspace(TEXTS, bullmqYaml(redis.url, 'same'));
    const workers: WorkerProcess[] = [];
    try {
      for (const name of ['w1', 'w2']) workers.push(await startWorker(redis.url, name, ['--queues', 'same']));
      const a = cli(['run', 'example', '--config', local.config], local.dir);
      expect(a.code, a.stderr).toBe(0);
      const b = cli(['run', 'example', '--config', remote.config], remote.dir);
      expect(b.code, b.stderr).toBe(0);
      const outs = (ws: string): Record<string, string> => outputsOf(ws, ['L0', 'L1', 'L2', 'logs']);
      expect(Object.keys(outs(remote.ws)).length).toBeGreaterThan(8);
      const strip = (o: Record<string, string>): Record<string, string> =>
        Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z /g, '<t> ')]));
      expect(strip(outs(remote.ws))).toEqual(strip(outs(local.ws)));
      expect(ledgerSnapshot(remote.ws)).toEqual(ledgerSnapshot(local.ws));
      // every unit of the remote run was run (and announced) by one of the two workers
      const db = ledgerOf(remote.ws);
      const finished = db.prepare("SELECT unit, data_json FROM events WHERE type = 'stage-finished'").all() as {
        unit: string;
        data_json: string;
      }[];
      db.close();
      expect(finished.length).toBe(Object.keys(TEXTS).length * 2 + 1);
      for (const f of finished) expect(['w1', 'w2']).toContain(JSON.parse(f.data_json).worker);
    } finally {
      await stopWorkers(workers);
    }
  });
});

describe('BullMQ executor: failures', () => {
  it('a poison unit ends failed after its retries; the others complete; status shows the retries', async () => {
    const w = makeWorkspace(
      { good: 'fine text', bad: 'poison', other: 'more text' },
      'engine:\n  onError: continue\nstages:\n  shout: { failOn: bad }\n' +
        bullmqYaml(redis.url, 'poison', { attempts: 3, backoffMs: 0 }),
    );
    const workers = [await startWorker(redis.url, 'p1', ['--queues', 'poison', '--concurrency', '2'])];
    try {
      const r = cli(['run', SCALE_PIPELINE, '--config', w.config, '--out-file', path.join(w.dir, 'out.json')], w.dir);
      expect(r.code, r.stderr).toBe(1);
      const out = JSON.parse(readFileSync(path.join(w.dir, 'out.json'), 'utf8'));
      expect(out.status).toBe('partial');
      expect(out.stages.shout).toEqual({ succeeded: 2, failed: 1 });
      expect(out.stages.gather).toEqual({ blocked: 1 });
      expect(out.failures).toEqual([
        expect.objectContaining({ stage: 'shout', unit: 'incoming/bad.txt', code: 'E_STAGE_FAILED' }),
      ]);
      // three attempts of the poison unit, one of each other unit
      const runs = readFileSync(path.join(w.ws, 'executions.log'), 'utf8').trim().split('\n');
      expect(runs.filter((l) => l.startsWith('bad ')).length).toBe(3);
      expect(runs.filter((l) => l.startsWith('good ')).length).toBe(1);
      expect(existsSync(path.join(w.ws, 'logs/shout/incoming__bad.txt.err'))).toBe(true);
      const db = ledgerOf(w.ws);
      const failed = db.prepare("SELECT error_json, log FROM stage_runs WHERE status = 'failed'").all() as {
        error_json: string;
        log: string;
      }[];
      const retries = db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'unit-retrying'").get() as {
        n: number;
      };
      db.close();
      expect(failed.length).toBe(1);
      expect(JSON.parse(failed[0].error_json).message).toContain('poison input bad');
      expect(failed[0].log).toContain('E_STAGE_FAILED');
      expect(retries.n).toBe(2);
      const status = cli(['status', '--config', w.config, '--json'], w.dir);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)[0].retries).toEqual({ shout: 2 });
      const ex = cli(['status', '--config', w.config, '--executor', '--json'], w.dir);
      expect(ex.code, ex.stderr).toBe(0);
      const report = JSON.parse(ex.stdout);
      expect(report.queues).toEqual([expect.objectContaining({ name: 'poison', failed: 1, completed: 2 })]);
      expect(report.workers.map((x: { name: string }) => x.name)).toEqual(['p1']);
      const text = cli(['status', '--config', w.config], w.dir).stdout;
      expect(text).toContain('RETRIES shout 2');
      expect(text).toMatch(/QUEUE\s+WAITING\s+ACTIVE/);
      expect(text).toMatch(/p1\s/);
    } finally {
      await stopWorkers(workers);
    }
  });
});

describe('stagebook worker: visibility and graceful shutdown', () => {
  it('status shows which worker runs which unit; SIGTERM finishes the unit in hand, then the worker exits 0', async () => {
    const w = makeWorkspace(
      { slow: 'held unit', quick: 'quick unit' },
      'stages:\n  shout: { holdOn: slow }\n' + bullmqYaml(redis.url, 'graceful'),
    );
    writeFileSync(path.join(w.ws, 'hold'), '');
    const worker = await startWorker(redis.url, 'gw', ['--queues', 'graceful', '--concurrency', '2']);
    try {
      const control = cliAsync(['run', SCALE_PIPELINE, '--config', w.config], w.dir);
      const done = exited(control);
      await waitFor(
        () =>
          existsSync(path.join(w.ws, 'L0')) && tempsUnder(path.join(w.ws, 'L0')).some((t) => t.includes('slow.txt')),
        60_000,
      );
      const status = cli(['status', '--config', w.config], w.dir);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain('RUNNING shout incoming/slow.txt on gw (attempt 1)');
      expect(status.stdout).toMatch(/gw\s.*shout incoming\/slow\.txt/);
      worker.child.kill('SIGTERM');
      await worker.waitFor(/SIGTERM: finishing the units in hand/);
      rmSync(path.join(w.ws, 'hold'));
      expect(await worker.exit).toBe(0);
      expect(worker.output()).toMatch(/shout incoming\/slow\.txt: done/);
      // the merge unit waits in the queue for a worker: a new one takes it
      const next = await startWorker(redis.url, 'gw2', ['--queues', 'graceful']);
      try {
        expect(await done).toBe(0);
      } finally {
        await stopWorkers([next]);
      }
      expect(readFileSync(path.join(w.ws, 'L0/slow.txt'), 'utf8')).toBe('HELD UNIT');
    } finally {
      await stopWorkers([worker], true);
    }
  });
});

describe('BullMQ executor: Redis password from the environment', () => {
  it('control node and worker authenticate with the password from the named variable; it appears nowhere', async () => {
    const secret = 'pw-' + Math.random().toString(36).slice(2);
    const locked = await startRedisServer({ password: secret });
    const w = makeWorkspace({ a: 'alpha' }, bullmqYaml(locked.url, 'auth', { passwordEnv: 'SB_TEST_REDIS_PASSWORD' }));
    process.env.SB_TEST_REDIS_PASSWORD = secret; // inherited by the CLI processes the helpers start
    const worker = await startWorker(locked.url, 'authw', [
      '--queues',
      'auth',
      '--password-env',
      'SB_TEST_REDIS_PASSWORD',
    ]);
    try {
      const r = cli(['run', SCALE_PIPELINE, '--config', w.config, '--verbose'], w.dir);
      expect(r.code, r.stderr).toBe(0);
      const st = cli(['status', '--config', w.config], w.dir);
      expect(st.stdout).toContain('authw');
      const db = ledgerOf(w.ws);
      const dump = JSON.stringify([
        db.prepare('SELECT * FROM runs').all(),
        db.prepare('SELECT * FROM stage_runs').all(),
        db.prepare('SELECT * FROM events').all(),
      ]);
      db.close();
      for (const text of [r.stdout, r.stderr, st.stdout, st.stderr, worker.output(), dump])
        expect(text.includes(secret)).toBe(false);
      // without the variable the worker refuses to start, naming the variable only
      delete process.env.SB_TEST_REDIS_PASSWORD;
      const refused = cli(['worker', '--redis', locked.url, '--password-env', 'SB_TEST_REDIS_PASSWORD'], w.dir);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain('SB_TEST_REDIS_PASSWORD');
    } finally {
      delete process.env.SB_TEST_REDIS_PASSWORD;
      await stopWorkers([worker]);
      await locked.dispose();
    }
  });
});
