/**
 * `stagebook notebook run` with papermill's habits, spawned as the user runs it (issue 12, point 4):
 * positional output, `-p NAME VALUE`, `-y`, `--log-output`, `--cwd`, a per-cell progress bar on a
 * terminal (util-linux `script` gives the pseudo-terminal), did-you-mean for a typo, and a failing
 * cell reported by cell, line and message first without tslab's frames.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from './support/engine-fixtures';

const NB = path.join(__dirname, 'fixtures', 'notebooks');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sb-papermill-'));

function run(args: string[], cwd = tmp): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'notebook', 'run', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const load = (f: string): any => JSON.parse(readFileSync(f, 'utf8'));

describe('stagebook notebook run, papermill style', () => {
  it('takes IN OUT positionally, -p NAME VALUE, -y YAML and -p NAME=VALUE, and streams cell outputs with --log-output', () => {
    const out = path.join(tmp, 'params-out.ipynb');
    const r = run([
      path.join(NB, 'params.ipynb'),
      out,
      '-p',
      'threshold',
      '0.7',
      '-y',
      'repeats: 3\nlabel: yaml',
      '-p',
      'label=cli',
      '--log-output',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('threshold=0.7 label=cli repeats=3'); // streamed while running
    expect(r.stdout).toMatch(/^notebook run succeeded \(\d+ cells/);
    const nb = load(out);
    expect(nb.metadata.stagebook.parameters.injected).toEqual({ threshold: 0.7, repeats: 3, label: 'cli' });
  });

  it('suggests the parameter a typo meant (exit 2, nothing run)', () => {
    const r = run([path.join(NB, 'params.ipynb'), path.join(tmp, 'typo.ipynb'), '-p', 'thresold', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('thresold: unknown parameter (did you mean threshold?)');
  });

  it('runs the kernel in --cwd', () => {
    const nbFile = path.join(tmp, 'cwd.ipynb');
    const cell = {
      cell_type: 'code',
      id: 'c1',
      metadata: {},
      execution_count: null,
      outputs: [],
      source: ['console.log(`cwd=${process.cwd()}`);\n'],
    };
    writeFileSync(nbFile, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell] }));
    const cwd = path.join(__dirname, 'fixtures');
    const r = run([nbFile, path.join(tmp, 'cwd-out.ipynb'), '--cwd', cwd, '--log-output']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`cwd=${cwd}`);
    expect(run([nbFile, path.join(tmp, 'x.ipynb'), '--cwd', path.join(tmp, 'nope')]).code).toBe(2);
  });

  it('reports a failing cell by cell, line and message first, without tslab frames (kept in the metadata)', () => {
    const out = path.join(tmp, 'failing-out.ipynb');
    const r = run([path.join(NB, 'failing.ipynb'), out]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('cell 3, line 2: E_INVALID_ARGUMENT: load: path: no such file');
    expect(lines[1]).toMatch(/^ {2}> function load\(\): number \{ throw new StagebookError/);
    expect(r.stderr).not.toMatch(/evalmachine|tslab[/\\]dist|node:vm/);
    const nb = load(out);
    const failed = nb.cells[2];
    const shown = failed.outputs
      .filter((o: any) => o.name === 'stderr')
      .map((o: any) => [].concat(o.text).join(''))
      .join('');
    expect(shown).toContain('StagebookError: load: path: no such file');
    expect(shown).not.toMatch(/evalmachine|tslab[/\\]dist/);
    expect(failed.metadata.stagebook.error).toMatchObject({ line: 2, code: 'E_INVALID_ARGUMENT' });
    expect(failed.metadata.stagebook.error.stderr).toContain('tslab/dist/executor.js');
    expect([].concat(nb.cells[0].source).join('')).toContain('line 2: E_INVALID_ARGUMENT: load: path: no such file');
  });

  it('draws a per-cell progress bar on a terminal that stays at the end; --no-progress-bar turns it off', () => {
    const env = { ...process.env };
    delete env.CI;
    const tty = (extra: string[]): string => {
      const cmd = [
        process.execPath,
        CLI,
        'notebook',
        'run',
        path.join(NB, 'trivial10.ipynb'),
        path.join(tmp, 'bar.ipynb'),
        ...extra,
      ]
        .map((a) => `'${a}'`)
        .join(' ');
      const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: tmp, env, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stdout).toBe(0);
      return r.stdout;
    };
    const withBar = tty([]);
    expect(withBar).toMatch(/\r\x1b\[2KExecuting \[#{0,19}\.+\] \d\/10 cells/);
    expect(withBar).toMatch(/Executing \[#{20}\] 10\/10 cells {2}elapsed [\d.]+ m?s\r?\n/);
    expect(tty(['--no-progress-bar'])).not.toContain('Executing [');
  });
});
