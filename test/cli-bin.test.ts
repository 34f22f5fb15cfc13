/**
 * `npx stagebook` right after `npm ci` (issue 12, point 1): npm links bins before the postinstall
 * build, so the bin must be the committed shim `kernel-lib/bin/stagebook.js`, not a file in dist/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, stagebookBin } from './support/stagebook-bin';

const SHIM = path.join(REPO_ROOT, 'kernel-lib', 'bin', 'stagebook.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sb-bin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the stagebook bin', () => {
  it('is linked to the committed shim, which git tracks as executable', () => {
    expect(realpathSync(stagebookBin())).toBe(realpathSync(SHIM));
    const mode = execFileSync('git', ['ls-files', '-s', 'kernel-lib/bin/stagebook.js'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(mode).toMatch(/^100755 /);
  });

  it('runs as `npx stagebook --help` from the repository root', () => {
    const r = spawnSync('npx', ['--no-install', 'stagebook', '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: stagebook <command>/);
  });

  it('forwards the exit code of the command (usage error: 2)', () => {
    const r = spawnSync(stagebookBin(), ['no-such-command'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command no-such-command/);
  });

  it('names the missing build instead of a stack trace when dist/ is absent', () => {
    mkdirSync(path.join(tmp, 'pkg', 'bin'), { recursive: true });
    copyFileSync(SHIM, path.join(tmp, 'pkg', 'bin', 'stagebook.js'));
    const r = spawnSync(process.execPath, [path.join(tmp, 'pkg', 'bin', 'stagebook.js'), '--help'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(70);
    expect(r.stderr).toMatch(/the library is not built .*dist.cli.main\.js is missing\); run `npm run build`/);
  });
});
