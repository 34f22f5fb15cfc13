/**
 * Page helpers of the end-to-end test (re-exported by ./jupyterlab.ts): drive a real JupyterLab
 * 4.6 through `window.jupyterapp` (page config `exposeAppInBrowser`, see
 * test/e2e/lab-server/stagebook_lab_server.py). They wait on application state (app.restored,
 * kernel status and websocket, execute replies), never on fixed sleeps.
 * The callbacks run in the browser: they only use what they receive as arguments.
 */
import type { ConsoleMessage, Page } from 'playwright-core';
import type { LabServer } from './jupyterlab';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Page errors seen so far; `ignored` keeps what the filter dropped, for diagnostics. */
export interface PageErrors {
  errors: string[];
  ignored: string[];
}

/**
 * Console errors that are not failures of the application or of our extension, each with its
 * reason. Empty on purpose: with this host and server a JupyterLab 4.6 + tslab session logs no
 * console error at all (measured), so anything logged fails the test.
 */
const IGNORED_CONSOLE_ERRORS: Array<{ pattern: RegExp; why: string }> = [];

/** Collects `pageerror` (uncaught exceptions) and `console.error` from now on. */
export function collectPageErrors(page: Page): PageErrors {
  const out: PageErrors = { errors: [], ignored: [] };
  page.on('pageerror', (err) => out.errors.push(`pageerror: ${err.stack ?? err.message}`));
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() !== 'error') return;
    const loc = msg.location();
    const text = `console.error: ${msg.text()}${loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`;
    if (IGNORED_CONSOLE_ERRORS.some((i) => i.pattern.test(text))) out.ignored.push(text);
    else out.errors.push(text);
  });
  return out;
}

