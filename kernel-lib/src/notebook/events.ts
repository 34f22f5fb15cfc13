/**
 * JSONL event stream of a headless run (`--events F`), one JSON object per line, for batch logs.
 * Lifecycle events are written as they happen; `progress` events (from the progress displays the
 * notebook publishes) are throttled per (run, stage): a state change is always written, count-only
 * changes at most once per `throttleMs`, and the last held-back one is written on `close()`.
 * Writes are synchronous appends so a killed runner loses at most the line being written.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

export type RunnerEventType =
  | 'run_start'
  | 'kernel_ready'
  | 'cell_start'
  | 'cell_end'
  | 'progress'
  | 'saved'
  | 'cell_failed'
  | 'timeout'
  | 'kernel_dead'
  | 'late_output'
  | 'run_end'
  // a cell's output passed the per-cell cap; an unhandled rejection fired after its cell ended
  | 'output_truncated'
  | 'late_rejection'
  // tslab's own zeromq send was rejected (not the user's code; the run goes on)
  | 'transport_rejection'
  // a port was taken before the kernel bound it: a new kernel starts on fresh ports (attempt n)
  | 'kernel_restart';

export interface RunnerEvent {
  type: RunnerEventType;
  /** ISO time the runner observed the event. */
  time?: string;
  [key: string]: unknown;
}

export interface EventSink {
  emit(event: RunnerEvent): void;
  close(): void;
}

/** A sink that drops everything (no `--events`). */
export const nullSink: EventSink = { emit: () => undefined, close: () => undefined };

interface Held {
  event: RunnerEvent;
  state: unknown;
  lastWritten: number;
}

/** Appends events to a JSONL file with progress throttling. */
export class JsonlEventSink implements EventSink {
  private readonly fd: number;
  private readonly held = new Map<string, Held>();

  constructor(
    file: string,
    private readonly throttleMs = 1000,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.fd = openSync(file, 'a');
  }

  emit(event: RunnerEvent): void {
    const e: RunnerEvent = { time: new Date(this.now()).toISOString(), ...event };
    if (e.type !== 'progress') return this.write(e);
    const key = `${String(e.runId)}\u0000${String(e.stage)}`;
    const h = this.held.get(key);
    const t = this.now();
    if (h && h.state === e.state && t - h.lastWritten < this.throttleMs) {
      h.event = e; // hold the latest; written when the window passes, the state changes, or on close
      this.pending.add(key);
      return;
    }
    this.write(e);
    this.held.set(key, { event: e, state: e.state, lastWritten: t });
    this.pending.delete(key);
  }

  private readonly pending = new Set<string>();

  private write(e: RunnerEvent): void {
    writeSync(this.fd, JSON.stringify(e) + '\n');
  }

  /** Writes held-back progress and closes the file. */
  close(): void {
    for (const key of this.pending) {
      const h = this.held.get(key);
      if (h) this.write(h.event);
    }
    this.pending.clear();
    closeSync(this.fd);
  }
}
