/**
 * In-browser measurements for bench/jupyterlab.bench.js, in the same real JupyterLab 4.6.4 as the
 * end-to-end test (extension installed as a prebuilt extension, headless chromium). Everything is
 * timed inside the page with performance.now(), best of REPEATS after a warm-up, on renderers taken
 * from the open notebook's own rendermime registry (so the reference is JupyterLab's renderer
 * exactly as the notebook would use it):
 *   - a Vega-Lite plot: ours (vega-embed 7 / vega 6, v6 MIME) vs JupyterLab's vega5-extension
 *     (vega-embed 6 / vega 5, v5 MIME), same spec, same renderer (SVG, then canvas);
 *   - one progress update: our progress renderer vs JupyterLab's HTML renderer on the HTML twin of the
 *     same bundle (what an output shows without the extension);
 *   - the panel's bookkeeping per iopub progress message (watcher + zod validation + model + coalesced
 *     redraw), against the same HTML-twin render cost.
 * Writes rows to $SB_BENCH_OUT.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { gotoLab, launchChromium, openNotebook, REPO, startJupyterLab } from '../../test/support/jupyterlab';

const REPEATS = 7;
const NB = 'bench.ipynb';

function scatterSpec(n: number): Record<string, unknown> {
  const values = Array.from({ length: n }, (_, i) => ({
    tau: 1e-3 * 1.01 ** i,
    g2: 1 + 0.3 * Math.exp(-(1e-3 * 1.01 ** i) / 0.05) + 0.01 * Math.sin(i),
  }));
  return {
    title: 'g2',
    width: 400,
    height: 250,
    data: { values },
    mark: 'point',
    encoding: {
      x: { field: 'tau', type: 'quantitative', scale: { type: 'log' } },
      y: { field: 'g2', type: 'quantitative', scale: { zero: false } },
    },
  };
}

function heatmapSpec(side: number): Record<string, unknown> {
  const values = [];
  for (let r = 0; r < side; r++)
    for (let c = 0; c < side; c++) values.push({ r, c, v: Math.sin(r / 5) * Math.cos(c / 7) });
  return {
    title: 'pattern',
    width: 300,
    height: 300,
    data: { values },
    mark: 'rect',
    encoding: {
      x: { field: 'c', type: 'ordinal', axis: null },
      y: { field: 'r', type: 'ordinal', axis: null },
      color: { field: 'v', type: 'quantitative' },
    },
  };
}

function progressBundle(n: number, runId = 'bench-run'): { payload: Record<string, unknown>; html: string } {
  const now = new Date(Date.UTC(2026, 10, 21, 12, 0, 0) + n).toISOString();
  const stages = Array.from({ length: 10 }, (_, i) => ({
    name: `stage-${i}`,
    state: i < 5 ? 'succeeded' : i === 5 ? 'running' : 'pending',
    n: i === 5 ? n : i < 5 ? 100 : undefined,
    total: i <= 5 ? 100 : undefined,
    message: i === 5 ? `unit ${n}` : undefined,
    startedAt: i <= 5 ? now : undefined,
  }));
  const payload = { version: 1, runId, pipeline: 'bench', state: 'running', startedAt: now, updatedAt: now, stages };
  // the same shape of HTML twin the library sends (kernel-lib/src/display/progress.ts progressHtml)
  const rows = stages
    .map(
      (s) =>
        `<tr><td>${s.state}</td><td>${s.name}</td><td><div style="background:#eee;width:120px;height:8px"><div style="width:${s.n ?? 0}%;height:8px"></div></div> ${s.n ?? ''}/${s.total ?? ''}</td><td></td><td>${s.message ?? ''}</td></tr>`,
    )
    .join('\n');
  return {
    payload,
    html: `<div class="stagebook-progress"><div>run <code>${runId}</code></div><table><tbody>${rows}</tbody></table></div>`,
  };
}

it('measures renderers and the progress panel in JupyterLab', async () => {
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-lab-'));
  const root = path.join(REPO, 'out', 'bench-jupyterlab');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  writeFileSync(
    path.join(root, NB),
    JSON.stringify({
      cells: [{ cell_type: 'code', id: 'c0', metadata: {}, execution_count: null, outputs: [], source: ['1 + 1'] }],
      metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
      nbformat: 4,
      nbformat_minor: 5,
    }),
  );
  const dataDir = path.join(prefix, 'share', 'jupyter');
  for (const [cmd, args] of [
    [process.execPath, [path.join(REPO, 'jupyter-extension', 'scripts', 'install.js'), '--data-dir', dataDir]],
    [process.execPath, [path.join(REPO, 'test', 'e2e', 'lab-host', 'build.js')]],
  ] as const) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args[0]}: ${r.stderr}`);
  }
  const server = await startJupyterLab({ rootDir: root, labextensionDirs: [path.join(dataDir, 'labextensions')] });
  const browser = await launchChromium();
  try {
    await gotoLab(browser.page, server);
    await openNotebook(browser.page, NB);
    const progress = Array.from({ length: 300 }, (_, i) => progressBundle(i));
    const result = await browser.page.evaluate(measureInPage, {
      nb: NB,
      repeats: REPEATS,
      specs: { scatter: scatterSpec(2000), heatmap: heatmapSpec(64) },
      progress,
    });
    expect(result.vega.length).toBeGreaterThan(0);
    // the three bursts went through the real watcher: the panel lists their runs
    expect(result.progress.panelRuns).toBeGreaterThanOrEqual(3);
    writeFileSync(process.env.SB_BENCH_OUT ?? path.join(root, 'result.json'), JSON.stringify(result));
  } finally {
    await browser.close();
    await server.stop();
    rmSync(prefix, { recursive: true, force: true });
  }
});

type PageArgs = {
  nb: string;
  repeats: number;
  specs: Record<string, Record<string, unknown>>;
  progress: Array<{ payload: Record<string, unknown>; html: string }>;
};

/** Runs in the page: only uses its argument and browser globals. */
async function measureInPage(args: PageArgs): Promise<{ vega: any[]; progress: any }> {
  const app = (globalThis as any).jupyterapp;
  const panel = [...app.shell.widgets('main')].find((w: any) => w.context?.path === args.nb);
  const rm = panel.content.rendermime;
  const doc = (globalThis as any).document;
  const host = doc.createElement('div');
  host.style.cssText = 'position:absolute;left:0;top:0;width:900px;background:white;z-index:1000';
  doc.body.appendChild(host);
  const model = (data: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
    trusted: true,
    data,
    metadata,
    setData: () => undefined,
  });
  const best = (xs: number[]) => Math.min(...xs);

  async function timePlot(mime: string, spec: Record<string, unknown>, renderer: string): Promise<number> {
    const times: number[] = [];
    for (let i = 0; i <= args.repeats; i++) {
      const r = rm.createRenderer(mime);
      host.appendChild(r.node);
      const t0 = performance.now();
      await r.renderModel(model({ [mime]: spec }, { [mime]: { embed_options: { renderer } } }));
      const drawn = r.node.querySelector(renderer === 'svg' ? '.vega-embed svg' : '.vega-embed canvas');
      const t = performance.now() - t0;
      if (!drawn) throw new Error(`${mime}: nothing drawn with ${renderer}`);
      if (i > 0) times.push(t); // i = 0 is the warm-up (loads the lazy vega chunks)
      r.dispose();
      r.node.remove();
    }
    return best(times) / 1000;
  }

  const vega: any[] = [];
  for (const [name, spec] of Object.entries(args.specs)) {
    for (const renderer of ['svg', 'canvas']) {
      const ours = await timePlot(
        'application/vnd.vegalite.v6+json',
        { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...spec },
        renderer,
      );
      const ref = await timePlot(
        'application/vnd.vegalite.v5+json',
        { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec },
        renderer,
      );
      vega.push({ name, renderer, ours, ref });
    }
  }

  // One progress output updated 300 times in place (update_display_data re-renders the same output).
  async function timeUpdates(mime: string, bundles: Array<Record<string, unknown>>): Promise<number> {
    const runs: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const r = rm.createRenderer(mime);
      host.appendChild(r.node);
      const t0 = performance.now();
      for (const data of bundles) await r.renderModel(model(data));
      runs.push((performance.now() - t0) / bundles.length);
      r.dispose();
      r.node.remove();
    }
    return best(runs) / 1000;
  }
  const oursUpdate = await timeUpdates(
    'application/vnd.stagebook.progress.v1+json',
    args.progress.map((p) => ({ 'application/vnd.stagebook.progress.v1+json': p.payload })),
  );
  const htmlUpdate = await timeUpdates(
    'text/html',
    args.progress.map((p) => ({ 'text/html': p.html })),
  );

  // The panel: the same 300 payloads as iopub messages through the notebook's session (watcher path).
  const iopub = panel.sessionContext.iopubMessage;
  const perMessage: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const runId = `bench-panel-${rep}`;
    const t0 = performance.now();
    args.progress.forEach((p, i) =>
      iopub.emit({
        header: { msg_type: i === 0 ? 'display_data' : 'update_display_data', msg_id: `m${rep}-${i}` },
        parent_header: {},
        metadata: {},
        channel: 'iopub',
        content: {
          data: { 'application/vnd.stagebook.progress.v1+json': { ...p.payload, runId } },
          metadata: {},
          transient: { display_id: runId },
        },
      }),
    );
    perMessage.push((performance.now() - t0) / args.progress.length);
  }
  // the coalesced redraw that follows a burst (timed separately: one per refresh interval, not per message)
  await new Promise((r) => setTimeout(r, 600));
  const panelWidget = doc.getElementById('stagebook-progress-panel');
  host.remove();
  return {
    vega,
    progress: {
      oursUpdate,
      htmlUpdate,
      panelPerMessage: best(perMessage) / 1000,
      panelRuns: panelWidget?.querySelectorAll('.sb-run').length ?? -1,
    },
  };
}
