import { describe, expect, it, vi } from 'vitest';
import { CommandRegistry } from '@lumino/commands';
import { Signal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';
import { CommandIds, PANEL_ID, RECORD_PANEL_ID } from './constants';
import plugin from './index';
import type { StageProgressPanel } from './progress/panel';
import { rendererSettings } from './settings';
import { FakeCell, FakeNotebook, FakeTracker, flushPromises, loadRecording } from './test-support/fakes';

// The plugin needs only the tokens (and LabIcon) of these packages at import; importing the real ones
// here would load all of JupyterLab's notebook/application stack, whose circular imports do not
// initialise under vitest's module loader. The services themselves are the fakes below.
vi.mock('@jupyterlab/notebook', async () => ({
  INotebookTracker: new (await import('@lumino/coreutils')).Token('INotebookTracker'),
}));
vi.mock('@jupyterlab/application', async () => {
  const { Token } = await import('@lumino/coreutils');
  return { ILayoutRestorer: new Token('ILayoutRestorer') };
});
vi.mock('@jupyterlab/apputils', async () => ({
  ICommandPalette: new (await import('@lumino/coreutils')).Token('ICommandPalette'),
}));
vi.mock('@jupyterlab/settingregistry', async () => ({
  ISettingRegistry: new (await import('@lumino/coreutils')).Token('ISettingRegistry'),
}));
vi.mock('@jupyterlab/ui-components', () => ({
  LabIcon: class {
    constructor(readonly options: { name: string; svgstr: string }) {}
  },
}));

/** The parts of JupyterFrontEnd and its shell the plugin touches. */
function fakeApp() {
  const added: Array<{ widget: Widget; area: string }> = [];
  const activated: string[] = [];
  const shell = {
    add: (widget: Widget, area: string) => added.push({ widget, area }),
    activateById: (id: string) => activated.push(id),
    collapseRight: () => activated.push('collapse-right'),
    collapseLeft: () => activated.push('collapse-left'),
  };
  return { app: { commands: new CommandRegistry(), shell } as any, added, activated };
}

function fakeSettings(composite: Record<string, unknown>) {
  const changed = new Signal<unknown, void>({});
  const settings = { composite, changed };
  return { registry: { load: async () => settings } as any, settings, changed };
}

class TrackerWithFind extends FakeTracker {
  find(fn: (p: FakeNotebook) => boolean): FakeNotebook | undefined {
    let found: FakeNotebook | undefined;
    this.forEach((p) => {
      if (!found && fn(p)) found = p;
    });
    return found;
  }
}

describe('the plugin, activated with fake JupyterLab services', () => {
  it('adds the panel, registers palette commands, applies settings and follows their changes', async () => {
    const { app, added, activated } = fakeApp();
    const palette: string[] = [];
    const { registry, settings, changed } = fakeSettings({
      panelArea: 'left',
      maxRuns: 2,
      refreshIntervalMs: 100,
      vega: { renderer: 'canvas', actions: false, tooltips: true, zoomPan: false },
    });
    plugin.activate(
      app,
      new TrackerWithFind(),
      { addItem: (i: { command: string }) => palette.push(i.command) },
      registry,
      null,
    );
    await flushPromises();
    const panel = added.at(-1)!.widget as StageProgressPanel;
    expect(panel.id).toBe(PANEL_ID);
    expect(added.at(-1)!.area).toBe('left');
    expect(panel.model.maxRuns).toBe(2);
    expect(panel.refreshIntervalMs).toBe(100);
    expect(rendererSettings.vega).toEqual({ renderer: 'canvas', actions: false, tooltips: true, zoomPan: false });
    expect(palette).toEqual([CommandIds.open, CommandIds.toggle, CommandIds.clear]);
    settings.composite = { ...settings.composite, panelArea: 'right', maxRuns: 7 };
    changed.emit();
    expect(added.at(-1)!.area).toBe('right');
    expect(panel.model.maxRuns).toBe(7);
    await app.commands.execute(CommandIds.open);
    expect(activated.at(-1)).toBe(PANEL_ID);
    rendererSettings.update({ renderer: 'svg', actions: true, tooltips: true, zoomPan: true });
  });

  it("reveals the cell of a run, and clears the current notebook's runs", async () => {
    const { app, added, activated } = fakeApp();
    const tracker = new TrackerWithFind();
    plugin.activate(app, tracker, null, null, null);
    const panel = added.find((a) => a.widget.id === PANEL_ID)!.widget as StageProgressPanel;
    // the run-record panel sits beside it (issue 21)
    expect(added.some((a) => a.widget.id === RECORD_PANEL_ID && a.area === 'right')).toBe(true);
    const nb = new FakeNotebook('nb', 'stage-failure.ipynb', [new FakeCell('cell-1'), new FakeCell('cell-2')]);
    const scrolled: number[] = [];
    Object.assign(nb.content, {
      widgets: [0, 1].map((i) => ({ model: nb.content.model.cells.get(i) })),
      activeCellIndex: 0,
      scrollToItem: async (i: number) => {
        scrolled.push(i);
      },
    });
    tracker.add(nb);
    nb.sessionContext.replay(loadRecording('iopub-stage-failure.json'));
    const [run] = panel.model.runs('nb');
    expect(await app.commands.execute(CommandIds.reveal, { runKey: run.key })).toBe(1);
    expect((nb.content as unknown as { activeCellIndex: number }).activeCellIndex).toBe(1);
    expect(scrolled).toEqual([1]);
    expect(activated).toContain('nb');
    expect(await app.commands.execute(CommandIds.reveal, { runKey: 'nb/no-such-run' })).toBe(-1);
    await app.commands.execute(CommandIds.clear);
    expect(panel.model.runs('nb')).toEqual([]);
  });

  it("opens the panel on a notebook's first live run when autoOpen is set, once", async () => {
    const { app, activated } = fakeApp();
    const tracker = new TrackerWithFind();
    plugin.activate(app, tracker, null, fakeSettings({ autoOpen: true }).registry, null);
    await flushPromises();
    const nb = new FakeNotebook('nb', 'a.ipynb', []);
    Object.assign(nb.content, { activate: () => activated.push('notebook-focus') });
    tracker.add(nb);
    nb.sessionContext.replay(loadRecording('iopub-stage-failure.json'));
    nb.sessionContext.replay(loadRecording('iopub-xpcs.json'));
    expect(activated).toEqual([PANEL_ID, 'notebook-focus']);
  });
});
