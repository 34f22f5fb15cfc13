/** Several processes on one ledger: no lost update, and one live run per pipeline workspace. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../kernel-lib/src/ledger/ledger';
import { cli, cliAsync, exited, makeWorkspace, waitFor, DIST } from './support/engine-fixtures';

function writer(db: string, runId: string, n: number, tag: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(
      process.execPath,
      [path.join(__dirname, 'support/ledger-writer.js'), path.join(DIST, 'ledger'), db, runId, String(n), tag],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`writer exited ${code}: ${err}`))));
  });
}

describe('engine: concurrent ledger writers', () => {
  it('three processes writing stage states and a read-modify-write counter lose nothing', async () => {
    const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'sb-ledger-')), 'ledger.db');
    const ledger = Ledger.open(db);
    const { runId } = ledger.createRun({ pipeline: 'bench', scope: 'bench@x', options: {}, leaseMs: 60_000 });
    const n = 300;
    await Promise.all(['p1', 'p2', 'p3'].map((t) => writer(db, runId, n, t)));
    expect(ledger.getRun(runId).units_done).toBe(3 * n);
    const rows = ledger.db
      .prepare("SELECT stage, COUNT(*) AS n FROM stage_runs WHERE status = 'succeeded' GROUP BY stage ORDER BY stage")
      .all();
    expect(rows).toEqual([
      { stage: 's-p1', n },
      { stage: 's-p2', n },
      { stage: 's-p3', n },
    ]);
    expect(ledger.db.pragma('journal_mode', { simple: true })).toBe('wal');
    ledger.close();
  });

  it('refuses a second live run of the same pipeline on the same workspace (exit 4)', async () => {
    // the first run sleeps until it is stopped: the refusal never races its end (busy machines)
    const w = makeWorkspace({ a: 'alpha', b: 'beta' }, 'stages:\n  tokenize: { delayMs: 600000 }\n');
    const first = cliAsync(['run', 'example', '--config', w.config], w.dir);
    let err = '';
    first.stderr?.on('data', (d) => (err += d));
    await waitFor(() => err.includes('stage-started tokenize'));
    const second = cli(['run', 'example', '--config', w.config], w.dir);
    expect(second.code).toBe(4);
    expect(second.stderr).toMatch(/E_RUN_LOCKED: run \S+ of pipeline example is live/);
    first.kill('SIGINT');
    expect(await exited(first)).toBe(130); // interrupted, resumable
  });
});
