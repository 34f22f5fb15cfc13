/**
 * End-to-end: the prebuilt `stagebook-jupyterlab` extension, installed as a user would (copied to
 * share/jupyter/labextensions/), in a REAL JupyterLab 4.6.4 front end (test/e2e/lab-host, a
 * module-federation host of the core app) served by Debian's jupyter_server with the tslab kernel,
 * driven by headless chromium. Covers: the stage-progress panel (finished and failed runs, click to
 * reveal the cell), the in-notebook progress renderer, Vega-Lite v6 plots and their re-render on a
 * theme switch, and no page errors. Screenshots go to out/jupyterlab-e2e/.
 *
 * Needs /usr/bin/chromium and Debian's python3-jupyter-server + python3-jupyterlab-server: the test
 * FAILS (never skips) with the missing piece named when they are absent.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeCellIndex,
  CHROMIUM,
  collectPageErrors,
  executeCommand,
  gotoLab,
  launchChromium,
  openNotebook,
  PYTHON,
  REPO,
  runAllCells,
  scrollToCell,
  startJupyterLab,
  type Chromium,
  type LabServer,
  type PageErrors,
  type RunAllResult,
} from './support/jupyterlab';

const OUT = path.join(REPO, 'out', 'jupyterlab-e2e');
// Inside the repository so `stagebook` and `tslab` resolve from /work/main/node_modules (platform.md).
const ROOT = path.join(OUT, 'root');
const EXTENSION_NAME = 'stagebook-jupyterlab';
const EXTENSION_BUILD = path.join(REPO, 'jupyter-extension', 'labextension');
const XPCS = 'notebooks/xpcs-correlation.ipynb';
const FAILURE = 'notebooks/stage-failure.ipynb';
const FAILURE_SOURCE = path.join(REPO, 'test', 'e2e', 'notebooks', 'stage-failure.ipynb');
const PANEL = '#stagebook-progress-panel';
const VEGA_DRAWN = '.sb-vega-output .vega-embed svg, .sb-vega-output .vega-embed canvas';
const PROGRESS_MIME = 'application/vnd.stagebook.progress.v1+json';

const timings: Record<string, number> = {};
async function timed<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings[name] = Date.now() - t0;
  }
}

/** Throws one error naming every missing prerequisite (chromium, Debian's Jupyter server pieces). */
function requirePrerequisites(): void {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (apt-get install --no-install-recommends chromium)`);
  const py = spawnSync(PYTHON, ['-c', 'import jupyter_server, jupyterlab_server'], { encoding: 'utf8' });
  if (py.status !== 0) {
    missing.push(
      `jupyter_server/jupyterlab_server for ${PYTHON} (apt-get install --no-install-recommends ` +
        `python3-jupyter-server python3-jupyterlab-server): ${(py.stderr || String(py.error ?? '')).trim().split('\n').pop()}`,
    );
  }
  if (missing.length)
    throw new Error(`JupyterLab end-to-end test: missing prerequisites:\n  - ${missing.join('\n  - ')}`);
}

function run(cmd: string, args: string[], what: string): string {
  const r = spawnSync(cmd, args, { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Installs the prebuilt extension the way the README tells a user to: jupyter-extension/scripts/install.js
 * into <prefix>/share/jupyter (a sys-prefix data directory), i.e. <prefix>/share/jupyter/labextensions/<name>.
 */
function installExtension(prefix: string): string {
  // Committed (users never build it); test/labextension-fresh.test.ts fails when it is stale.
  if (!existsSync(path.join(EXTENSION_BUILD, 'package.json'))) {
    throw new Error(`${EXTENSION_BUILD} is missing: it is committed; rebuild it with \`npm run build:extension\``);
  }
  const dataDir = path.join(prefix, 'share', 'jupyter');
  run(
    process.execPath,
    [path.join(REPO, 'jupyter-extension', 'scripts', 'install.js'), '--data-dir', dataDir],
    'install.js',
  );
  return path.join(dataDir, 'labextensions');
}

/** A fresh server root with copies of the notebooks. */
function prepareRoot(): void {
  rmSync(ROOT, { recursive: true, force: true });
  mkdirSync(path.join(ROOT, 'notebooks'), { recursive: true });
  cpSync(path.join(REPO, XPCS), path.join(ROOT, XPCS));
  cpSync(FAILURE_SOURCE, path.join(ROOT, FAILURE));
}

