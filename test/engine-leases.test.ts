/**
 * Leases under real process faults (issue 11 items 5-8, 13): a process stopped (SIGSTOP) right
 * before its commit loses its lease to a resume and, continued, must not overwrite the winner's
 * files (fenced commit); a JS thread blocked longer than the lease keeps its lease (heartbeat in a
 * worker thread); a SIGKILLed run frees its lock at once on this host; whatever supersedes a run
 * closes its unit rows. Every wait is on an observable state (process state, ledger rows, files),
 * never on a sleep.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, exited, makeWorkspace, waitFor } from './support/engine-fixtures';

const PIPELINE = path.resolve(__dirname, 'support/lease-pipeline.js');

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

function query<T>(db: string, sql: string, ...args: unknown[]): T[] {
  const ro = new Database(db, { readonly: true, timeout: 10_000 });
  try {
    return ro.prepare(sql).all(...args) as T[];
  } finally {
    ro.close();
  }
}

/** Process state letter from /proc (T = stopped). */
function procState(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
  } catch {
    return 'gone';
  }
}

function leaseWorkspace(timeoutMs: number, heartbeatMs: number) {
  const w = makeWorkspace(
    { a: 'alpha' },
    `engine:\n  lease: { timeoutMs: ${timeoutMs}, heartbeatMs: ${heartbeatMs} }\n`,
  );
  mkdirSync(path.join(w.ws, 'control'));
  return {
    ...w,
    db: path.join(w.ws, '.stagebook/ledger.db'),
    control: (f: string) => path.join(w.ws, 'control', `${f}-a.txt`),
  };
}

type Run = { id: string; status: string; lease_expires_at: number | null; lease_generation: number };

describe('leases under crashes and stalls (real processes)', () => {
  it('a run stopped before its commit, taken over and then continued, never overwrites the winner (fencing)', async () => {
    const w = leaseWorkspace(1000, 100);
    writeFileSync(w.control('stall'), '');
    const a = cliAsync(['run', PIPELINE, '--config', w.config], w.dir);
    const aDone = exited(a);
    await waitFor(() => procState(a.pid as number) === 'T'); // stopped itself with its output in a temp
    // A is alive but silent: its lease runs out (no pid shortcut for a live process)
    await waitFor(() => query<Run>(w.db, 'SELECT * FROM runs').every((r) => (r.lease_expires_at ?? 0) < Date.now()));
    const run = query<Run>(w.db, 'SELECT * FROM runs')[0];
    const b = cli(['resume', run.id, '--config', w.config], w.dir);
    expect(b.code, b.stderr).toBe(0);
    const winner = readFileSync(path.join(w.ws, 'L1/a.txt'), 'utf8');
    expect(winner).not.toContain(`by ${a.pid}`);
    process.kill(a.pid as number, 'SIGCONT');
    expect(await aDone).toBe(130); // interrupted: it lost its lease
    expect(readFileSync(path.join(w.ws, 'L1/a.txt'), 'utf8')).toBe(winner);
    for (const f of query<{ path: string; sha256: string }>(
      w.db,
      `SELECT path, sha256 FROM files WHERE state = 'complete' AND stage IS NOT NULL`,
    )) {
      expect(createHash('sha256').update(readFileSync(f.path)).digest('hex')).toBe(f.sha256);
    }
    expect(walk(path.join(w.ws, 'logs')).filter((f) => f.endsWith('.err'))).toEqual([]);
    expect(walk(w.ws).filter((f) => f.includes('.sbtmp-'))).toEqual([]);
    expect(query<Run>(w.db, 'SELECT * FROM runs').map((r) => [r.status, r.lease_generation])).toEqual([
      ['succeeded', 2],
    ]);
    expect(query(w.db, `SELECT id FROM stage_runs WHERE status = 'running'`)).toEqual([]);
  });

  it('a JS thread blocked longer than the lease keeps its lease: a takeover is refused, status says running', async () => {
    const w = leaseWorkspace(1000, 100);
    writeFileSync(w.control('block'), '');
    const a = cliAsync(['run', PIPELINE, '--config', w.config], w.dir);
    const aDone = exited(a);
    await waitFor(() => existsSync(w.control('blocking')));
    const blockedAt = Number(readFileSync(w.control('blocking'), 'utf8'));
    // a renewal made more than one lease after the thread blocked: only a heartbeat off the JS
    // thread can make it (with the main-thread heartbeat this wait times out)
    await waitFor(() =>
      query<Run>(w.db, 'SELECT * FROM runs').some((r) => (r.lease_expires_at ?? 0) > blockedAt + 2 * 1000),
    );
    const run = query<Run>(w.db, 'SELECT * FROM runs')[0];
    const b = cli(['resume', run.id, '--config', w.config], w.dir);
    expect(b.code, b.stderr).toBe(4);
    expect(b.stderr).toContain('E_RUN_LOCKED');
    const s = cli(['status', '--config', w.config, '--json'], w.dir);
    expect(JSON.parse(s.stdout)[0].status).toBe('running');
    writeFileSync(w.control('release'), '');
    expect(await aDone).toBe(0);
    expect(readFileSync(path.join(w.ws, 'L1/a.txt'), 'utf8')).toBe(`a.txt by ${a.pid}\n`);
  });

  it('a SIGKILLed run frees its lock at once on this host; the next run closes its unit rows', async () => {
    // a 10-minute lease: only the dead pid can free it within the test
    const w = makeWorkspace(
      { a: 'alpha', b: 'beta' },
      'engine:\n  lease: { timeoutMs: 600000, heartbeatMs: 1000 }\nstages:\n  tokenize: { delayMs: 600000 }\n',
    );
    const db = path.join(w.ws, '.stagebook/ledger.db');
    const a = cliAsync(['run', 'example', '--config', w.config], w.dir);
    let err = '';
    await new Promise<void>((resolve) =>
      a.stderr?.on('data', (d) => {
        err += d;
        if (err.includes('stage-started tokenize')) resolve();
      }),
    );
    a.kill('SIGKILL');
    await exited(a);
    const dead = query<Run>(db, 'SELECT * FROM runs')[0];
    expect(JSON.parse(cli(['status', '--config', w.config, '--json'], w.dir).stdout)[0].status).toBe('stale');
    writeFileSync(w.config, readFileSync(w.config, 'utf8').replace('delayMs: 600000', 'delayMs: 0'));
    const next = cli(['run', 'example', '--config', w.config], w.dir);
    expect(next.code, next.stderr).toBe(0);
    expect(query<Run>(db, 'SELECT * FROM runs WHERE id = ?', dead.id)[0].status).toBe('interrupted');
    expect(query(db, `SELECT id FROM stage_runs WHERE status = 'running'`)).toEqual([]);
    expect(query(db, `SELECT status FROM stage_runs WHERE run_id = ?`, dead.id)).toEqual([{ status: 'interrupted' }]);
    // resuming a run that already succeeded is refused, not reopened
    const done = query<Run>(db, `SELECT * FROM runs WHERE status = 'succeeded'`)[0];
    const again = cli(['resume', done.id, '--config', w.config], w.dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('E_RUN_FINISHED');
    expect(query<Run>(db, 'SELECT * FROM runs WHERE id = ?', done.id)[0].status).toBe('succeeded');
  });
});
