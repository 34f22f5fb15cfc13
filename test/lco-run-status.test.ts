// A run's failures reach the user (issue 22 item 4): a run whose units failed ends `partial` or
// `failed` (never `succeeded`) in the ledger, the result, the CLI JSON and the exit code; the
// terminal shows each failure's reason (a 401 names the archive and the variable, never the token);
// a no-op rerun keeps summary.json meaningful, new frames counted apart from those already present.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusFromUnits } from '../kernel-lib/src/engine/runner';
import { startLocalArchive, type LocalArchive } from '../kernel-lib/src/local-archive';
import { lcoPipeline, runLcoDataManagement, type LcoSummary } from '../kernel-lib/src/pipelines/lco';
import { parseProgressPayload, PROGRESS_MIME, showPipelineProgress } from '../kernel-lib/src/display';
import { makeLcoWorkspace } from './support/lco-workspace';

const TOKEN = 'tok-status-a1b2c3d4e5f60718';
const ENV = 'SB_LCO_STATUS_TEST_TOKEN';
const CLI = path.resolve(__dirname, '../kernel-lib/dist/cli/main.js');
let archive: LocalArchive;

beforeAll(async () => {
  process.env[ENV] = TOKEN;
  archive = await startLocalArchive({ token: TOKEN, synthetic: { nights: 2, framesPerNight: 3 } });
});
afterAll(async () => {
  delete process.env[ENV];
  await archive.close();
});

function ledgerRunStatus(ws: string, runId: string): string {
  const db = new Database(path.join(ws, 'logs', '.stagebook', 'ledger.db'), { readonly: true });
  try {
    return (db.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string }).status;
  } finally {
    db.close();
  }
}

