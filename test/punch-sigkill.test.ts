/**
 * Issue 17, item 6: after a crash of the whole PUNCH control segment, nothing stays `running` (or
 * `launched`) forever. The daemon (`stagebook punch serve-control`) and every processor it started
 * are SIGKILLed at points drawn from a seeded generator, several times; then the daemon is started
 * once more and must bring every flow to an end state (the cleaner times out what the kills left),
 * and a SIGTERM must end it cleanly (exit 0, no flow left `launched` or `running`). Then what timed out is
 * marked `revivable` and a third start redoes it: every L0 ends with its L1.
 * Needs kernel-lib/dist (npx tsc -p kernel-lib/tsconfig.build.json).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { moveFlows } from '../kernel-lib/src/pipelines/punch/states';
import { stagebookBin } from './support/stagebook-bin';

const SEED = 1707;
const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** mulberry32: the kill points are reproducible from SEED. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Live (not zombie) pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state !== 'Z') out.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * A kill point that hits real work, without racing the clock: waits for a live processor of the
 * daemon, freezes the daemon and its processors (SIGSTOP: nothing can finish or start), and reads
 * the flow counts. A frozen processor's flow is `launched` or `running` unless it was already on its
 * way out; then everything is thawed and the next processor is waited for.
 */
async function freezeAtWork(
  daemon: ChildProcess,
  dbFile: string,
): Promise<{ pids: number[]; counts: Record<string, number> }> {
  for (;;) {
    if (daemon.exitCode !== null || daemon.signalCode !== null) throw new Error('the daemon ended before a kill point');
    const kids = childrenOf(daemon.pid!);
    if (kids.length > 0) {
      const pids = [daemon.pid!, ...kids];
      signalAll(pids, 'SIGSTOP');
      const frozen = [daemon.pid!, ...childrenOf(daemon.pid!)]; // a processor spawned meanwhile
      signalAll(frozen, 'SIGSTOP');
      const c = counts(dbFile);
      if ((c.running ?? 0) + (c.launched ?? 0) > 0) return { pids: frozen, counts: c };
      signalAll(frozen, 'SIGCONT');
    }
    await sleep(10);
  }
}

