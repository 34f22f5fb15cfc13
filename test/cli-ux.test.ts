/**
 * The `stagebook` binary as a newcomer meets it (issue 12, point 1): help for every command, one
 * exit-code table documented in docs/cli.md, `archive serve` without a token, `status` inside a
 * workspace, and the interactive progress line (through a pseudo-terminal: `script -qc`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeOf, exitPatternOf } from '../kernel-lib/src/errors/exit-codes';
import { terminalRenderer } from '../kernel-lib/src/cli/progress';
import type { StagebookEvent } from '../kernel-lib/src/events/emitter';
import { CLI, cli, makeWorkspace } from './support/engine-fixtures';
import { STAGEBOOK_ERROR_CODES } from '../kernel-lib/src/errors/stagebook-error';

const REPO = path.resolve(__dirname, '..');

/** Every code of the StagebookErrorCode union, read from its source. */
function errorCodes(): string[] {
  // the runtime list is checked against the union at compile time (errors/stagebook-error.ts)
  return [...STAGEBOOK_ERROR_CODES];
}

/** Exit code -> the "error codes" cell of its row in docs/cli.md's table. */
function documentedExitRows(): Map<number, string> {
  const doc = readFileSync(path.join(REPO, 'docs/cli.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## Exit codes'));
  const rows = new Map<number, string>();
  for (const m of table.matchAll(/^\| (\d+) \| [^|]* \| ([^|]*) \|$/gm)) rows.set(Number(m[1]), m[2]);
  return rows;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('stagebook --help', () => {
  it('lists every command, and every command and subcommand answers --help with exit 0', () => {
    const top = cli(['--help'], REPO);
    expect(top.code).toBe(0);
    for (const c of [
      'run',
      'resume',
      'status',
      'ledger query',
      'pipelines',
      'notebook run',
      'archive serve',
      'archive lco-sync',
    ])
      expect(top.stdout).toContain(c);
    const subs = [
      ['run'],
      ['resume'],
      ['status'],
      ['ledger'],
      ['ledger', 'query'],
      ['pipelines'],
      ['notebook'],
      ['notebook', 'run'],
      ['archive'],
      ['archive', 'serve'],
      ['archive', 'lco-sync'],
      ['xpcs'],
      ['flow'],
      ['search'],
      ['stix'],
      ['punch'],
    ];
    for (const sub of subs) {
      const r = cli([...sub, '--help'], REPO);
      expect(r.code, `${sub.join(' ')} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout, sub.join(' ')).toMatch(/usage/i);
    }
    expect(cli(['bogus'], REPO).code).toBe(EXIT.usage);
  });
});

describe('exit codes', () => {
  it('maps every StagebookError code to an exit code documented in docs/cli.md', () => {
    const codes = errorCodes();
    expect(codes.length).toBeGreaterThan(50);
    const rows = documentedExitRows();
    for (const code of codes) {
      const pattern = exitPatternOf(code);
      expect(pattern, `${code} is in no row of errors/exit-codes.ts`).toBeDefined();
      const exit = exitCodeOf(code as Parameters<typeof exitCodeOf>[0]);
      expect(rows.get(exit), `exit ${exit} (${code}) has no row in docs/cli.md`).toBeDefined();
      expect(rows.get(exit), `docs/cli.md row ${exit} does not list ${pattern} (for ${code})`).toContain(
        `\`${pattern}\``,
      );
    }
  });

  it('one table for the whole binary: a config error and a notebook timeout no longer share exit 3', () => {
    expect(exitCodeOf('E_CONFIG_INVALID')).toBe(3);
    expect(exitCodeOf('E_NOTEBOOK_TIMEOUT')).toBe(9);
    expect(exitCodeOf('E_KERNEL_DIED')).toBe(10);
    expect(new Set(Object.values(EXIT)).size).toBe(Object.values(EXIT).length);
    const missing = cli(['notebook', 'run', path.join(REPO, 'nope.ipynb'), '-o', '/tmp/out.ipynb'], REPO);
    expect(missing.code).toBe(EXIT.notFound);
  });
});

describe('stagebook archive serve', () => {
  it('starts without a token, serves anonymously and says how to point a config at it', async () => {
    const port = await freePort();
    const env = { ...process.env };
    delete env.LCO_TOKEN;
    const child = spawn(process.execPath, [CLI, 'archive', 'serve', '--port', String(port)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('stagebook archive lco-sync')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`archive serve exited ${code}: ${err}`)));
      });
      expect(out).toContain(`http://127.0.0.1:${port}/`);
      expect(out).toContain('anonymous');
      expect(out).toContain(`url: 'http://127.0.0.1:${port}/'`);
      expect(out).toContain("token_envvar: 'LCO_TOKEN'");
      const res = await fetch(`http://127.0.0.1:${port}/frames/?limit=2`, {
        headers: { authorization: 'Token whatever' },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { results: unknown[] }).results.length).toBe(2);
    } finally {
      const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('refuses an explicit --token-env whose variable is unset (exit 3, the NAME only)', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, CI: '1' };
    delete env.SB_UNSET_TOKEN;
    const r = spawnSync(process.execPath, [CLI, 'archive', 'serve', '--port', '0', '--token-env', 'SB_UNSET_TOKEN'], {
      env,
      encoding: 'utf8',
    });
    expect(r.status).toBe(EXIT.config);
    expect(r.stderr).toContain('E_SECRET_MISSING');
    expect(r.stderr).toContain('SB_UNSET_TOKEN');
  });
});