/** Runs `stagebook archive lco-sync` in a child process (env: the given token variable only if set). */
function lcoSync(
  cfg: string,
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env };
    delete childEnv[ENV];
    for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
    const child = spawn(process.execPath, [CLI, 'archive', 'lco-sync', cfg], { env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('run status from unit results', () => {
  it('succeeded only without failed or blocked units; partial when something else was done', () => {
    expect(statusFromUnits({ succeeded: 3, cached: 2 })).toBe('succeeded');
    expect(statusFromUnits({ succeeded: 3, failed: 1 })).toBe('partial');
    expect(statusFromUnits({ cached: 1, blocked: 1 })).toBe('partial');
    expect(statusFromUnits({ failed: 1, blocked: 2 })).toBe('failed');
    expect(statusFromUnits({ frozen: 4, failed: 1 })).toBe('failed');
  });
});

describe('LCO: failures reach the user', () => {
  it('failed downloads make the run partial in the result and the ledger; each frame has its reason', async () => {
    const victims = archive.frames
      .filter((f) => f.record.configuration_type === 'EXPOSE')
      .slice(0, 2)
      .map((f) => f.record);
    archive.setFaults([
      { kind: '500', status: 503, times: 1000, path: `^/download/(${victims.map((v) => v.id).join('|')})/` },
    ]);
    const { ws, cfg } = makeLcoWorkspace({
      url: archive.url,
      tokenEnv: ENV,
      retry: '{maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2}',
    });
    const r = await runLcoDataManagement(cfg);
    archive.setFaults([]);
    expect(r.status).toBe('partial');
    expect(r.run.status).toBe('partial');
    expect(ledgerRunStatus(ws, r.run.runId)).toBe('partial');
    expect(r.run.failures.map((f) => [f.stage, f.code])).toEqual([['deliveries', 'E_LCO_UNDELIVERED']]);
    expect(r.run.failures[0].message).toMatch(/: 2 of \d+ frames not delivered/);
    const frames = r.problems.filter((p) => p.kind === 'frame');
    expect(frames.map((p) => p.basename).sort()).toEqual(victims.map((v) => v.basename).sort());
    for (const p of frames) {
      expect(p.code).toBe('E_DOWNLOAD_HTTP');
      expect(p.message).toMatch(/HTTP 503 \(after|HTTP 503/);
    }
    expect(r.thisRun).toMatchObject({ failed: 2, refused: 0, alreadyPresent: 0 });
    expect(r.thisRun.new).toBeGreaterThan(0);

    // The rerun fetches the two again and succeeds; the frames sorted before are "already present".
    const again = await runLcoDataManagement(cfg);
    expect(again.status).toBe('succeeded');
    expect(again.thisRun).toEqual({ new: 2, alreadyPresent: r.thisRun.new, failed: 0, refused: 0 });
    expect(again.problems).toEqual([]);

    // A no-op rerun: summary.json still lists every frame, none of them new.
    const noop = await runLcoDataManagement(cfg);
    expect(noop.status).toBe('succeeded');
    expect(noop.thisRun).toEqual({ new: 0, alreadyPresent: r.thisRun.new + 2, failed: 0, refused: 0 });
    const summary = JSON.parse(readFileSync(path.join(ws, 'logs', 'summary.json'), 'utf8')) as LcoSummary;
    expect(summary.runId).toBe(noop.run.runId);
    expect(summary.newFrames).toBe(0);
    expect(summary.presentFrames).toBe(r.thisRun.new + 2);
    expect(summary.rows.length).toBeGreaterThan(0);
    expect(summary.rows.every((row) => row.new === 0 && row.present === row.frames)).toBe(true);
  });

  it('a listing warning (count mismatch) is a problem of the run, not a failure', async () => {
    archive.setFaults([{ kind: 'wrong-count', countDelta: 7 }]);
    const { cfg } = makeLcoWorkspace({ url: archive.url, tokenEnv: ENV, proposals: ['KEY2025-004'] });
    const r = await runLcoDataManagement(cfg);
    archive.setFaults([]);
    expect(r.status).toBe('succeeded');
    expect(r.problems.length).toBeGreaterThan(0);
    for (const p of r.problems) {
      expect(p).toMatchObject({ kind: 'warning', code: 'W_ARCHIVE_LISTING' });
      expect(p.message).toMatch(
        /^archive LCO proposal KEY2025-004: the archive's count says \d+ records, the pages held \d+ distinct ones \(RLEVEL 91\)$/,
      );
    }
  });
});

/** A fake tslab `jupyter.js` in require.cache, so displays are captured as the kernel would send them. */
function fakeKernel(): { calls: Array<{ bundle: { data: Record<string, unknown> } }>; remove: () => void } {
  const calls: Array<{ bundle: { data: Record<string, unknown> } }> = [];
  const id = path.join(os.tmpdir(), 'fake-kernel', 'node_modules', 'tslab', 'dist', 'jupyter.js');
  (require.cache as Record<string, unknown>)[id] = {
    id,
    exports: { lastWriteDisplayData: (bundle: { data: Record<string, unknown> }) => calls.push({ bundle }) },
  };
  return {
    calls,
    remove: () => {
      delete require.cache[id];
    },
  };
}

describe('LCO: the notebook progress display', () => {
  it('ends with the run status (partial), not the stage roll-up (failed)', async () => {
    const victim = archive.frames.find((f) => f.record.configuration_type === 'EXPOSE')?.record as { id: number };
    archive.setFaults([{ kind: '500', status: 503, times: 1000, path: `^/download/${victim.id}/` }]);
    const { cfg } = makeLcoWorkspace({
      url: archive.url,
      tokenEnv: ENV,
      proposals: ['KEY2025-004'],
      retry: '{maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2}',
    });
    const k = fakeKernel();
    const stop = showPipelineProgress({ pipeline: lcoPipeline });
    try {
      const r = await runLcoDataManagement(cfg);
      expect(r.status).toBe('partial');
    } finally {
      stop();
      k.remove();
      archive.setFaults([]);
    }
    const last = k.calls.at(-1)?.bundle.data as Record<string, unknown>;
    const parsed = parseProgressPayload(last[PROGRESS_MIME]);
    if (!parsed.ok) throw new Error(`invalid progress payload: ${JSON.stringify(parsed.issues)}`);
    const payload = parsed.payload;
    expect(payload.outcome).toBe('partial');
    expect(payload.stages.find((st) => st.name === 'deliveries')?.state).toBe('failed');
    expect(String(last['text/plain'])).toMatch(/^run \S+ \(lco-data-management\): partial\n/);
    expect(String(last['text/html'])).toContain('>partial</b>');
  });
});

describe('stagebook archive lco-sync (child process)', () => {
  it('a refused token: exit 1, status failed, the reason names the archive and the variable, never the token', async () => {
    const { cfg } = makeLcoWorkspace({ url: archive.url, tokenEnv: ENV });
    const wrong = 'wrong-token-0f1e2d3c4b5a69788796';
    const r = await lcoSync(cfg, { [ENV]: wrong });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      status: string;
      problems: Array<{ kind: string; code: string; message: string }>;
    };
    expect(out.status).toBe('failed');
    expect(out.problems).toHaveLength(1);
    expect(out.problems[0]).toMatchObject({ kind: 'unit', code: 'E_ARCHIVE_AUTH' });
    const reason = `archive LCO (${archive.url.replace(/\/$/, '')}/) refused the token in $${ENV}: HTTP 401`;
    expect(out.problems[0].message).toContain(reason);
    expect(r.stderr).toContain(`x query requests/`);
    expect(r.stderr).toContain(reason);
    expect(r.stderr).toMatch(/lco-sync failed: 0 new frame\(s\)/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });

  it('a missing token variable: the reason names the variable and the config file', async () => {
    const { cfg } = makeLcoWorkspace({ url: archive.url, tokenEnv: ENV });
    const r = await lcoSync(cfg, {});
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { status: string; problems: Array<{ code: string; message: string }> };
    expect(out.status).toBe('failed');
    expect(out.problems[0].code).toBe('E_SECRET_MISSING');
    // the engine names the stage and unit first (`stage query on ...: `), then the reason
    expect(
      out.problems[0].message.endsWith(
        `archive LCO: the environment variable ${ENV} (token_envvar in ${cfg}) is not set; export it with the archive token`,
      ),
    ).toBe(true);
    expect(r.stderr).toContain(`the environment variable ${ENV} (token_envvar in ${cfg}) is not set`);
  });

  it("a looping 'next': exit 1 with E_ARCHIVE_PAGINATION naming archive, proposal and page", async () => {
    archive.setFaults([{ kind: 'next-loop', loop: 'first', fromPage: 0 }]);
    const { cfg } = makeLcoWorkspace({ url: archive.url, tokenEnv: ENV });
    const r = await lcoSync(cfg, { [ENV]: TOKEN });
    archive.setFaults([]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { status: string; problems: Array<{ code: string; message: string }> };
    expect(out.status).toBe('failed');
    expect(out.problems.map((p) => p.code)).toEqual(['E_ARCHIVE_PAGINATION']);
    expect(out.problems[0].message).toMatch(/archive LCO proposal KEY2025-004, page 1: 'next' points back to page 1/);
    expect(r.stderr).toContain("'next' points back to page 1");
  });

  it('failed downloads: exit 1, JSON status partial, each frame and its reason on the terminal', async () => {
    const victim = archive.frames.find((f) => f.record.configuration_type === 'EXPOSE')?.record as {
      id: number;
      basename: string;
    };
    archive.setFaults([{ kind: '500', status: 503, times: 1000, path: `^/download/${victim.id}/` }]);
    const { cfg } = makeLcoWorkspace({
      url: archive.url,
      tokenEnv: ENV,
      retry: '{maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2}',
    });
    const r = await lcoSync(cfg, { [ENV]: TOKEN });
    archive.setFaults([]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      status: string;
      thisRun: { failed: number };
      problems: Array<{ kind: string; basename?: string; code: string }>;
    };
    expect(out.status).toBe('partial');
    expect(out.thisRun.failed).toBe(1);
    expect(out.problems).toEqual([
      expect.objectContaining({ kind: 'frame', basename: victim.basename, code: 'E_DOWNLOAD_HTTP' }),
    ]);
    expect(r.stderr).toContain(`x deliveries reports/`);
    expect(r.stderr).toContain(`${victim.basename}: failed: E_DOWNLOAD_HTTP:`);
    expect(r.stderr).toMatch(/lco-sync partial: \d+ new frame\(s\), 0 already present, 1 failed, 0 refused/);
  });
});