/** Runs `fn` in the page with a timeout that names `what` (page.evaluate itself never times out). */
async function evaluateWithin<T, A>(
  page: Page,
  what: string,
  timeoutMs: number,
  fn: (arg: A) => Promise<T>,
  arg: A,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([page.evaluate(fn as any, arg) as Promise<T>, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Loads the application and waits until JupyterLab has started and restored its layout. */
export async function gotoLab(page: Page, server: LabServer, timeoutMs = 60_000): Promise<void> {
  await page.goto(server.labUrl, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await page.waitForFunction(() => (globalThis as any).jupyterapp !== undefined, undefined, {
    timeout: timeoutMs,
    polling: 100,
  });
  await evaluateWithin(
    page,
    'JupyterLab restore',
    timeoutMs,
    async () => {
      const app = (globalThis as any).jupyterapp;
      await app.started;
      await app.restored;
    },
    undefined,
  );
}

/** What `openNotebook` saw. */
export interface OpenedNotebook {
  path: string;
  /** The panel's widget id in the shell (used to activate it again). */
  id: string;
  kernelName: string;
  /** Milliseconds from the call to the kernel being idle and connected. */
  kernelReadyMs: number;
}

/**
 * Opens a notebook (path relative to the server root) in the page's JupyterLab, makes it the
 * current widget and waits until its kernel is `idle` and its connection `connected`. The page
 * must be on the lab URL (`gotoLab`); this also waits for `window.jupyterapp` and `app.restored`.
 */
export async function openNotebook(page: Page, notebookPath: string, timeoutMs = 60_000): Promise<OpenedNotebook> {
  const t0 = Date.now();
  await page.waitForFunction(() => (globalThis as any).jupyterapp !== undefined, undefined, {
    timeout: timeoutMs,
    polling: 100,
  });
  const opened = await evaluateWithin(
    page,
    `openNotebook(${notebookPath})`,
    timeoutMs,
    async (nbPath: string) => {
      const app = (globalThis as any).jupyterapp;
      await app.restored;
      const panel = await app.commands.execute('docmanager:open', { path: nbPath, factory: 'Notebook' });
      app.shell.activateById(panel.id);
      await panel.context.ready;
      await panel.sessionContext.ready;
      return { id: panel.id as string };
    },
    notebookPath,
  );
  const kernelState = (id: string) => {
    const app = (globalThis as any).jupyterapp;
    const kernel = [...app.shell.widgets('main')].find((w: any) => w.id === id)?.sessionContext.session?.kernel;
    return { name: kernel?.name ?? null, status: kernel?.status ?? null, connection: kernel?.connectionStatus ?? null };
  };
  // Kernel status and websocket state change through signals; polling them is simplest.
  for (let state = await page.evaluate(kernelState, opened.id); ; state = await page.evaluate(kernelState, opened.id)) {
    if (state.status === 'idle' && state.connection === 'connected') {
      return { path: notebookPath, id: opened.id, kernelName: state.name, kernelReadyMs: Date.now() - t0 };
    }
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`openNotebook(${notebookPath}): kernel not idle and connected in time: ${JSON.stringify(state)}`);
    }
    await delay(50);
  }
}

/** One code cell after a run. */
export interface CellResult {
  index: number;
  executionCount: number | null;
  /** Why the cell failed: an `error` output, or a non-ok execute_reply with the cell's stderr (tslab's only failure report, platform.md). */
  error: string | null;
}

export interface RunAllResult {
  /** What `notebook:run-all-cells` resolved with (false when a cell failed). */
  commandResult: unknown;
  cells: CellResult[];
  ms: number;
}

/**
 * Runs every cell of the notebook at `path` (or of the current notebook) with
 * `notebook:run-all-cells`, then waits until the kernel is idle again and every code cell has an
 * execution count or an error. Rejects on timeout with the state of every cell. A cell that wrote
 * to stderr but replied `ok` (a warning) is not an error.
 */
export async function runAllCells(
  page: Page,
  options: { path?: string; timeoutMs?: number } = {},
): Promise<RunAllResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = await evaluateWithin(
    page,
    'notebook:run-all-cells',
    10_000,
    async (nbPath: string | null) => {
      const app = (globalThis as any).jupyterapp;
      const panel = nbPath
        ? [...app.shell.widgets('main')].find((w: any) => w.context?.path === nbPath)
        : app.shell.currentWidget;
      if (!panel?.content?.widgets)
        throw new Error(`runAllCells: no notebook ${nbPath ?? '(current)'} in the main area`);
      // The command acts on the tracker's current notebook: make this one current first.
      app.shell.activateById(panel.id);
      const g = globalThis as any;
      const run = {
        panelId: panel.id,
        t0: performance.now(),
        result: undefined,
        done: false,
        cellOfRequest: {} as Record<string, string>,
        replyOfCell: {} as Record<string, string>,
      };
      g.__sbRunAll = run;
      // The reply status per cell: JupyterLab sends the cell id in the execute_request metadata, and
      // a tslab failure is only `execute_reply {status: "error"}` plus stderr text (platform.md), so
      // stderr alone (a warning) does not mean failure.
      const kernel = panel.sessionContext.session.kernel;
      const onMessage = (_: unknown, { msg, direction }: any) => {
        if (direction === 'send' && msg.header.msg_type === 'execute_request' && msg.metadata?.cellId) {
          run.cellOfRequest[msg.header.msg_id] = msg.metadata.cellId;
        } else if (direction === 'recv' && msg.header.msg_type === 'execute_reply') {
          const cellId = run.cellOfRequest[msg.parent_header.msg_id];
          if (cellId) run.replyOfCell[cellId] = msg.content.status;
        }
      };
      kernel.anyMessage.connect(onMessage);
      g.__sbRunAllStop = () => kernel.anyMessage.disconnect(onMessage);
      app.commands.execute('notebook:run-all-cells').then(
        (r: unknown) => {
          g.__sbRunAll.result = r;
          g.__sbRunAll.done = true;
        },
        (e: Error) => {
          g.__sbRunAll.result = `rejected: ${e?.message ?? e}`;
          g.__sbRunAll.done = true;
        },
      );
      return panel.id as string;
    },
    options.path ?? null,
  );

  const snapshot = () =>
    page.evaluate((panelId: string) => {
      const app = (globalThis as any).jupyterapp;
      const panel = [...app.shell.widgets('main')].find((w: any) => w.id === panelId);
      const cells = [];
      for (let index = 0; index < panel.content.widgets.length; index++) {
        const model = panel.content.widgets[index].model;
        if (model.type !== 'code') continue;
        const run = (globalThis as any).__sbRunAll;
        const status: string | undefined = run.replyOfCell[model.id];
        const errors: string[] = [];
        const stderr: string[] = [];
        for (let i = 0; i < model.outputs.length; i++) {
          const o = model.outputs.get(i).toJSON();
          if (o.output_type === 'error') errors.push(`${o.ename}: ${o.evalue}`);
          if (o.output_type === 'stream' && o.name === 'stderr') stderr.push(String(o.text));
        }
        if (status !== undefined && status !== 'ok')
          errors.push(`execute_reply ${status}${stderr.length ? `: ${stderr.join('')}` : ''}`);
        cells.push({
          index,
          executionCount: model.executionCount ?? null,
          running: model.executionState === 'running',
          replied: status !== undefined,
          error: errors.length ? errors.join('\n') : null,
        });
      }
      const run = (globalThis as any).__sbRunAll;
      return {
        kernelStatus: panel.sessionContext.session?.kernel?.status,
        cells,
        done: run.done,
        result: run.result,
        ms: Math.round(performance.now() - run.t0),
      };
    }, started);

  // Finished when the command has resolved, the kernel is idle and every code cell got its reply
  // (an execution count, or an error). After a failed cell JupyterLab resolves the command with
  // false and clears the '*' of the cells it considers not run (NotebookActions runCells,
  // KernelReplyNotOK); a cell the kernel really skipped then never gets a reply, so a failed run
  // also ends after a second of quiet.
  const deadline = Date.now() + timeoutMs;
  let last = await snapshot();
  let quietSince = Date.now();
  for (;;) {
    const idle = last.done && last.kernelStatus === 'idle' && last.cells.every((c) => !c.running);
    if (idle && last.cells.every((c) => c.replied && (c.executionCount !== null || c.error !== null))) break;
    if (idle && last.result === false && Date.now() - quietSince > 1000) break;
    if (Date.now() > deadline) {
      throw new Error(`runAllCells: not finished after ${timeoutMs} ms: ${JSON.stringify(last, null, 1)}`);
    }
    await delay(100);
    const next = await snapshot();
    if (!idle || JSON.stringify(next.cells) !== JSON.stringify(last.cells)) quietSince = Date.now();
    last = next;
  }
  await page.evaluate(() => (globalThis as any).__sbRunAllStop());
  for (const c of last.cells) {
    if (c.executionCount === null && c.error === null) c.error = 'not executed (run-all stopped after a failed cell)';
  }
  return {
    commandResult: last.result,
    cells: last.cells.map(({ index, executionCount, error }) => ({ index, executionCount, error })),
    ms: last.ms,
  };
}

/** Runs a JupyterLab command in the page and returns its (JSON-serialisable) result. */
export async function executeCommand(
  page: Page,
  id: string,
  args: Record<string, unknown> = {},
  timeoutMs = 30_000,
): Promise<unknown> {
  return evaluateWithin(
    page,
    `command ${id}`,
    timeoutMs,
    async ({ id: cmd, args: a }: { id: string; args: Record<string, unknown> }) => {
      const result = await (globalThis as any).jupyterapp.commands.execute(cmd, a);
      // Widgets and other live objects do not cross into Node: keep only plain data.
      try {
        return JSON.parse(JSON.stringify(result ?? null));
      } catch {
        return String(result);
      }
    },
    { id, args },
  );
}

/** The active cell index of the open notebook at `notebookPath`; `set` makes `index` active first. */
export async function activeCellIndex(page: Page, notebookPath: string, set?: number): Promise<number> {
  return page.evaluate(
    ({ nbPath, index }: { nbPath: string; index: number | null }) => {
      const app = (globalThis as any).jupyterapp;
      const panel = [...app.shell.widgets('main')].find((w: any) => w.context?.path === nbPath);
      if (!panel) throw new Error(`activeCellIndex: ${nbPath} is not open`);
      if (index !== null) panel.content.activeCellIndex = index;
      return panel.content.activeCellIndex as number;
    },
    { nbPath: notebookPath, index: set ?? null },
  );
}

/**
 * Scrolls the notebook so cell `index` is at the top and waits two animation frames so a
 * screenshot shows painted cells (JupyterLab 4 windows its cells: a plain DOM scroll straight to a
 * far cell showed an empty notebook).
 */
export async function scrollToCell(page: Page, notebookPath: string, index: number): Promise<void> {
  await page.evaluate(
    async ({ nbPath, i }: { nbPath: string; i: number }) => {
      const app = (globalThis as any).jupyterapp;
      const panel = [...app.shell.widgets('main')].find((w: any) => w.context?.path === nbPath);
      if (!panel) throw new Error(`scrollToCell: ${nbPath} is not open`);
      const raf = (globalThis as any).requestAnimationFrame;
      const frames = () => new Promise((r) => raf(() => raf(r)));
      // scrollToItem positions by estimated heights of cells not measured yet, and cells above
      // change height as they get painted: scroll the target's node until its position holds.
      await panel.content.scrollToItem(i, 'start');
      const node = panel.content.widgets[i].node;
      let lastTop = NaN;
      for (let n = 0; n < 30; n++) {
        await frames();
        node.scrollIntoView({ block: 'start' });
        await frames();
        const top = node.getBoundingClientRect().top;
        if (top === lastTop) break;
        lastTop = top;
      }
    },
    { nbPath: notebookPath, i: index },
  );
}
