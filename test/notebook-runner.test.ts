/**
 * Drives the real tslab 1.0.22 kernel through the headless runner (ZeroMQ, signed messages).
 * Needs `npx tsc -p kernel-lib/tsconfig.build.json` first: the kernel imports `stagebook` from
 * kernel-lib/dist, and the command-line tests run `stagebook notebook run` through the linked bin.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { notebookCommand } from '../kernel-lib/src/notebook/cli';
import { KernelClient } from '../kernel-lib/src/notebook/client';
import { launchKernel } from '../kernel-lib/src/notebook/launcher';
import { runNotebook } from '../kernel-lib/src/notebook/runner';
import { stagebookBin } from './support/stagebook-bin';

const NB = path.join(__dirname, 'fixtures', 'notebooks');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sb-nb-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const out = (name: string): string => path.join(tmp, name);
const load = (file: string): any => JSON.parse(readFileSync(file, 'utf8'));
const text = (cell: any): string => (cell.outputs ?? []).map((o: any) => o.text ?? '').join('');
const src = (cell: any): string => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

/** True while `pid` runs (a zombie awaiting its reaper counts as dead: it runs no code). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves once `pred()` holds (polled every 50 ms; the test's own timeout bounds the wait). */
async function waitUntil(pred: () => boolean): Promise<void> {
  while (!pred()) await new Promise((r) => setTimeout(r, 50));
}

