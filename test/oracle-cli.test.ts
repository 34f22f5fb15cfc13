/**
 * The `npm run oracle` command itself: output format, exit codes, and that a wrong expectation
 * is caught (a runner that cannot fail would be worthless).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const cli = join(root, 'kernel-lib', 'dist', 'oracle', 'cli.js');

function run(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

describe('oracle CLI', () => {
  it('prints usage and exits 2 without files', () => {
    const r = run([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage/);
  });

  it('reports an unknown family as a failure', () => {
    const d = mkdtempSync(join(tmpdir(), 'oracle-'));
    const f = join(d, 'x.json');
    writeFileSync(f, JSON.stringify({ family: 'no_such_family', n_cases: 1, cases: [{ id: 'c1', expected: {} }] }));
    const r = run([f]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL no_such_family\/c1: unknown oracle family/);
    expect(r.stdout.trim().split('\n').pop()).toBe('oracle: 0 passed, 1 failed');
  });

  it('reports a malformed file and keeps going', () => {
    const d = mkdtempSync(join(tmpdir(), 'oracle-'));
    const bad = join(d, 'bad.json');
    writeFileSync(bad, '{not json');
    const r = run([bad]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL .*bad\.json: .*not readable JSON/);
  });
});
