/**
 * Finding the cell that ran a pipeline: by the cell id remembered from its execute_request, else by
 * searching the cells' outputs for the run's progress payload (a run seeded from saved outputs, or a
 * request sent before the panel was watching). Cell ids survive reordering and edits above the cell.
 */
import { progressFromOutputs } from './payload';

export interface CellWidgetLike {
  model: { id: string; toJSON(): unknown };
}

export interface NotebookViewLike {
  readonly widgets: ReadonlyArray<CellWidgetLike>;
  activeCellIndex: number;
  /** JupyterLab 4 Notebook.scrollToItem (windowed notebooks render only visible cells). */
  scrollToItem(index: number, behavior?: 'auto' | 'smart' | 'center' | 'start' | 'end'): Promise<void>;
}

/** Index of the cell that ran `run`, or -1. */
export function findRunCellIndex(notebook: NotebookViewLike, run: { runId: string; cellId?: string }): number {
  const cells = notebook.widgets;
  if (run.cellId) {
    const i = cells.findIndex((c) => c.model.id === run.cellId);
    if (i >= 0) return i;
  }
  return cells.findIndex((c) => {
    const outputs = (c.model.toJSON() as { outputs?: unknown }).outputs;
    return Array.isArray(outputs) && progressFromOutputs(outputs).some((p) => p.runId === run.runId);
  });
}

/** Makes the run's cell the active cell and scrolls it into the middle of the view. */
export async function revealRunCell(
  notebook: NotebookViewLike,
  run: { runId: string; cellId?: string },
): Promise<number> {
  const index = findRunCellIndex(notebook, run);
  if (index < 0) return -1;
  notebook.activeCellIndex = index;
  await notebook.scrollToItem(index, 'center');
  return index;
}