/** Runs notebookCommand in-process, capturing what it prints. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: any) => {
    stdout += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: any) => {
    stderr += String(s);
    return true;
  });
  try {
    const code = await notebookCommand(args);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('kernel client (real tslab kernel, wire protocol 5.3)', () => {
  it('signs requests the kernel accepts, answers heartbeats, and gets no reply with a wrong key', async () => {
    const kernel = await launchKernel({ cwd: NB });
    const client = KernelClient.connect(kernel.connection, kernel.exited);
    const forged = KernelClient.connect({ ...kernel.connection, key: 'not-the-key' }, kernel.exited);
    try {
      // tslab compiles TypeScript at start: on a loaded machine that alone can take a minute
      const info = await client.waitReady(110_000);
      expect(info).toMatchObject({ protocol_version: '5.3', implementation: 'tslab' });
      expect(await client.heartbeat()).toBe(true);
      const seen: string[] = [];
      const r = await client.execute('console.log(6 * 7)', {
        onIopub: (m) => seen.push(`${m.header.msg_type}:${String((m.content as { text?: string }).text ?? '')}`),
      });
      expect(r).toMatchObject({ status: 'ok', executionCount: 1 });
      expect(seen).toContain('stream:42\n');
      // tslab verifies the HMAC of every request: a forged signature is dropped, nothing answers.
      await expect(forged.waitReady(1500)).rejects.toMatchObject({ code: 'E_KERNEL_START' });
    } finally {
      client.close();
      forged.close();
      await kernel.kill();
    }
    expect(kernel.isDead()).toBe(true);
    expect(alive(kernel.pid)).toBe(false);
  });
});

describe('notebook runner (real tslab kernel)', () => {
  it('injects parameters, executes in order and writes outputs and the run record', async () => {
    const file = out('params.ipynb');
    const s = await runNotebook({
      input: path.join(NB, 'params.ipynb'),
      output: file,
      parameterArgs: ['threshold=2', 'label=007'],
    });
    expect(s).toMatchObject({ status: 'succeeded', exitCode: 0, cellsExecuted: 4 });
    const nb = load(file);
    const cells = nb.cells;
    expect(cells[2].metadata.tags).toEqual(['injected-parameters']);
    expect(text(cells[2])).toBe(''); // the injected cell prints nothing
    expect(text(cells[3])).toBe('threshold=2 label=007 repeats=2\n');
    expect(text(cells[4])).toBe('4\n');
    for (const c of cells.filter((c: any) => c.cell_type === 'code')) {
      const r = c.metadata.stagebook;
      expect(r.status).toBe('ok');
      expect(Date.parse(r.end) - Date.parse(r.start)).toBe(r.duration_ms);
    }
    expect(cells.filter((c: any) => c.cell_type === 'code').map((c: any) => c.execution_count)).toEqual([1, 2, 3, 4]);
    const rec = nb.metadata.stagebook;
    expect(rec).toMatchObject({
      status: 'succeeded',
      parameters: { defaults: { threshold: 0.5, label: 'demo', repeats: 2 }, injected: { threshold: 2, label: '007' } },
    });
    expect(rec.versions).toMatchObject({
      tslab: '1.0.22',
      stagebook: expect.any(String),
      node: process.version,
      typescript: expect.stringMatching(/^5\.0\./),
    });
    expect(rec.kernel).toMatchObject({ implementation: 'tslab', protocol_version: '5.3' });
    expect(rec.input_hashes.notebook).toBe(
      createHash('sha256')
        .update(readFileSync(path.join(NB, 'params.ipynb')))
        .digest('hex'),
    );
    expect(nb.nbformat_minor).toBeGreaterThanOrEqual(5);
    expect(alive(rec.kernel.pid)).toBe(false);
  });

  it('rejects invalid parameters before starting any kernel (exit 2, nothing written)', async () => {
    const file = out('invalid.ipynb');
    const r = await cli([
      'run',
      path.join(NB, 'params.ipynb'),
      '-o',
      file,
      '-p',
      'threshold=-1',
      '-p',
      'repeats=1.5',
      '-p',
      'thresold=3',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^E_NOTEBOOK_PARAMS: validateParameters: invalid parameters:/);
    expect(r.stderr).toMatch(/thresold: unknown parameter/);
    expect(existsSync(file)).toBe(false);
    const typed = await cli([
      'run',
      path.join(NB, 'params.ipynb'),
      '-o',
      file,
      '-p',
      'threshold=-1',
      '-p',
      'repeats=1.5',
    ]);
    expect(typed.stderr).toMatch(/\n {2}threshold: .*\n {2}repeats: /);
  });

  it('--help-params prints names, types, defaults and descriptions', async () => {
    const r = await cli(['run', path.join(NB, 'params.ipynb'), '--help-params']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('threshold: number (default: 0.5)  detection threshold');
    expect(r.stdout).toContain('label: string (default: "demo")  run label');
    expect(r.stdout).toContain('repeats: integer (default: 2)');
  });

  it('stops at a throwing cell, marks it, adds a banner and exits 1', async () => {
    const file = out('failing.ipynb');
    const r = await cli(['run', path.join(NB, 'failing.ipynb'), '-o', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cell 3, line 2: E_INVALID_ARGUMENT: load: path: no such file\n/);
    expect(r.stderr).toMatch(/\nnotebook run failed at cell 3 /);
    const nb = load(file);
    expect(nb.cells[0].metadata.tags).toEqual(['stagebook-error-banner']);
    expect(src(nb.cells[0])).toContain('E_INVALID_ARGUMENT: load: path: no such file');
    const failed = nb.cells[2].metadata.stagebook;
    expect(failed).toMatchObject({
      status: 'error',
      error: { code: 'E_INVALID_ARGUMENT', ename: 'StagebookError', reply_status: 'error' },
    });
    expect(nb.cells[3].metadata.stagebook).toEqual({ status: 'skipped' });
    expect(nb.cells[3].outputs).toEqual([]);
    expect(nb.metadata.stagebook).toMatchObject({ status: 'failed', failed_cell: 2 });
  });

  it('detects a TypeScript type error (tslab type-checks with TS 5.0) as a failed cell', async () => {
    const s = await runNotebook({ input: path.join(NB, 'typeerror.ipynb'), output: out('typeerror.ipynb') });
    expect(s.exitCode).toBe(1);
    expect(String(s.error?.message)).toMatch(/not assignable to type 'number'/);
  });

  it('times out a cell, saves as it goes, and kills the kernel (exit 9)', async () => {
    const file = out('timeout.ipynb');
    const running = runNotebook({ input: path.join(NB, 'timeout.ipynb'), output: file, cellTimeoutMs: 4000 });
    // While the long cell runs, the saved notebook already holds the first cell's output.
    let midRun: any;
    await waitUntil(() => {
      if (!existsSync(file)) return false;
      const nb = load(file);
      if (nb.cells[1].metadata.stagebook?.status === 'running') midRun = nb;
      return midRun !== undefined;
    });
    expect(text(midRun.cells[0])).toBe('start\n');
    const s = await running;
    // the 60 s cell ended by the 4 s cell timeout (not by the run ending some other way)
    expect(s).toMatchObject({ status: 'failed', exitCode: 9, failedCell: 2, error: { code: 'E_NOTEBOOK_TIMEOUT' } });
    expect(String(s.error?.message)).toContain('cell timeout of 4000 ms');
    const nb = load(file);
    expect(nb.cells[2].metadata.stagebook.status).toBe('timeout');
    expect(nb.cells[2].outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'CellTimeoutError' });
    expect(alive(nb.metadata.stagebook.kernel.pid)).toBe(false);
  });

  it("caps one cell's output with a visible note (--max-cell-output)", async () => {
    const file = out('bigoutput.ipynb');
    const events = out('bigoutput.jsonl');
    const r = await cli([
      'run',
      path.join(NB, 'bigoutput.ipynb'),
      '-o',
      file,
      '--events',
      events,
      '--max-cell-output',
      '250000',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const cell = load(file).cells[0];
    const stdout = cell.outputs
      .filter((o: any) => o.name === 'stdout')
      .map((o: any) => o.text)
      .join('');
    expect(stdout.length).toBe(250_000);
    expect(cell.outputs.at(-1).text).toMatch(/output truncated: this cell's output exceeded 250000 characters/);
    expect(cell.metadata.stagebook.output_truncated_chars).toBe(30 * 100_001 - 250_000);
    expect(readFileSync(file).length).toBeLessThan(400_000);
    expect(readFileSync(events, 'utf8')).toContain('"type":"output_truncated"');
  });

  it('a promise rejected unhandled after its cell ended fails the run at that cell (not the next one)', async () => {
    const file = out('late-rejection.ipynb');
    const s = await runNotebook({ input: path.join(NB, 'late-rejection.ipynb'), output: file });
    expect(s).toMatchObject({ status: 'failed', exitCode: 1 });
    const nb = load(file);
    const first = nb.cells.find((c: any) => c.id === 'c0');
    expect(s.failedCell).toBe(nb.cells.indexOf(first));
    expect(first.metadata.stagebook.error).toMatchObject({
      code: 'E_NOTEBOOK_UNHANDLED_REJECTION',
      message: expect.stringContaining('late failure from cell 1'),
    });
    expect(first.metadata.stagebook.error.message).toContain('after the cell ended');
    expect(text(first)).toContain('UnhandledPromiseRejection (started by this cell)');
    expect(nb.cells.find((c: any) => c.id === 'c2').metadata.stagebook.status).toBe('skipped');
    const last = await runNotebook({
      input: path.join(NB, 'late-rejection-last.ipynb'),
      output: out('late-rejection-last.ipynb'),
    });
    expect(last).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(String(last.error?.message)).toContain('after the last cell');
  }, 300_000); // two kernel starts

  it('applies the whole-run timeout', async () => {
    const s = await runNotebook({
      input: path.join(NB, 'timeout.ipynb'),
      output: out('runtimeout.ipynb'),
      runTimeoutMs: 8000,
    });
    expect(s).toMatchObject({ status: 'failed', error: { code: 'E_NOTEBOOK_TIMEOUT' } });
    expect(String(s.error?.message)).toMatch(/run timeout of 8000 ms/);
  });

  it('detects a killed kernel (exit 4)', async () => {
    const file = out('killed.ipynb');
    const s = await runNotebook({ input: path.join(NB, 'killed.ipynb'), output: file });
    expect(s).toMatchObject({ status: 'failed', exitCode: 10, error: { code: 'E_KERNEL_DIED' } });
    const nb = load(file);
    const pid = Number(/pid (\d+)/.exec(text(nb.cells[1]))?.[1]);
    expect(pid).toBe(nb.metadata.stagebook.kernel.pid);
    expect(nb.cells[2].metadata.stagebook.status).toBe('dead');
    expect(nb.cells[2].outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'DeadKernelError' });
  });

  it('records rich displays, progress events (JSONL) and the structured stage error', async () => {
    const file = out('display.ipynb');
    const events = out('display.jsonl');
    const s = await runNotebook({ input: path.join(NB, 'display.ipynb'), output: file, eventsFile: events });
    expect(s.exitCode).toBe(1); // the last cell rethrows on purpose
    expect(s.ledgerRunIds).toEqual(['run-42']);
    const nb = load(file);
    const [, , table, plot, progress, shown, thrown] = nb.cells;
    expect(Object.keys(table.outputs[0].data).sort()).toEqual(['text/html', 'text/plain']);
    expect(Object.keys(plot.outputs[0].data).sort()).toEqual([
      'application/vnd.vegalite.v6+json',
      'image/png',
      'image/svg+xml',
      'text/markdown',
      'text/plain',
    ]);
    expect(typeof plot.outputs[0].data['application/vnd.vegalite.v6+json']).toBe('object');
    // one output updated in place: the final state, not one output per update
    expect(progress.outputs).toHaveLength(1);
    expect(progress.outputs[0].data['application/vnd.stagebook.progress.v1+json']).toMatchObject({
      runId: 'run-42',
      state: 'succeeded',
      stages: [
        { name: 'ingest', state: 'succeeded', n: 3, total: 3 },
        { name: 'detect', state: 'cached' },
      ],
    });
    expect(shown.outputs[0].data['application/vnd.stagebook.error.v1+json']).toMatchObject({
      code: 'E_STAGE_FAILED',
      stage: 'detect',
      input: 'frames/003.fits',
    });
    expect(thrown.metadata.stagebook.error).toMatchObject({
      code: 'E_NO_INPUTS',
      structured: { stage: 'ingest', input: 'raw/*.fits' },
    });
    const lines = readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].type).toBe('run_start');
    expect(lines.at(-1)).toMatchObject({ type: 'run_end', status: 'failed', exit_code: 1 });
    const progressLines = lines.filter((l) => l.type === 'progress').map((l) => `${l.stage}:${l.state}`);
    expect(progressLines).toContain('ingest:succeeded');
    expect(progressLines).toContain('detect:cached');
    expect(lines.some((l) => l.type === 'cell_failed' && l.code === 'E_NO_INPUTS')).toBe(true);
  });

  it('runs as `stagebook notebook run` through the bin', () => {
    const r = spawnSync(
      stagebookBin(),
      ['notebook', 'run', path.join(NB, 'failing.ipynb'), '-o', out('standalone.ipynb')],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/notebook run failed at cell 3/);
  });

  it('the kernel dies with a SIGKILLed runner, even inside a CPU-bound cell, and its connection file goes too', async () => {
    const cliJs = path.join(__dirname, '..', 'kernel-lib', 'dist', 'notebook', 'cli.js');
    const events = out('orphan.jsonl');
    const child = spawn(
      process.execPath,
      [cliJs, 'run', path.join(NB, 'busy.ipynb'), '-o', out('orphan.ipynb'), '--events', events],
      { stdio: 'ignore' },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    const lines = (): any[] =>
      existsSync(events)
        ? readFileSync(events, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l))
        : [];
    await waitUntil(() => lines().some((e) => e.type === 'cell_start' && e.cell === 1));
    const pid = lines().find((e) => e.type === 'kernel_ready').pid as number;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const connectionFile = cmdline[cmdline.indexOf('--config-path') + 1];
    expect(statSync(connectionFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(connectionFile)).mode & 0o777).toBe(0o700);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // no grace period to guess: wait for the kernel to be gone (the test times out if it never goes)
    await waitUntil(() => !alive(pid) && !existsSync(path.dirname(connectionFile)));
  });

  it('kills the kernel by pid when the runner itself gets SIGTERM (exit 143)', async () => {
    const events = out('sigterm.jsonl');
    const child = spawn(
      stagebookBin(),
      ['notebook', 'run', path.join(NB, 'timeout.ipynb'), '-o', out('sigterm.ipynb'), '--events', events],
      { stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let pid = 0;
    await waitUntil(() => {
      if (!existsSync(events)) return false;
      const started = readFileSync(events, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      if (started.some((e) => e.type === 'cell_start' && e.cell === 1))
        pid = started.find((e) => e.type === 'kernel_ready').pid;
      return pid !== 0;
    });
    expect(alive(pid)).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    // the output notebook says how the run ended, not `running`
    const record = load(out('sigterm.ipynb'));
    expect(record.metadata.stagebook.status).toBe('interrupted');
    expect(record.cells[1].metadata.stagebook.status).toBe('interrupted');
    // SIGKILL was sent before the runner exited; wait for the OS to tear the process down
    await waitUntil(() => !alive(pid));
  });
});