describe('stagebook status', () => {
  it('finds the workspace config from inside the workspace and prints tables with headers and durations', () => {
    const w = makeWorkspace({ a: 'alpha beta', b: 'bravo' });
    const config = path.join(w.dir, 'stagebook.yaml');
    renameSync(w.config, config);
    expect(cli(['run', 'example'], w.dir).code).toBe(0);
    const inside = path.join(w.ws, 'incoming');
    const s = cli(['status'], inside);
    expect(s.code, s.stderr).toBe(0);
    const lines = s.stdout.split('\n');
    expect(lines[0]).toMatch(/^RUN +PIPELINE +STATUS +STARTED \(UTC\) +DURATION +RESUMES$/);
    expect(lines[1]).toMatch(/^-+ +-+/);
    expect(lines[2]).toMatch(/ example +succeeded +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +\d+(\.\d)? m?s +0$/);
    expect(s.stdout).toMatch(/^ {2}STAGE +SUCCEEDED +TIME$/m);
    expect(s.stdout).toMatch(/^ {2}split-by-initial +2 +\d+(\.\d)? m?s$/m);
    const json = JSON.parse(cli(['status', '--json'], inside).stdout);
    expect(json[0]).toMatchObject({
      pipeline: 'example',
      status: 'succeeded',
      durationMs: expect.any(Number),
      stageDurationsMs: { tokenize: expect.any(Number) },
    });
    expect(cli(['pipelines'], inside).stdout).toMatch(/^PIPELINE +LEVELS +STAGES \[kind, level\]\n-+ /);
    expect(cli(['ledger', 'query', '--level', 'L1'], inside).stdout).toMatch(
      /^LEVEL +VERSION +PRODUCT +STATE +SIZE +PATH\n/,
    );
    const nowhere = cli(['status'], path.parse(REPO).root);
    expect(nowhere.code).toBe(EXIT.usage);
    expect(nowhere.stderr).toContain('no stagebook.yaml');
  });
});

describe('progress line', () => {
  /** Runs the CLI under a pseudo-terminal (util-linux `script`) so stderr is a TTY. */
  function runInTty(args: string[], cwd: string): string {
    const env: NodeJS.ProcessEnv = { ...process.env, COLUMNS: '160' };
    delete env.CI;
    const cmd = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd, env, encoding: 'utf8' });
    expect(r.status, r.stdout).toBe(0);
    return r.stdout;
  }

  it('shows elapsed time and ETA on a terminal, stays on screen, and tells a cached run from a real one', () => {
    const w = makeWorkspace({ a: 'alpha beta', b: 'bravo', c: 'charlie' });
    mkdirSync(path.join(w.dir, 'sub'));
    const first = runInTty(['run', 'example', '--config', w.config], w.dir);
    expect(first).toContain('\r\x1b[2K['); // redrawn in place
    expect(first).toMatch(/elapsed \d+(\.\d)? m?s {2}ETA (--|\d)/);
    // the last bar is kept: it ends with a newline, not erased, and is followed by the summary
    expect(first).toMatch(
      /\[#{20}\] 1\/1 collate[^\r\n]*elapsed[^\r\n]*\r?\n[^\n]*stagebook: run \S+ succeeded in [\d.]+ m?s \(\d+ computed, 0 cached\)/,
    );
    const second = runInTty(['run', 'example', '--config', w.config], w.dir);
    expect(second).toMatch(/succeeded in [\d.]+ m?s \(all \d+ units cached, nothing recomputed\)/);
    expect(second).not.toMatch(/\d+ computed/);
  });

  it('computes the ETA from the mean time of computed units (injected clock)', () => {
    let t = 1000;
    let written = '';
    const stream = {
      columns: 200,
      write: (s: string) => {
        written += s;
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    const render = terminalRenderer(stream, true, false, () => t);
    const ev = (e: Partial<StagebookEvent>): void =>
      render({ runId: 'r1', pipeline: 'p', at: t, type: 'progress', ...e } as StagebookEvent);
    ev({ type: 'run-started' });
    ev({ type: 'stage-started', stage: 's', unit: 'u1', n: 1, total: 4 });
    t += 2000;
    ev({ type: 'stage-finished', stage: 's', unit: 'u1', n: 1, total: 4, durationMs: 2000 });
    ev({ type: 'stage-started', stage: 's', unit: 'u2', n: 2, total: 4 });
    t += 500;
    ev({ type: 'progress', stage: 's', unit: 'u2', n: 1, total: 2 });
    // 3 units left at 2 s each, 0.5 s of the running one already spent: 5.5 s
    expect(written.slice(written.lastIndexOf('\r'))).toContain('1/4 s u2  elapsed 2.5 s  ETA 5.5 s');
    expect(written.slice(written.lastIndexOf('\r'))).toContain('[########............]'); // 1.5 of 4 units = 7.5 of 20 cells
  });
});
