/**
 * Commands of the stage-progress panel (palette category "Stagebook"). Ids in constants.ts.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ICommandPalette } from '@jupyterlab/apputils';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { CommandIds } from '../constants';
import { revealRunCell } from './cell-locator';
import type { ProgressModel } from './model';
import type { StageProgressPanel } from './panel';

export interface PanelCommandContext {
  app: JupyterFrontEnd;
  model: ProgressModel;
  panel: StageProgressPanel;
  /** Adds the panel to the shell if needed and shows it. */
  show(): void;
  /** Side the panel lives on (settings: panelArea). */
  area(): 'left' | 'right';
  /** The open notebook with this widget id. */
  findNotebook(id: string): NotebookPanel | undefined;
  palette: ICommandPalette | null;
}

export function addPanelCommands(ctx: PanelCommandContext): void {
  const { app, model, panel } = ctx;
  app.commands.addCommand(CommandIds.open, {
    label: 'Show Stage Progress',
    caption: 'Open the stage-progress panel for the current notebook',
    execute: () => ctx.show(),
  });
  app.commands.addCommand(CommandIds.toggle, {
    label: 'Toggle Stage Progress Panel',
    isToggled: () => panel.isVisible,
    execute: () => {
      if (panel.isVisible) collapse(app, ctx.area());
      else ctx.show();
    },
  });
  app.commands.addCommand(CommandIds.clear, {
    label: 'Clear Stage Progress of This Notebook',
    isEnabled: () => model.activeNotebookId !== null,
    execute: () => {
      if (model.activeNotebookId) model.clear(model.activeNotebookId);
    },
  });
  app.commands.addCommand(CommandIds.reveal, {
    label: 'Scroll to the Cell That Ran a Pipeline',
    describedBy: {
      args: {
        type: 'object',
        properties: { runKey: { type: 'string', description: 'Run key `<notebook widget id>/<run id>`' } },
        required: ['runKey'],
      },
    },
    execute: async (args) => {
      const run = model.run(String(args.runKey ?? ''));
      const notebook = run && ctx.findNotebook(run.notebookId);
      if (!run || !notebook) return -1;
      app.shell.activateById(notebook.id);
      return revealRunCell(notebook.content, run);
    },
  });
  for (const command of [CommandIds.open, CommandIds.toggle, CommandIds.clear])
    ctx.palette?.addItem({ command, category: 'Stagebook' });
}

/** Collapses the side bar holding the panel (ILabShell is optional: other shells just keep it). */
function collapse(app: JupyterFrontEnd, area: 'left' | 'right'): void {
  const shell = app.shell as { collapseRight?: () => void; collapseLeft?: () => void };
  if (area === 'right') shell.collapseRight?.();
  else shell.collapseLeft?.();
}
