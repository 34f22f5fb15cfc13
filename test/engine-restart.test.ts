/**
 * Crash and resume across processes: a CLI run is killed with SIGKILL in the middle of a stage
 * (an output half-written under its temp name), the dead run is detected at once (its pid is gone
 * on this host: no waiting for the lease to expire, so nothing here races the clock), and
 * `stagebook resume` finishes it without taking the partial file as done.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, exited, makeWorkspace, waitFor } from './support/engine-fixtures';

// a lease far longer than the test: only the dead pid can free it
const LEASE = 'engine:\n  lease: { timeoutMs: 600000, heartbeatMs: 200 }\n';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

describe('engine: SIGKILL mid-stage, then resume', () => {
  it('never registers a partial output and resumes from the first incomplete stage', async () => {
    const w = makeWorkspace(
      { a: 'alpha beta gamma', b: 'apple banana cherry' },
      `${LEASE}stages:\n  split-by-initial: { delayMs: 400 }\n`,
    );
    const db = path.join(w.ws, '.stagebook/ledger.db');
    const child = cliAsync(['run', 'example', '--config', w.config], w.dir);
    const done = exited(child);
    // kill while a split unit is writing (half of a file is in its temp, the rest after a sleep)
    await waitFor(
      () => walk(w.ws).some((f) => path.basename(f).includes('.sbtmp-')) && existsSync(path.join(w.ws, 'L1/a/a.json')),
    );
    child.kill('SIGKILL');
    expect(await done).toBe(null);
    const temps = walk(w.ws).filter((f) => path.basename(f).includes('.sbtmp-'));
    expect(temps.length).toBeGreaterThan(0);
    const ro = new Database(db, { readonly: true });
    const run = ro.prepare('SELECT * FROM runs').get() as { id: string; status: string };
    expect(run.status).toBe('running');
    const registered = (ro.prepare("SELECT path FROM files WHERE state = 'complete'").all() as { path: string }[]).map(
      (r) => r.path,
    );
    for (const t of temps)
      expect(registered.some((p) => t.includes(path.basename(p)) && path.dirname(p) === path.dirname(t))).toBe(false);
    expect((ro.prepare("SELECT COUNT(*) AS n FROM stage_runs WHERE status = 'running'").get() as { n: number }).n).toBe(
      1,
    );
    ro.close();
    // the lease is valid for 10 minutes, but its pid is dead on this host: stale at once
    const status = cli(['status', '--config', w.config, '--json'], w.dir);
    expect(JSON.parse(status.stdout)[0].status).toBe('stale');
    const resumed = cli(['resume', run.id, '--config', w.config, '--out-file', path.join(w.dir, 'out.json')], w.dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    const out = JSON.parse(readFileSync(path.join(w.dir, 'out.json'), 'utf8'));
    expect(out.runId).toBe(run.id);
    expect(out.resumed).toBe(true);
    expect(out.stages.tokenize).toEqual({ cached: 2 });
    expect(out.stages.collate).toEqual({ succeeded: 1 });
    expect(walk(w.ws).filter((f) => path.basename(f).includes('.sbtmp-'))).toEqual([]);
    for (const f of walk(path.join(w.ws, 'L1'))) expect(() => JSON.parse(readFileSync(f, 'utf8'))).not.toThrow();
    expect(JSON.parse(readFileSync(path.join(w.ws, 'L2/counts.json'), 'utf8'))).toEqual({
      files: 6,
      counts: { a: 2, b: 2, c: 1, g: 1 },
    });
    const after = new Database(db, { readonly: true });
    expect(after.prepare('SELECT status FROM runs').get()).toEqual({ status: 'succeeded' });
    expect(
      (after.prepare("SELECT COUNT(*) AS n FROM stage_runs WHERE status = 'interrupted'").get() as { n: number }).n,
    ).toBe(1);
    after.close();
  });
});
