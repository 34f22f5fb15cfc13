/**
 * State of the stage-progress panel: the pipeline runs seen in each open notebook.
 *
 * Runs are keyed by notebook and run id. Every message carries the whole run (see payload.ts), so
 * applying a payload replaces the run, unless it is older than what we have (`updatedAt`): saved
 * outputs read when a notebook opens must not overwrite live state. A kernel restart clears that
 * notebook's runs (its processes are gone; the panel shows the new kernel's runs only); switching
 * notebooks keeps everything, the panel just shows another notebook.
 */
import { Signal, type ISignal } from '@lumino/signaling';
import type { PayloadIssue, ProgressPayload } from 'stagebook/progress-schema';

/** One pipeline run as the panel knows it. */
export interface RunRecord {
  /** `<notebookId>/<runId>`: unique across notebooks. */
  readonly key: string;
  readonly notebookId: string;
  readonly runId: string;
  payload: ProgressPayload;
  /** Id of the cell that ran it (from the execute_request metadata, or the saved output's cell). */
  cellId?: string;
  displayId?: string;
  /** 'live': from the kernel now; 'saved': read from the notebook's stored outputs. */
  source: 'live' | 'saved';
  /** Arrival order, for a stable newest-first list when times tie. */
  readonly seq: number;
}

/** What changed (the panel redraws one notebook at most). */
export interface ProgressChange {
  kind: 'run' | 'reset' | 'clear' | 'forget' | 'active' | 'invalid' | 'settings';
  notebookId?: string;
  runKey?: string;
}

interface NotebookState {
  path: string;
  runs: Map<string, RunRecord>;
  invalid: { count: number; last?: PayloadIssue[] };
  resets: number;
}

export interface ProgressModelOptions {
  /** Runs kept per notebook (oldest dropped first). Default 20. */
  maxRuns?: number;
}

export class ProgressModel {
  private readonly notebooks = new Map<string, NotebookState>();
  private readonly changedSignal = new Signal<this, ProgressChange>(this);
  private active: string | null = null;
  private seq = 0;
  private max: number;

  constructor(options: ProgressModelOptions = {}) {
    this.max = validMaxRuns(options.maxRuns ?? 20);
  }

  /** Emitted after every change. */
  get changed(): ISignal<this, ProgressChange> {
    return this.changedSignal;
  }

  get maxRuns(): number {
    return this.max;
  }

  set maxRuns(value: number) {
    this.max = validMaxRuns(value);
    for (const id of this.notebooks.keys()) this.trim(id);
    this.changedSignal.emit({ kind: 'settings' });
  }

  /** The notebook the panel shows (the current notebook of the shell). */
  get activeNotebookId(): string | null {
    return this.active;
  }

  set activeNotebookId(id: string | null) {
    if (id === this.active) return;
    this.active = id;
    this.changedSignal.emit({ kind: 'active', notebookId: id ?? undefined });
  }

  /** Registers (or renames) a notebook. */
  setPath(notebookId: string, path: string): void {
    this.state(notebookId).path = path;
  }

  pathOf(notebookId: string): string | undefined {
    return this.notebooks.get(notebookId)?.path;
  }

  /**
   * Applies one payload. Returns the run, or null when the payload is older than the stored one
   * (or the run was trimmed away as the oldest).
   */
  apply(
    notebookId: string,
    payload: ProgressPayload,
    origin: { cellId?: string; displayId?: string; source?: 'live' | 'saved' } = {},
  ): RunRecord | null {
    const nb = this.state(notebookId);
    const key = `${notebookId}/${payload.runId}`;
    const prev = nb.runs.get(key);
    if (prev && Date.parse(payload.updatedAt) < Date.parse(prev.payload.updatedAt)) return null;
    const run: RunRecord = prev ?? {
      key,
      notebookId,
      runId: payload.runId,
      payload,
      source: origin.source ?? 'live',
      seq: ++this.seq,
    };
    run.payload = payload;
    run.cellId = origin.cellId ?? run.cellId;
    run.displayId = origin.displayId ?? run.displayId;
    if (origin.source === 'live') run.source = 'live';
    nb.runs.set(key, run);
    this.trim(notebookId);
    if (!nb.runs.has(key)) return null;
    this.changedSignal.emit({ kind: 'run', notebookId, runKey: key });
    return run;
  }

  /** Counts a payload that failed validation (shown in the panel footer, never thrown). */
  noteInvalid(notebookId: string, issues: PayloadIssue[]): void {
    const nb = this.state(notebookId);
    nb.invalid = { count: nb.invalid.count + 1, last: issues };
    this.changedSignal.emit({ kind: 'invalid', notebookId });
  }

  invalidOf(notebookId: string): { count: number; last?: PayloadIssue[] } {
    return this.notebooks.get(notebookId)?.invalid ?? { count: 0 };
  }

  /** Kernel restarted: the notebook's runs belong to a dead process. */
  reset(notebookId: string): void {
    const nb = this.notebooks.get(notebookId);
    if (!nb) return;
    nb.runs.clear();
    nb.invalid = { count: 0 };
    nb.resets++;
    this.changedSignal.emit({ kind: 'reset', notebookId });
  }

  /** How many times the notebook's kernel restarted while watched. */
  resetsOf(notebookId: string): number {
    return this.notebooks.get(notebookId)?.resets ?? 0;
  }

  /** The user cleared the list (command `stagebook:clear-progress`). */
  clear(notebookId: string): void {
    const nb = this.notebooks.get(notebookId);
    if (!nb) return;
    nb.runs.clear();
    this.changedSignal.emit({ kind: 'clear', notebookId });
  }

  /** The notebook was closed. */
  forget(notebookId: string): void {
    if (!this.notebooks.delete(notebookId)) return;
    if (this.active === notebookId) this.active = null;
    this.changedSignal.emit({ kind: 'forget', notebookId });
  }

  /** Runs of a notebook, newest first. */
  runs(notebookId: string): RunRecord[] {
    const nb = this.notebooks.get(notebookId);
    return nb ? [...nb.runs.values()].sort(newestFirst) : [];
  }

  run(key: string): RunRecord | undefined {
    const notebookId = key.slice(0, key.lastIndexOf('/'));
    return this.notebooks.get(notebookId)?.runs.get(key);
  }

  /** Notebook ids with state. */
  notebookIds(): string[] {
    return [...this.notebooks.keys()];
  }

  private state(notebookId: string): NotebookState {
    let nb = this.notebooks.get(notebookId);
    if (!nb) {
      nb = { path: notebookId, runs: new Map(), invalid: { count: 0 }, resets: 0 };
      this.notebooks.set(notebookId, nb);
    }
    return nb;
  }

  private trim(notebookId: string): void {
    const nb = this.notebooks.get(notebookId);
    if (!nb || nb.runs.size <= this.max) return;
    for (const r of [...nb.runs.values()].sort(newestFirst).slice(this.max)) nb.runs.delete(r.key);
  }
}

/** Newest first: by the run's start time, then by arrival. */
function newestFirst(a: RunRecord, b: RunRecord): number {
  const t = Date.parse(b.payload.startedAt) - Date.parse(a.payload.startedAt);
  return t !== 0 && Number.isFinite(t) ? t : b.seq - a.seq;
}

function validMaxRuns(n: number): number {
  return Number.isInteger(n) && n >= 1 ? n : 20;
}
