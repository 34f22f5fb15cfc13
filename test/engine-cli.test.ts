/** The `stagebook` CLI: exit codes, YAML error locations, status, ledger queries, clean. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, makeWorkspace } from './support/engine-fixtures';

describe('stagebook CLI', () => {
  it('runs the example pipeline, writes --out-file and --log-file, and reports status', () => {
    const w = makeWorkspace({ a: 'alpha beta', b: 'bravo' });
    const r = cli(
      [
        'run',
        'example',
        '--config',
        w.config,
        '--out-file',
        'out.json',
        '--log-file',
        'run.log',
        '--log-level',
        'info',
      ],
      w.dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^stage-finished collate all \(1\/1\)/m);
    const out = JSON.parse(readFileSync(path.join(w.dir, 'out.json'), 'utf8'));
    expect(out.status).toBe('succeeded');
    expect(readFileSync(path.join(w.dir, 'run.log'), 'utf8')).toMatch(
      /INFO \[tokenize incoming\/a\.txt\] 2 words in a/,
    );
    const s = cli(['status', '--config', w.config], w.dir);
    expect(s.stdout).toMatch(/ example +succeeded /);
    expect(s.stdout).toMatch(/^ {2}split-by-initial +2 /m);
    const q = cli(['ledger', 'query', '--config', w.config, '--level', 'L1', '--version-lt', '3', '--json'], w.dir);
    expect(JSON.parse(q.stdout).map((f: { path: string }) => path.relative(w.ws, f.path))).toEqual([
      'L1/a/a.json',
      'L1/a/b.json',
      'L1/b/b.json',
    ]);
  });

  it('filters inputs, takes an explicit input list, and fails with exit 1 on a stage failure', () => {
    const w = makeWorkspace({ a: 'alpha', b: 'beta', c: 'gamma' }, 'stages:\n  tokenize: { failOn: c }\n');
    const f = cli(['run', 'example', '--config', w.config, '--filter', '{a,b}.txt', '--out-file', 'o.json'], w.dir);
    expect(f.code, f.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(w.dir, 'o.json'), 'utf8')).stages.tokenize).toEqual({ succeeded: 2 });
    const bad = cli(
      ['run', 'example', '--config', w.config, '--input-files', 'ws/incoming/c.txt', '--continue-on-error'],
      w.dir,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/FAILED tokenize incoming\/c\.txt/);
    expect(existsSync(path.join(w.ws, 'logs/tokenize/incoming__c.txt.err'))).toBe(true);
  });

  it('exit 3 with file:line:col for config errors; exit 2 for usage errors; exit 5 without inputs', () => {
    const w = makeWorkspace({ a: 'alpha' });
    writeFileSync(w.config, 'root: ws\nengine:\n  concurrency: many\n');
    const r = cli(['run', 'example', '--config', 'config.yaml'], w.dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('config.yaml:3:16 engine.concurrency: ');
    writeFileSync(w.config, 'root: ws\nsecrets:\n  lco: 9f8e7d6c5b4a39281706\n');
    const s = cli(['run', 'example', '--config', 'config.yaml'], w.dir);
    expect(s.code).toBe(3);
    expect(s.stderr).toContain('config.yaml:3:8 secrets.lco: expected the NAME of an environment variable');
    expect(s.stderr).not.toContain('9f8e7d6c5b4a39281706');
    writeFileSync(w.config, 'root: ws\n');
    expect(cli(['run', 'example', '--config', 'config.yaml', '--bogus'], w.dir).code).toBe(2);
    expect(
      cli(['run', 'example', '--config', 'config.yaml', '--start-level', 'L2', '--end-level', 'L0'], w.dir).code,
    ).toBe(2);
    expect(
      cli(['run', 'example', '--config', 'config.yaml', '--stop-on-error', '--continue-on-error'], w.dir).code,
    ).toBe(2);
    expect(cli(['run', 'nosuch', '--config', 'config.yaml'], w.dir).code).toBe(3);
    expect(cli(['run', 'example', '--config', 'config.yaml', '--filter', '*.csv'], w.dir).code).toBe(5);
    expect(cli(['resume', 'nope', '--config', 'config.yaml'], w.dir).code).toBe(6);
  });

  it('--clean needs --yes off a terminal, then deletes and rebuilds the outputs of the level range', () => {
    const w = makeWorkspace({ a: 'alpha beta' });
    expect(cli(['run', 'example', '--config', w.config], w.dir).code).toBe(0);
    const refused = cli(
      ['run', 'example', '--config', w.config, '--clean', '--start-level', 'L1', '--end-level', 'L1'],
      w.dir,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const r = cli(
      [
        'run',
        'example',
        '--config',
        w.config,
        '--clean',
        '--yes',
        '--start-level',
        'L1',
        '--end-level',
        'L1',
        '--out-file',
        'o.json',
      ],
      w.dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(w.dir, 'o.json'), 'utf8')).stages).toEqual({
      tokenize: { frozen: 1 },
      'split-by-initial': { succeeded: 1 },
    });
  });
});
