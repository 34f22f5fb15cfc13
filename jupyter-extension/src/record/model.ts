/**
 * State of the run-record panel: the run record of the active notebook (read from its metadata when it is
 * opened or changes) and the state of its reproduction (idle, running, verdict or error), per notebook.
 */
import { Signal, type ISignal } from '@lumino/signaling';
import { parseRunRecord, type ReproduceOutcome, type RunRecordView } from './record';

export type ReproduceState =
  { state: 'idle' } | { state: 'running'; since: number } | ({ state: 'done' } & ReproduceOutcome);

export interface NotebookRecordState {
  path: string;
  record?: RunRecordView;
  problem?: string;
  reproduce: ReproduceState;
}

export class RecordModel {
  private readonly notebooks = new Map<string, NotebookRecordState>();
  private readonly changedSignal = new Signal<this, string | null>(this);
  private active: string | null = null;

  /** Emitted with the notebook id that changed (null: the active notebook changed). */
  get changed(): ISignal<this, string | null> {
    return this.changedSignal;
  }

  get activeNotebookId(): string | null {
    return this.active;
  }

  set activeNotebookId(id: string | null) {
    if (id === this.active) return;
    this.active = id;
    this.changedSignal.emit(null);
  }

  /** (Re)reads a notebook's record from its metadata (`metadata.stagebook`). */
  setMetadata(notebookId: string, path: string, meta: unknown): void {
    const prev = this.notebooks.get(notebookId);
    const parsed = parseRunRecord(meta);
    this.notebooks.set(notebookId, {
      path,
      ...('record' in parsed ? { record: parsed.record } : { problem: parsed.problem }),
      reproduce: prev?.reproduce ?? { state: 'idle' },
    });
    this.changedSignal.emit(notebookId);
  }

  get(notebookId: string): NotebookRecordState | undefined {
    return this.notebooks.get(notebookId);
  }

  setReproduce(notebookId: string, reproduce: ReproduceState): void {
    const nb = this.notebooks.get(notebookId);
    if (!nb) return;
    nb.reproduce = reproduce;
    this.changedSignal.emit(notebookId);
  }

  forget(notebookId: string): void {
    this.notebooks.delete(notebookId);
    if (this.active === notebookId) this.active = null;
    this.changedSignal.emit(notebookId);
  }
}
