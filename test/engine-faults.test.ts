/**
 * Errors a user can act on (issue 11 items 12-13), through the CLI in real processes with real
 * faults: ENOSPC from /dev/full, an immutable (chattr +i) or read-only directory, a ledger locked
 * by another connection, garbage and 0-byte ledgers, unwritable side files, a closed stdout pipe,
 * and option values that used to be accepted silently. Each gets its own code and exit code, names
 * the path, and leaves the run resumable.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CLI, cli, makeWorkspace } from './support/engine-fixtures';

const PIPELINE = path.resolve(__dirname, 'support/fault-pipeline.js');

function workspace(extra = '') {
  const w = makeWorkspace({ a: 'alpha', b: 'beta' }, extra);
  mkdirSync(path.join(w.ws, 'control'));
  return { ...w, db: path.join(w.ws, '.stagebook/ledger.db') };
}

function runsOf(db: string): { id: string; status: string }[] {
  const ro = new Database(db, { readonly: true });
  try {
    return ro.prepare('SELECT id, status FROM runs ORDER BY created_at').all() as { id: string; status: string }[];
  } finally {
    ro.close();
  }
}

/** Makes `dir` unwritable even for root (chattr +i), else with chmod; returns the undo. */
function makeReadOnly(dir: string): () => void {
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    return () => execFileSync('chattr', ['-i', dir]);
  } catch {
    chmodSync(dir, 0o555);
    return () => chmodSync(dir, 0o755);
  }
}

describe('resource faults get their own code and exit code, and stay resumable', () => {
  it('disk full (ENOSPC): exit 74 naming the output directory; the run stops and resumes once space is back', () => {
    const w = workspace('engine:\n  onError: continue\n');
    writeFileSync(path.join(w.ws, 'control/full'), '');
    const r = cli(['run', PIPELINE, '--config', w.config], w.dir);
    expect(r.code, r.stderr).toBe(74);
    expect(r.stderr).toMatch(/E_DISK_FULL: stage copy on incoming\/a\.txt: \S*\/ws\/L1: ENOSPC/);
    expect(r.stderr).toContain('stagebook resume');
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    const [run] = runsOf(w.db);
    expect(run.status).toBe('failed');
    rmSync(path.join(w.ws, 'control/full'));
    const resumed = cli(['resume', run.id, '--config', w.config], w.dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readFileSync(path.join(w.ws, 'L1/b.txt'), 'utf8')).toBe('beta');
  });

  it('read-only output directory: exit 77 naming it (not ENOENT under E_STAGE_FAILED); resumable once writable', () => {
    const w = workspace();
    mkdirSync(path.join(w.ws, 'L1'));
    const undo = makeReadOnly(path.join(w.ws, 'L1'));
    let r;
    try {
      r = cli(['run', PIPELINE, '--config', w.config], w.dir);
    } finally {
      undo();
    }
    expect(r.code, r.stderr).toBe(77);
    expect(r.stderr).toMatch(
      /E_READ_ONLY: stage copy on incoming\/a\.txt: \S*\/ws\/L1\/\.a\.txt\.sbtmp-\d+-\w+: E(PERM|ACCES)/,
    );
    const resumed = cli(['resume', runsOf(w.db)[0].id, '--config', w.config], w.dir);
    expect(resumed.code, resumed.stderr).toBe(0);
  });

  it('a ledger locked by another process: exit 75; a corrupt or 0-byte ledger: exit 76', () => {
    const w = workspace('engine:\n  busyTimeoutMs: 200\n');
    expect(cli(['run', PIPELINE, '--config', w.config], w.dir).code).toBe(0);
    const holder = new Database(w.db);
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const r = cli(['run', PIPELINE, '--config', w.config, '--force'], w.dir);
      expect(r.code, r.stderr).toBe(75);
      expect(r.stderr).toMatch(/E_LEDGER_LOCKED: .*ledger\.db.*busyTimeoutMs/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const g = workspace('engine:\n  busyTimeoutMs: 200\n');
    mkdirSync(path.dirname(g.db));
    writeFileSync(g.db, 'not a database '.repeat(400));
    const bad = cli(['status', '--config', g.config], g.dir);
    expect(bad.code, bad.stderr).toBe(76);
    expect(bad.stderr).toMatch(/E_LEDGER_CORRUPT: .*ledger\.db/);
    writeFileSync(g.db, '');
    const empty = cli(['run', PIPELINE, '--config', g.config], g.dir);
    expect(empty.code, empty.stderr).toBe(76);
    expect(empty.stderr).toMatch(/E_LEDGER_CORRUPT: .*ledger\.db is an empty \(0-byte\) file/);
    expect(readFileSync(g.db).length).toBe(0); // not silently turned into a new ledger
  });

  it('--out-file in a missing directory and --log-file under /proc fail fast with exit 73, before any work', () => {
    const w = workspace();
    const out = cli(['run', PIPELINE, '--config', w.config, '--out-file', path.join(w.dir, 'missing/out.json')], w.dir);
    expect(out.code, out.stderr).toBe(73);
    expect(out.stderr).toMatch(/E_OUTPUT_PATH: --out-file \S+missing\/out\.json: directory \S+missing does not exist/);
    const log = spawnSync(
      process.execPath,
      [CLI, 'run', PIPELINE, '--config', w.config, '--log-file', '/proc/x/y.log'],
      { cwd: w.dir, encoding: 'utf8', timeout: 60_000 },
    );
    expect(log.status, log.stderr).toBe(73);
    expect(log.stderr).toContain('E_OUTPUT_PATH: --log-file /proc/x/y.log');
    expect(existsSync(w.db)).toBe(false); // refused before opening anything
  });
});

describe('smaller CLI faults', () => {
  it('`ledger query | head` ends quietly on a closed pipe; --state and --limit are validated', () => {
    const w = workspace();
    expect(cli(['run', PIPELINE, '--config', w.config], w.dir).code).toBe(0);
    const db = new Database(w.db);
    const ins = db.prepare(
      `INSERT INTO files (path, sha256, size, level, version, state, created_at, updated_at) VALUES (?, 'x', 1, 'L1', 1, 'complete', 1, 1)`,
    );
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) ins.run(`/data/${'long-name-'.repeat(8)}${i}.h5`);
    })();
    db.close();
    const piped = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${CLI}" ledger query --config "${w.config}" --level L1 | head -n 1; echo "exit=\${PIPESTATUS[0]}" >&2`,
      ],
      { cwd: w.dir, encoding: 'utf8' },
    );
    expect(piped.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(piped.stderr).not.toContain('EPIPE');
    expect(piped.stderr).toContain('exit=0');
    const state = cli(['ledger', 'query', '--config', w.config, '--state', 'bogus'], w.dir);
    expect(state.code).toBe(2);
    expect(state.stderr).toContain('--state must be one of source, complete, superseded, deleted');
    expect(cli(['ledger', 'query', '--config', w.config, '--limit', '-5'], w.dir).code).toBe(2);
    expect(cli(['status', '--config', w.config, '--limit', '0'], w.dir).code).toBe(2);
  });
});
