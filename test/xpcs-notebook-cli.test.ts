/**
 * A unit has one identity whatever drives it (issue 12, point 5): the XPCS notebook runs the
 * pipeline, then the CLI runs it again on the same workspace and recomputes nothing, also when it
 * reaches the workspace through a symlink (a Jupyter kernel's cwd is always the real path, a
 * user's shell often is not).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from './support/engine-fixtures';

const REPO = path.resolve(__dirname, '..');

function stagebook(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('notebook then CLI', () => {
  it('recomputes zero units, through the real path or a symlink', () => {
    const real = mkdtempSync(path.join(os.tmpdir(), 'sb-nb-cli-'));
    const ws = path.join(real, 'ws');
    mkdirSync(ws);
    const link = path.join(real, 'link');
    symlinkSync(ws, link);
    const nb = stagebook(
      [
        'notebook',
        'run',
        path.join(REPO, 'notebooks', 'xpcs-correlation.ipynb'),
        path.join(real, 'xpcs.ipynb'),
        '-p',
        'outDir',
        ws,
        '-p',
        'frames',
        '128',
        '-p',
        'size',
        '32',
        '-p',
        'rings',
        '2',
        '-p',
        'twoTime',
        'false',
        '--start-timeout',
        '240',
      ],
      real,
    );
    expect(nb.code, nb.stderr).toBe(0);
    for (const [config, cwd] of [
      [path.join(link, 'stagebook.yaml'), REPO],
      [path.join(ws, 'stagebook.yaml'), os.tmpdir()],
    ]) {
      const out = path.join(real, `run-${path.basename(path.dirname(config))}.json`);
      const r = stagebook(['run', 'xpcs', '--config', config, '--out-file', out], cwd);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/all 2 units cached, nothing recomputed/);
      const result = JSON.parse(readFileSync(out, 'utf8'));
      expect(result.counts).toEqual({ cached: 2 });
      expect(Object.keys(result.stages)).toEqual(['xpcs-corr', 'xpcs-fit']);
    }
    // inside the workspace, without --config
    const inside = stagebook(['run', 'xpcs'], path.join(link, 'L1'));
    expect(inside.stderr).toMatch(/all 2 units cached, nothing recomputed/);
  }, 400_000);
});