/** The message the failure notebook's failing stage throws (read from the notebook, not restated here). */
function thrownMessage(): string {
  const source = JSON.parse(readFileSync(FAILURE_SOURCE, 'utf8'))
    .cells.map((c: { source: string | string[] }) => (Array.isArray(c.source) ? c.source.join('') : c.source))
    .join('\n');
  const m = /new StagebookError\(\s*"[A-Z_]+",\s*"([^"]+)"/.exec(source);
  if (!m) throw new Error(`${FAILURE_SOURCE}: no \`throw new StagebookError(code, "message")\` found`);
  return m[1];
}

interface PanelRun {
  runId: string;
  state: string;
  stages: Array<{ stage: string; state: string; error: string }>;
}

/** The run cards of the stage-progress panel (not the in-notebook copies, which reuse the classes). */
async function panelRuns(page: Chromium['page']): Promise<PanelRun[]> {
  return page.$$eval(`${PANEL} .sb-run`, (cards) =>
    cards.map((card: any) => ({
      runId: card.dataset.runId,
      state: card.dataset.state,
      stages: [...card.querySelectorAll('.sb-stage')].map((s: any) => ({
        stage: s.dataset.stage,
        state: s.dataset.state,
        error: s.querySelector('.sb-stage-error')?.textContent ?? '',
      })),
    })),
  );
}

