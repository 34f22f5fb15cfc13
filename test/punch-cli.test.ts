/**
 * `stagebook punch` as a user runs it (the linked bin; needs kernel-lib/dist): exit codes of
 * docs/cli.md for a configuration error, a clean mission, a failed flow and an unknown flow id.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stagebookBin } from './support/stagebook-bin';

function punch(dir: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [stagebookBin(), 'punch', ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workspace(yaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-punch-cli-'));
  writeFileSync(path.join(dir, 'punch.yaml'), yaml);
  return dir;
}

const INLINE =
  'root: data\nexecutor: { kind: in-process, isolation: inline }\nflows: { level1: {}, levelq: {}, level2: {}, level3: {} }\n';

describe('stagebook punch', () => {
  it('refuses a bad config with file:line:col and exit 3 (an unknown field, an unknown executor kind)', () => {
    const a = punch(workspace('root: data\nbogus: 1\n'), 'status', '--config', 'punch.yaml');
    expect([a.code, a.stderr]).toEqual([3, expect.stringMatching(/punch\.yaml:\d+:\d+ .*bogus/)]);
    const b = punch(workspace('root: data\nexecutor: { kind: slurm }\n'), 'run', '--config', 'punch.yaml');
    expect([b.code, b.stderr]).toEqual([
      3,
      expect.stringMatching(/punch\.yaml:2:\d+ executor\.kind: unknown executor kind/),
    ]);
    expect(punch(workspace(INLINE), 'run').code).toBe(2); // --config missing
  });

  it('simulates, runs until idle (exit 0), reports status; a corrupt L0 makes run and status exit 1', () => {
    const dir = workspace(INLINE);
    const sim = punch(
      dir,
      'simulate',
      '--config',
      'punch.yaml',
      '--start',
      '2026-01-10T00:00:00Z',
      '--slots',
      '1',
      '--size',
      '24',
    );
    expect([sim.code, sim.stdout]).toEqual([0, 'L0 files: 16; ingested 16, already present 0\n']);
    expect(
      punch(
        dir,
        'simulate',
        '--config',
        'punch.yaml',
        '--start',
        '2026-01-10T00:00:00Z',
        '--slots',
        '1',
        '--size',
        '24',
      ).stdout,
    ).toContain('ingested 0, already present 16');
    const run = punch(dir, 'run', '--config', 'punch.yaml', '--until-idle');
    expect(run.code, run.stderr).toBe(0);
    const status = punch(dir, 'status', '--config', 'punch.yaml', '--json');
    expect(status.code).toBe(0);
    const counts = JSON.parse(status.stdout) as { files: Array<{ level: string; state: string; n: number }> };
    expect(counts.files).toContainEqual({ level: '3', state: 'created', n: 2 });

    const more = punch(
      dir,
      'simulate',
      '--config',
      'punch.yaml',
      '--start',
      '2026-01-10T01:00:00Z',
      '--slots',
      '1',
      '--size',
      '24',
    );
    expect(more.code).toBe(0);
    truncateSync(path.join(dir, 'data', '0', 'CR2', '2026', '01', '10', 'PUNCH_L0_CR2_20260110010000_v0.fits'), 3000);
    const bad = punch(dir, 'run', '--config', 'punch.yaml', '--until-idle');
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('1 flow(s) failed')]);
    expect(punch(dir, 'status', '--config', 'punch.yaml').code).toBe(1);
    expect(punch(dir, 'process', '--config', 'punch.yaml', '99999').code).toBe(6);
  });
});
