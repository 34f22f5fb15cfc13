/**
 * The main plugin: wires the progress model, the kernel watcher, the side panel, commands and
 * settings. State lives in progress/model.ts, views in progress/panel.ts and progress/run-view.ts;
 * the renderers are the MIME extension (mime.ts).
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';
import { CommandIds, PANEL_ID, PLUGIN_ID, RECORD_PANEL_ID } from './constants';
import { addPanelCommands } from './progress/commands';
import { ProgressModel } from './progress/model';
import { StageProgressPanel } from './progress/panel';
import { NotebookProgressWatcher } from './progress/watcher';
import { connectRecordPanel, type RecordTrackerLike } from './record/wire';
import { DEFAULT_SETTINGS, readSettings, rendererSettings, type StagebookSettings } from './settings';

const STAGES_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161"><rect x="3" y="4" width="12" height="3" rx="1"/><rect x="3" y="10.5" width="16" height="3" rx="1"/><rect x="3" y="17" width="8" height="3" rx="1"/></g></svg>';
export const stagesIcon = new LabIcon({ name: 'stagebook:stages', svgstr: STAGES_SVG });

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Stage-progress panel for stagebook pipeline notebooks',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, ISettingRegistry, ILayoutRestorer],
  activate,
};

function activate(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  palette: ICommandPalette | null,
  registry: ISettingRegistry | null,
  restorer: ILayoutRestorer | null,
): void {
  let settings: StagebookSettings = DEFAULT_SETTINGS;
  const model = new ProgressModel({ maxRuns: settings.maxRuns });
  const findNotebook = (id: string): NotebookPanel | undefined => tracker.find((p) => p.id === id);
  const panel = new StageProgressPanel({
    model,
    refreshIntervalMs: settings.refreshIntervalMs,
    onActivate: (run) => void app.commands.execute(CommandIds.reveal, { runKey: run.key }),
  });
  panel.id = PANEL_ID;
  panel.title.icon = stagesIcon;
  panel.title.caption = 'Stage progress of pipeline runs';
  const show = (): void => {
    if (!panel.isAttached) app.shell.add(panel, settings.panelArea, { rank: 650 });
    app.shell.activateById(panel.id);
  };
  app.shell.add(panel, settings.panelArea, { rank: 650 });
  restorer?.add(panel, 'stagebook-progress');
  new NotebookProgressWatcher(tracker, model);
  // the run record of an executed notebook and its Reproduce button (issue 21), under the progress panel
  const recordPanel = connectRecordPanel(tracker as unknown as RecordTrackerLike);
  recordPanel.id = RECORD_PANEL_ID;
  recordPanel.title.icon = stagesIcon;
  recordPanel.title.caption = 'Run record: parameters, versions, inputs; reproduce';
  app.shell.add(recordPanel, 'right', { rank: 651 });
  restorer?.add(recordPanel, 'stagebook-record');
  addPanelCommands({ app, model, panel, show, area: () => settings.panelArea, findNotebook, palette });
  openOnFirstRun(
    model,
    () => settings.autoOpen && !panel.isVisible,
    () => {
      const current = tracker.currentWidget;
      show();
      current?.content.activate(); // keep the keyboard in the notebook
    },
  );

  if (registry) {
    void registry.load(PLUGIN_ID).then(
      (s) => {
        const apply = (): void => {
          const { settings: next, problems } = readSettings(s.composite);
          if (problems.length) console.warn(`${PLUGIN_ID}: invalid settings ignored: ${problems.join('; ')}`);
          const moved = next.panelArea !== settings.panelArea;
          settings = next;
          model.maxRuns = next.maxRuns;
          panel.refreshIntervalMs = next.refreshIntervalMs;
          rendererSettings.update(next.vega);
          if (moved) app.shell.add(panel, next.panelArea, { rank: 650 });
        };
        apply();
        s.changed.connect(apply);
      },
      (e) => console.warn(`${PLUGIN_ID}: settings could not be loaded, using defaults`, e),
    );
  }
}

/** Calls `open` when a notebook shows its first live run (settings: autoOpen). */
function openOnFirstRun(model: ProgressModel, wanted: () => boolean, open: () => void): void {
  const seen = new Set<string>();
  model.changed.connect((_, change) => {
    if (change.kind !== 'run' || !change.notebookId || seen.has(change.notebookId)) return;
    const run = change.runKey ? model.run(change.runKey) : undefined;
    if (run?.source !== 'live') return;
    seen.add(change.notebookId);
    if (wanted()) open();
  });
}

export default plugin;
