/**
 * Connects every open notebook's kernel to the progress model.
 *
 * - iopub `display_data` / `update_display_data` with the progress MIME -> model.apply (payload.ts).
 *   SessionContext.iopubMessage is used rather than the kernel's own signal: it survives kernel
 *   changes and restarts, so one connection per notebook is enough.
 * - execute_request messages going out (Kernel.anyMessage, direction 'send') carry the cell id in
 *   their metadata (JupyterLab 4 CodeCell.execute adds `cellId`); remembering msg_id -> cellId lets a
 *   run point back at the cell whose iopub output announced it (parent_header.msg_id).
 * - kernel status `restarting` / `autorestarting`, or a switch to another kernel -> model.reset.
 * - a notebook opened with saved outputs seeds the model with the runs stored in them.
 *
 * The notebook and tracker types below are the structural subset used here, so tests can drive the
 * watcher with plain objects and recorded messages; JupyterLab's NotebookPanel/INotebookTracker fit.
 */
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import type { ProgressModel } from './model';
import { extractProgress, progressFromOutputs, type IopubMessageLike } from './payload';

export interface AnyMessageArgsLike {
  direction: 'send' | 'recv';
  msg: { header: { msg_id: string; msg_type: string }; metadata?: Record<string, unknown> };
}

export interface KernelLike {
  id: string;
  anyMessage: ISignal<any, AnyMessageArgsLike>;
}

export interface SessionContextLike {
  iopubMessage: ISignal<any, IopubMessageLike>;
  statusChanged: ISignal<any, string>;
  kernelChanged: ISignal<any, { oldValue: KernelLike | null; newValue: KernelLike | null }>;
  session: { kernel: KernelLike | null } | null;
}

export interface CellModelLike {
  id: string;
  toJSON(): unknown;
}

export interface NotebookLike {
  id: string;
  context: { path: string; ready: Promise<void>; pathChanged: ISignal<any, string> };
  sessionContext: SessionContextLike;
  content: { model: { cells: { length: number; get(index: number): CellModelLike } } | null };
  disposed: ISignal<any, void>;
}

export interface NotebookTrackerLike<T extends NotebookLike = NotebookLike> {
  widgetAdded: ISignal<any, T>;
  currentChanged: ISignal<any, T | null>;
  currentWidget: T | null;
  forEach(fn: (panel: T) => void): void;
}

/** execute_request ids remembered per notebook (old ones are dropped first). */
const MAX_REMEMBERED_REQUESTS = 2000;

export class NotebookProgressWatcher implements IDisposable {
  private disposed = false;
  private readonly cleanups = new Map<string, () => void>();

  constructor(
    private readonly tracker: NotebookTrackerLike,
    private readonly model: ProgressModel,
  ) {
    tracker.forEach((panel) => this.watch(panel));
    tracker.widgetAdded.connect(this.onAdded, this);
    tracker.currentChanged.connect(this.onCurrent, this);
    this.model.activeNotebookId = tracker.currentWidget?.id ?? null;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tracker.widgetAdded.disconnect(this.onAdded, this);
    this.tracker.currentChanged.disconnect(this.onCurrent, this);
    for (const c of this.cleanups.values()) c();
    this.cleanups.clear();
  }

  private onAdded(_: unknown, panel: NotebookLike): void {
    this.watch(panel);
  }

  private onCurrent(_: unknown, panel: NotebookLike | null): void {
    this.model.activeNotebookId = panel?.id ?? null;
  }

  /** Starts following one notebook. */
  watch(panel: NotebookLike): void {
    if (this.cleanups.has(panel.id)) return;
    const id = panel.id;
    const requests = new Map<string, string>(); // execute_request msg_id -> cell id
    const session = panel.sessionContext;
    this.model.setPath(id, panel.context.path);

    const onIopub = (_: unknown, msg: IopubMessageLike): void => {
      const found = extractProgress(msg);
      if (found.kind === 'progress') {
        const m = found.message;
        this.model.apply(id, m.payload, {
          cellId: m.parentMsgId ? requests.get(m.parentMsgId) : undefined,
          displayId: m.displayId,
          source: 'live',
        });
      } else if (found.kind === 'invalid') {
        this.model.noteInvalid(id, found.issues);
      }
    };
    const onAnyMessage = (_: unknown, args: AnyMessageArgsLike): void => {
      if (args.direction !== 'send' || args.msg.header.msg_type !== 'execute_request') return;
      const cellId = args.msg.metadata?.cellId;
      if (typeof cellId !== 'string') return;
      requests.set(args.msg.header.msg_id, cellId);
      if (requests.size > MAX_REMEMBERED_REQUESTS) requests.delete(requests.keys().next().value as string);
    };
    let kernel: KernelLike | null = null;
    const followKernel = (next: KernelLike | null): void => {
      kernel?.anyMessage.disconnect(onAnyMessage);
      kernel = next;
      kernel?.anyMessage.connect(onAnyMessage);
    };
    const onKernelChanged = (
      _: unknown,
      change: { oldValue: KernelLike | null; newValue: KernelLike | null },
    ): void => {
      // a different kernel (not the first one of a freshly opened notebook): old runs are gone
      if (change.oldValue && change.newValue?.id !== change.oldValue.id) this.model.reset(id);
      followKernel(change.newValue);
    };
    // JupyterLab 4.6 reports one restart as 'restarting' twice in a row (SessionContext and the
    // kernel connection both announce it): reset on entering the state, not on each report.
    let restarting = false;
    const onStatus = (_: unknown, status: string): void => {
      const now = status === 'restarting' || status === 'autorestarting';
      if (now && !restarting) {
        requests.clear();
        this.model.reset(id);
      }
      restarting = now;
    };
    const onPath = (_: unknown, path: string): void => this.model.setPath(id, path);
    const onDisposed = (): void => this.unwatch(id);

    session.iopubMessage.connect(onIopub);
    session.statusChanged.connect(onStatus);
    session.kernelChanged.connect(onKernelChanged);
    panel.context.pathChanged.connect(onPath);
    panel.disposed.connect(onDisposed);
    followKernel(session.session?.kernel ?? null);
    void panel.context.ready.then(
      () => this.seedFromOutputs(panel),
      () => undefined,
    );

    this.cleanups.set(id, () => {
      session.iopubMessage.disconnect(onIopub);
      session.statusChanged.disconnect(onStatus);
      session.kernelChanged.disconnect(onKernelChanged);
      panel.context.pathChanged.disconnect(onPath);
      panel.disposed.disconnect(onDisposed);
      followKernel(null);
    });
  }

  private unwatch(id: string): void {
    this.cleanups.get(id)?.();
    this.cleanups.delete(id);
    this.model.forget(id);
  }

  /** Runs stored in the notebook's outputs (an executed notebook reopened, or shared). */
  private seedFromOutputs(panel: NotebookLike): void {
    if (this.disposed || !this.cleanups.has(panel.id)) return;
    const cells = panel.content.model?.cells;
    if (!cells) return;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells.get(i);
      const outputs = (cell.toJSON() as { outputs?: unknown }).outputs;
      if (!Array.isArray(outputs)) continue;
      for (const payload of progressFromOutputs(outputs))
        this.model.apply(panel.id, payload, { cellId: cell.id, source: 'saved' });
    }
  }
}
