/**
 * Wires the run-record panel: follows the current notebook (its metadata when opened, saved or changed) and
 * runs the reproduction through the notebook's kernel when the button is pressed. Structural types: tests drive
 * it with plain objects, JupyterLab's NotebookPanel and INotebookTracker fit.
 */
import type { ISignal } from '@lumino/signaling';
import { reproduceInKernel, type KernelExecLike } from './kernel-reproduce';
import { RecordModel } from './model';
import { RunRecordPanel } from './panel';

export interface RecordNotebookLike {
  id: string;
  context: { path: string; ready: Promise<void>; saveState?: ISignal<any, string> };
  content: { model: { getMetadata(key: string): unknown; metadataChanged: ISignal<any, unknown> } | null };
  sessionContext: { session: { kernel: unknown } | null };
  disposed: ISignal<any, void>;
}

export interface RecordTrackerLike<T extends RecordNotebookLike = RecordNotebookLike> {
  widgetAdded: ISignal<any, T>;
  currentChanged: ISignal<any, T | null>;
  currentWidget: T | null;
  forEach(fn: (panel: T) => void): void;
}

/** The notebook's file name: JupyterLab starts the kernel in the notebook's directory. */
function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Creates the model and the panel, and keeps them in step with the tracker. */
export function connectRecordPanel<T extends RecordNotebookLike>(tracker: RecordTrackerLike<T>): RunRecordPanel {
  const model = new RecordModel();
  const notebooks = new Map<string, T>();
  const read = (nb: T): void => model.setMetadata(nb.id, nb.context.path, nb.content.model?.getMetadata('stagebook'));
  const follow = (nb: T): void => {
    if (notebooks.has(nb.id)) return;
    notebooks.set(nb.id, nb);
    void nb.context.ready.then(() => {
      read(nb);
      nb.content.model?.metadataChanged.connect(() => read(nb));
    });
    nb.disposed.connect(() => {
      notebooks.delete(nb.id);
      model.forget(nb.id);
    });
  };
  const reproduce = (id: string): void => {
    const nb = notebooks.get(id);
    const kernel = nb?.sessionContext.session?.kernel as KernelExecLike | null | undefined;
    if (!nb) return;
    if (!kernel) {
      model.setReproduce(id, {
        state: 'done',
        error: { code: 'E_KERNEL', message: "no kernel: start the notebook's kernel first" },
      });
      return;
    }
    model.setReproduce(id, { state: 'running', since: Date.now() });
    void reproduceInKernel(kernel, fileName(nb.context.path)).then((outcome) =>
      model.setReproduce(id, { state: 'done', ...outcome }),
    );
  };
  tracker.forEach(follow);
  tracker.widgetAdded.connect((_, nb) => follow(nb));
  tracker.currentChanged.connect((_, nb) => {
    if (nb) follow(nb);
    model.activeNotebookId = nb?.id ?? null;
  });
  model.activeNotebookId = tracker.currentWidget?.id ?? null;
  return new RunRecordPanel({ model, onReproduce: reproduce });
}