function startDaemon(config: string, cwd: string): ChildProcess {
  const child = spawn(process.execPath, [stagebookBin(), 'punch', 'serve-control', '--config', config], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.setEncoding('utf8');
  started.push(child);
  return child;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function counts(dbFile: string): Record<string, number> {
  const db = new Database(dbFile, { readonly: true, timeout: 10_000 });
  try {
    const rows = db.prepare(`SELECT state, count(*) AS n FROM punch_flows GROUP BY state`).all() as Array<{
      state: string;
      n: number;
    }>;
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  } finally {
    db.close();
  }
}

/** Polls the database until `done` holds (the guard only bounds a broken run; it is not the assertion). */
async function until(
  dbFile: string,
  done: (c: Record<string, number>) => boolean,
  guardMs: number,
): Promise<Record<string, number>> {
  const end = Date.now() + guardMs;
  for (;;) {
    const c = counts(dbFile);
    if (done(c) || Date.now() > end) return c;
    await sleep(250);
  }
}

const hasProc = os.platform() === 'linux';

describe.skipIf(!hasProc)('PUNCH control segment survives SIGKILL of every process', () => {
  it('kills the daemon and its processors at seeded random points; after a restart no flow stays running', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-punch-kill-'));
    const config = path.join(dir, 'punch.yaml');
    writeFileSync(
      config,
      [
        'root: data',
        'database: control.db',
        'control:',
        "  launcher: { max_weight_running: 4, max_flows_to_launch_at_once: 6, schedule: '* * * * * *' }",
        // short limits so the test ends: 0.1 min = 6 s launched, 0.4 min = 24 s running (far above a processor's time)
        "  cleaner: { fail_launched_flows_after_minutes: 0.1, fail_running_flows_after_minutes: 0.4, schedule: '*/2 * * * * *' }",
        "  health: { schedule: '*/5 * * * * *' }",
        'flows:',
        "  level1: { batch_size: 2, schedule: '* * * * * *' }",
        "  levelq: { schedule: '* * * * * *' }",
        "  level2: { schedule: '* * * * * *' }",
        "  level3: { schedule: '* * * * * *' }",
        '',
      ].join('\n'),
    );
    const sim = spawnSync(
      process.execPath,
      [
        stagebookBin(),
        'punch',
        'simulate',
        '--config',
        config,
        '--start',
        '2026-01-10T00:00:00Z',
        '--slots',
        '2',
        '--size',
        '32',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(sim.status, sim.stderr).toBe(0);
    const dbFile = path.join(dir, 'control.db');
    const rand = seeded(SEED);
    const snapshots: Array<Record<string, number>> = [];
    for (let round = 0; round < 4; round++) {
      const daemon = startDaemon(config, dir);
      // a kill point: a seeded delay (0 - 2 s) once the daemon is up, then the next moment a processor is at work
      await sleep(Math.floor(rand() * 2000));
      const { pids, counts: atKill } = await freezeAtWork(daemon, dbFile);
      snapshots.push(atKill);
      signalAll(pids, 'SIGKILL');
      await new Promise((r) =>
        daemon.exitCode !== null || daemon.signalCode !== null ? r(null) : daemon.once('exit', r),
      );
    }
    const before = counts(dbFile);
    const final = startDaemon(config, dir);
    let log = '';
    final.stderr!.on('data', (d: string) => (log += d));
    const settled = await until(
      dbFile,
      (c) => !c.running && !c.launched && !c.planned && !c.being_planned && (c.completed ?? 0) > 0,
      120_000,
    );
    // the kills hit real work: every kill found flows launched or running, and some running
    expect(
      snapshots.every((c) => (c.running ?? 0) + (c.launched ?? 0) > 0),
      JSON.stringify(snapshots),
    ).toBe(true);
    expect((before.running ?? 0) + (before.launched ?? 0), JSON.stringify(before)).toBeGreaterThan(0);
    expect(
      [settled.running, settled.launched, settled.planned],
      `${JSON.stringify(settled)}\n${log.slice(-2000)}`,
    ).toEqual([undefined, undefined, undefined]);
    final.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => final.once('exit', (c) => r(c)));
    expect(code, log.slice(-2000)).toBe(0);
    // the restarted daemon shared the database with its processors without one failed pass (no lock timeout)
    expect(log).not.toMatch(/ERROR|E_LEDGER_LOCKED/);
    const after = counts(dbFile);
    expect([after.running, after.launched]).toEqual([undefined, undefined]);
    // every L0 was taken up by a flow
    const db = new Database(dbFile);
    expect(
      db.prepare(`SELECT count(*) AS n FROM punch_files WHERE level = '0' AND state <> 'progressed'`).get(),
    ).toEqual({ n: 0 });
    // resumable: an operator marks what timed out `revivable`; a restarted daemon redoes it and every L0 gets its L1
    const stuck = (
      db.prepare(`SELECT flow_id FROM punch_flows WHERE state IN ('timed_out', 'failed')`).all() as Array<{
        flow_id: number;
      }>
    ).map((f) => f.flow_id);
    moveFlows(db, { ids: stuck }, ['timed_out', 'failed'], 'revivable');
    db.close();
    const again = startDaemon(config, dir);
    const l1Done = (): number => {
      const d = new Database(dbFile, { readonly: true, timeout: 10_000 });
      try {
        return (
          d
            .prepare(
              `SELECT count(*) AS n FROM punch_files WHERE level = '1' AND state IN ('created', 'progressed', 'quickpunched')`,
            )
            .get() as { n: number }
        ).n;
      } finally {
        d.close();
      }
    };
    const end = Date.now() + 120_000;
    while (l1Done() < 32 && Date.now() < end) await sleep(250);
    const settledAgain = await until(dbFile, (c) => !c.running && !c.launched && !c.planned, 60_000);
    again.kill('SIGTERM');
    expect(await new Promise<number | null>((r) => again.once('exit', (c) => r(c)))).toBe(0);
    expect(l1Done(), JSON.stringify(settledAgain)).toBe(32);
  }, 480_000); // bounded by the guards above; a loaded machine makes every process start slower
});
