/**
 * One structured event stream for every consumer: notebook cells, the CLI progress bar and (later)
 * the JupyterLab panel subscribe to the same emitter; the runner also stores lifecycle events in
 * the ledger so another process can follow a run.
 */

/** Kinds of engine events. */
export type StagebookEventType =
  | 'run-started'
  | 'run-finished'
  | 'stage-started'
  | 'progress'
  | 'stage-finished'
  | 'stage-failed'
  | 'stage-skipped-cached'
  | 'stage-blocked'
  | 'unit-retrying' // a unit's attempt failed or its worker was lost; the executor runs it again
  | 'log';

/** One engine event (plain JSON). `stage`/`unit` are absent on run-level events. */
export interface StagebookEvent {
  type: StagebookEventType;
  runId: string;
  pipeline: string;
  /** Epoch ms. */
  at: number;
  stage?: string;
  /** The unit of work inside a stage (input file, group key...). */
  unit?: string;
  /** Progress position and total (units of a stage, or steps inside a unit). */
  n?: number;
  total?: number;
  message?: string;
  /** run-finished: the run status; stage events: the unit status. */
  status?: string;
  durationMs?: number;
  /** Failures: code and message only (never secrets; messages are redacted). */
  error?: { code: string; message: string };
  /** stage-finished: output paths. */
  outputs?: string[];
  /** log events: level of the line. */
  level?: string;
  /** Units run by a BullMQ executor: the worker that ran (or runs) it. */
  worker?: string;
  /** Units run by a BullMQ executor: the attempt (1 = first try). */
  attempt?: number;
}

/** A subscriber. */
export type StagebookEventListener = (event: StagebookEvent) => void;

/** Fan-out of engine events to subscribers; a throwing subscriber never breaks a run. */
export class EventBus {
  private readonly listeners = new Set<StagebookEventListener>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: StagebookEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Delivers `event` to every listener (synchronously, in subscription order). */
  emit(event: StagebookEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // a broken progress display must not fail the pipeline it displays
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}

/** The process-wide emitter every run uses unless given another one. */
export const stagebookEvents = new EventBus();
