/**
 * Test doubles for the JupyterLab objects the watcher and the commands touch: real Lumino signals,
 * plain data. They implement the structural interfaces of progress/watcher.ts, so a type error
 * here means the watcher's contract changed.
 */
import { Signal } from '@lumino/signaling';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  AnyMessageArgsLike,
  CellModelLike,
  KernelLike,
  NotebookLike,
  NotebookTrackerLike,
  SessionContextLike,
} from '../progress/watcher';
import type { IopubMessageLike } from '../progress/payload';

export interface RecordedEvent {
  direction: 'send' | 'recv';
  channel?: string;
  cellId?: string;
  msg: IopubMessageLike & { header: { msg_id: string; msg_type: string }; metadata?: Record<string, unknown> };
}

/** Loads a recording made by scripts/record-iopub.js from a real tslab kernel. */
export function loadRecording(name: string): RecordedEvent[] {
  const file = path.join(__dirname, 'fixtures', name);
  return (JSON.parse(readFileSync(file, 'utf8')) as { events: RecordedEvent[] }).events;
}

export class FakeKernel implements KernelLike {
  readonly anyMessage = new Signal<this, AnyMessageArgsLike>(this);
  constructor(readonly id: string) {}
}

export class FakeSessionContext implements SessionContextLike {
  readonly iopubMessage = new Signal<this, IopubMessageLike>(this);
  readonly statusChanged = new Signal<this, string>(this);
  readonly kernelChanged = new Signal<this, { oldValue: KernelLike | null; newValue: KernelLike | null }>(this);
  session: { kernel: FakeKernel | null } | null;

  constructor(kernel: FakeKernel | null) {
    this.session = { kernel };
  }

  /** Plays recorded traffic: sends through the kernel's anyMessage, iopub through iopubMessage. */
  replay(events: RecordedEvent[]): void {
    for (const e of events) {
      if (e.direction === 'send')
        this.session?.kernel?.anyMessage.emit({
          direction: 'send',
          msg: { header: { msg_id: e.msg.header.msg_id, msg_type: e.msg.header.msg_type }, metadata: e.msg.metadata },
        });
      else this.iopubMessage.emit(e.msg);
    }
  }

  switchKernel(next: FakeKernel): void {
    const old = this.session?.kernel ?? null;
    this.session = { kernel: next };
    this.kernelChanged.emit({ oldValue: old, newValue: next });
  }
}

export class FakeCell implements CellModelLike {
  constructor(
    readonly id: string,
    public outputs: unknown[] = [],
  ) {}
  toJSON(): unknown {
    return { cell_type: 'code', id: this.id, outputs: this.outputs };
  }
}

export class FakeNotebook implements NotebookLike {
  readonly disposed = new Signal<this, void>(this);
  readonly context: { path: string; ready: Promise<void>; pathChanged: Signal<unknown, string> };
  readonly sessionContext: FakeSessionContext;
  readonly content: {
    model: {
      cells: { length: number; get(i: number): FakeCell };
      getMetadata(key: string): unknown;
      metadataChanged: Signal<unknown, unknown>;
    };
  };
  /** Notebook metadata (`metadata.stagebook` is the run record the record panel shows). */
  metadata: Record<string, unknown> = {};

  constructor(
    readonly id: string,
    path: string,
    cells: FakeCell[],
    kernel: FakeKernel | null = new FakeKernel(`${id}-kernel`),
  ) {
    this.context = { path, ready: Promise.resolve(), pathChanged: new Signal<unknown, string>(this) };
    this.sessionContext = new FakeSessionContext(kernel);
    this.content = {
      model: {
        cells: {
          get length() {
            return cells.length;
          },
          get: (i: number) => cells[i],
        },
        getMetadata: (key: string) => this.metadata[key],
        metadataChanged: new Signal<unknown, unknown>(this),
      },
    };
  }
}

export class FakeTracker implements NotebookTrackerLike<FakeNotebook> {
  readonly widgetAdded = new Signal<this, FakeNotebook>(this);
  readonly currentChanged = new Signal<this, FakeNotebook | null>(this);
  currentWidget: FakeNotebook | null = null;
  private readonly panels: FakeNotebook[] = [];

  forEach(fn: (panel: FakeNotebook) => void): void {
    this.panels.forEach(fn);
  }

  add(panel: FakeNotebook, makeCurrent = true): void {
    this.panels.push(panel);
    this.widgetAdded.emit(panel);
    if (makeCurrent) this.setCurrent(panel);
  }

  setCurrent(panel: FakeNotebook | null): void {
    this.currentWidget = panel;
    this.currentChanged.emit(panel);
  }
}

/** Lets pending promise callbacks (context.ready) run. */
export const flushPromises = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