/** Waits until `pred` holds for the panel's runs; fails with what the panel showed. */
async function waitForPanel(
  page: Chromium['page'],
  what: string,
  pred: (runs: PanelRun[]) => boolean,
  timeoutMs = 20_000,
): Promise<PanelRun[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await panelRuns(page);
    if (pred(runs)) return runs;
    if (Date.now() > deadline)
      throw new Error(`stage-progress panel: ${what} not shown within ${timeoutMs} ms; panel: ${JSON.stringify(runs)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Index of the cell whose outputs carry the progress display of run `runId`. */
async function cellIndexOfRun(page: Chromium['page'], nbPath: string, runId: string): Promise<number> {
  return page.evaluate(
    ({ nbPath: p, runId: id, mime }) => {
      const app = (globalThis as any).jupyterapp;
      const panel = [...app.shell.widgets('main')].find((w: any) => w.context?.path === p);
      return panel.content.widgets.findIndex((cell: any) =>
        ((cell.model.toJSON().outputs ?? []) as any[]).some((o) => o.data?.[mime]?.runId === id),
      );
    },
    { nbPath, runId, mime: PROGRESS_MIME },
  );
}

function failedCells(r: RunAllResult): string[] {
  return r.cells.filter((c) => c.error !== null).map((c) => `cell ${c.index}: ${c.error}`);
}

describe('stagebook-jupyterlab in a real JupyterLab 4.6 (headless chromium)', { timeout: 240_000 }, () => {
  let server: LabServer | undefined;
  let browser: Chromium | undefined;
  let errors: PageErrors;
  let prefix: string | undefined;
  // A failed setup fails every test with its message: thrown from beforeAll it would leave the
  // tests "skipped", and a skipped end-to-end test looks like a pass in CI's counts.
  let setupError: unknown;
  const pageOrSetupError = (): Chromium['page'] => {
    if (setupError) throw setupError;
    return browser!.page;
  };

  beforeAll(async () => {
    try {
      await setUp();
    } catch (e) {
      setupError = e;
    }
  }, 900_000); // a first run installs the host's ~700 MB (test/e2e/lab-host/install.js)

  async function setUp(): Promise<void> {
    const t0 = Date.now();
    requirePrerequisites();
    prefix = mkdtempSync(path.join(os.tmpdir(), 'sb-lab-prefix-'));
    const labextensions = await timed('installExtension', () => installExtension(prefix!));
    // The host is not a workspace (a user's npm ci never gets it): install it on demand, cached by lockfile hash.
    await timed('hostInstall', () =>
      run(process.execPath, [path.join(REPO, 'test', 'e2e', 'lab-host', 'install.js')], 'lab-host install'),
    );
    await timed('hostBuild', () =>
      run(process.execPath, [path.join(REPO, 'test', 'e2e', 'lab-host', 'build.js')], 'lab-host build'),
    );
    prepareRoot();
    mkdirSync(OUT, { recursive: true });
    server = await timed('serverStart', () => startJupyterLab({ rootDir: ROOT, labextensionDirs: [labextensions] }));
    browser = await timed('browserLaunch', () => launchChromium());
    errors = collectPageErrors(browser.page);
    await timed('pageRestored', () => gotoLab(browser!.page, server!));
    timings.setupTotal = Date.now() - t0;
  }

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    // The server's log (warnings and errors only) helps when a step above failed.
    if (server) writeFileSync(path.join(OUT, 'server.log'), server.log());
    if (prefix) rmSync(prefix, { recursive: true, force: true });
    writeFileSync(path.join(OUT, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
    console.log(`jupyterlab-e2e timings (ms): ${JSON.stringify(timings)}`);
  }, 60_000);

  it('xpcs notebook: the panel shows the finished run, plots are drawn and follow the dark theme', async () => {
    const page = pageOrSetupError();
    const errorsBefore = errors.errors.length;
    await timed('xpcsKernelIdle', () => openNotebook(page, XPCS));
    await executeCommand(page, 'stagebook:open-progress-panel');
    await page.waitForSelector(PANEL, { state: 'visible', timeout: 10_000 });

    const result = await timed('xpcsRunAll', () => runAllCells(page, { path: XPCS, timeoutMs: 150_000 }));
    expect(failedCells(result), 'cells of the xpcs notebook that failed').toEqual([]);
    expect(result.commandResult).toBe(true);

    const runs = await waitForPanel(page, 'a finished run (every stage succeeded or cached)', (rs) =>
      rs.some(
        (r) =>
          r.state === 'succeeded' &&
          r.stages.length > 0 &&
          r.stages.every((s) => s.state === 'succeeded' || s.state === 'cached'),
      ),
    );
    expect(runs.length).toBeGreaterThan(0);
    // The in-notebook progress display (our MIME renderer) and the Vega-Lite v6 plots (our renderer).
    expect(await page.locator('.sb-progress-output').count()).toBeGreaterThan(0);
    await page.waitForFunction((sel) => (globalThis as any).document.querySelectorAll(sel).length >= 3, VEGA_DRAWN, {
      timeout: 30_000,
    });
    const drawn = await page.locator(VEGA_DRAWN).count();
    expect(drawn).toBeGreaterThanOrEqual(3);
    // Run-all leaves the view at the last cell: bring the first plot into view for the screenshot.
    const firstPlotCell = await page.evaluate((p) => {
      const app = (globalThis as any).jupyterapp;
      const panel = [...app.shell.widgets('main')].find((w: any) => w.context?.path === p);
      return panel.content.widgets.findIndex((c: any) => c.node.querySelector('.sb-vega-output'));
    }, XPCS);
    await scrollToCell(page, XPCS, firstPlotCell);
    await page.screenshot({ path: path.join(OUT, 'xpcs-panel.png'), fullPage: true });

    // Mark the light-theme charts: a re-render replaces them, so after the switch none may keep the mark.
    await page.$$eval(VEGA_DRAWN, (els) => els.forEach((e) => e.setAttribute('data-sb-e2e-light', '')));
    await timed('themeSwitch', async () => {
      await executeCommand(page, 'apputils:change-theme', { theme: 'JupyterLab Dark' });
      await page.waitForFunction(
        () => {
          const body = (globalThis as any).document.body;
          return body.dataset.jpThemeName === 'JupyterLab Dark' && body.dataset.jpThemeLight === 'false';
        },
        undefined,
        { timeout: 20_000 },
      );
      await page.waitForFunction(
        ({ sel, n }) => {
          const els: any[] = [...(globalThis as any).document.querySelectorAll(sel)];
          return els.length >= n && els.every((e) => !e.hasAttribute('data-sb-e2e-light'));
        },
        { sel: VEGA_DRAWN, n: drawn },
        { timeout: 20_000 },
      );
    });
    expect(await page.locator(VEGA_DRAWN).count()).toBeGreaterThanOrEqual(3);
    await scrollToCell(page, XPCS, firstPlotCell);
    await page.screenshot({ path: path.join(OUT, 'xpcs-dark.png'), fullPage: true });

    expect(errors.errors.slice(errorsBefore), 'page errors').toEqual([]);
  });

  it('failing stage: the panel shows the error, earlier stages succeeded, and a click reveals the cell', async () => {
    const page = pageOrSetupError();
    const errorsBefore = errors.errors.length;
    const message = thrownMessage();
    // Back to the light theme (test A switched to dark): this screenshot is the README's.
    await executeCommand(page, 'apputils:change-theme', { theme: 'JupyterLab Light' });
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.jpThemeLight === 'true', undefined, {
      timeout: 20_000,
    });
    await timed('failureKernelIdle', () => openNotebook(page, FAILURE));
    await executeCommand(page, 'stagebook:open-progress-panel');
    await page.waitForSelector(PANEL, { state: 'visible', timeout: 10_000 });

    const result = await timed('failureRunAll', () => runAllCells(page, { path: FAILURE, timeoutMs: 90_000 }));
    // The failure is inside the pipeline; the cells themselves succeed (runPipeline does not throw).
    expect(failedCells(result), 'cells of the failure notebook that failed').toEqual([]);

    // Earlier stages were done, so the engine's outcome is `partial` (issue 22), which the card shows as such (issue 21).
    const runs = await waitForPanel(page, 'a partial run with the error of its failed stage', (rs) =>
      rs.some((r) => r.state === 'partial' && r.stages.some((s) => s.state === 'failed' && s.error.includes(message))),
    );
    const failedRun = runs.find(
      (r) => r.state === 'partial' && r.stages.some((s) => s.state === 'failed' && s.error.includes(message)),
    )!;
    const failedAt = failedRun.stages.findIndex((s) => s.state === 'failed');
    expect(failedAt, 'the failing stage is not the first one').toBeGreaterThan(0);
    expect(failedRun.stages.slice(0, failedAt).map((s) => s.state)).toEqual(
      failedRun.stages.slice(0, failedAt).map(() => 'succeeded'),
    );

    // Click the failed stage with another cell active: the cell that ran the pipeline becomes active.
    const runCell = await cellIndexOfRun(page, FAILURE, failedRun.runId);
    expect(runCell, `no cell carries the progress display of run ${failedRun.runId}`).toBeGreaterThanOrEqual(0);
    await activeCellIndex(page, FAILURE, runCell === 0 ? 1 : 0);
    const row = page
      .locator(`${PANEL} .sb-run[data-run-id="${failedRun.runId}"] .sb-stage[data-state="failed"]`)
      .first();
    await row.click();
    await page
      .waitForFunction(
        ({ p, i }) => {
          const app = (globalThis as any).jupyterapp;
          const panel = [...app.shell.widgets('main')].find((w: any) => w.context?.path === p);
          return panel?.content.activeCellIndex === i;
        },
        { p: FAILURE, i: runCell },
        { timeout: 10_000 },
      )
      .catch(() => undefined);
    expect(await activeCellIndex(page, FAILURE)).toBe(runCell);
    // ... and is scrolled into the notebook's view.
    const visible = await page.evaluate(
      ({ p, i }) => {
        const app = (globalThis as any).jupyterapp;
        const panel = [...app.shell.widgets('main')].find((w: any) => w.context?.path === p);
        const cell = panel.content.widgets[i].node.getBoundingClientRect();
        const view = panel.content.node.getBoundingClientRect();
        return cell.bottom > view.top && cell.top < view.bottom;
      },
      { p: FAILURE, i: runCell },
    );
    expect(visible, 'the revealed cell is inside the notebook view').toBe(true);
    await page.screenshot({ path: path.join(OUT, 'failure-panel.png'), fullPage: true });

    // Switching notebooks keeps each notebook's runs: back to the xpcs notebook and again.
    await activateNotebook(page, XPCS);
    await waitForPanel(
      page,
      'the xpcs run again after switching notebooks',
      (rs) => rs.length > 0 && rs.every((r) => r.state === 'succeeded'),
    );
    await activateNotebook(page, FAILURE);
    await waitForPanel(page, 'the failed run again after switching back', (rs) =>
      rs.some((r) => r.runId === failedRun.runId && r.state === 'partial'),
    );

    // A kernel restart clears that notebook's runs (they belonged to the old kernel process).
    await timed('failureRestart', () =>
      page.evaluate(async (p) => {
        const app = (globalThis as any).jupyterapp;
        const panel = [...app.shell.widgets('main')].find((w: any) => w.context?.path === p);
        await panel.sessionContext.restartKernel();
      }, FAILURE),
    );
    await waitForPanel(page, 'no runs after the kernel restart', (rs) => rs.length === 0);
    expect(await page.locator(`${PANEL} .sb-panel-note`).textContent()).toMatch(/kernel restarted 1×/);

    expect(errors.errors.slice(errorsBefore), 'page errors').toEqual([]);
  });
});

/** Makes the notebook at `nbPath` the current widget (what clicking its tab does). */
async function activateNotebook(page: Chromium['page'], nbPath: string): Promise<void> {
  await page.evaluate((p) => {
    const app = (globalThis as any).jupyterapp;
    const panel = [...app.shell.widgets('main')].find((w: any) => w.context?.path === p);
    app.shell.activateById(panel.id);
  }, nbPath);
}
