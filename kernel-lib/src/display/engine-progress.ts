/**
 * Bridges the engine's event stream (events/emitter.ts) to the in-notebook progress display: one
 * ProgressDisplay (one display id, updated in place, carrying the progress MIME payload for the
 * JupyterLab panel) per pipeline run. Engine units roll up into their stage: a stage is `running`
 * while any unit runs, `failed` if any unit failed, `cached` if every unit was a cache hit.
 */
import type { EventBus, StagebookEvent } from '../events/emitter';
import { stagebookEvents } from '../events/emitter';
import { ProgressDisplay, type StageProgressEvent, type StageState } from './progress';

interface StageTally { total?: number; done: number; cached: number; failed: number; running: number; startedAt?: number }

/** Maps one engine event to a display event (null for events the display does not show). */
export function toStageProgress(e: StagebookEvent, tally: Map<string, StageTally>): StageProgressEvent | null {
  if (!e.stage) return null;
  const t = tally.get(e.stage) ?? { done: 0, cached: 0, failed: 0, running: 0 };
  tally.set(e.stage, t);
  if (e.type === 'stage-started') { t.running++; t.startedAt ??= e.at; if (e.total) t.total = e.total; }
  else if (e.type === 'stage-finished') { t.running = Math.max(0, t.running - 1); t.done++; }
  else if (e.type === 'stage-skipped-cached') { t.cached++; t.done++; }
  else if (e.type === 'stage-failed' || e.type === 'stage-blocked') { t.running = Math.max(0, t.running - 1); t.failed++; }
  else if (e.type !== 'progress') return null;
  const state: StageState = t.failed ? 'failed' : t.running ? 'running' : t.cached && t.cached === t.done ? 'cached' : t.done ? 'done' : 'running';
  return {
    runId: e.runId, pipeline: e.pipeline, stage: e.stage, state,
    n: e.type === 'progress' ? e.n : t.done, total: e.type === 'progress' ? e.total : t.total,
    message: e.message ?? e.unit,
    startedAt: t.startedAt === undefined ? undefined : new Date(t.startedAt).toISOString(),
    endedAt: state === 'running' ? undefined : new Date(e.at).toISOString(),
    durationMs: state === 'running' || t.startedAt === undefined ? undefined : e.at - t.startedAt,
    error: e.error ? { code: e.error.code, message: e.error.message, stage: e.stage, input: e.unit } : undefined,
  };
}

/**
 * Shows every run on `bus` (default: the process-wide emitter) as a live progress display.
 * Returns the unsubscribe function. In a notebook: `const stop = showPipelineProgress();` before
 * `await runPipeline(...)`, then `stop()`.
 */
export function showPipelineProgress(bus: EventBus = stagebookEvents, stages?: string[]): () => void {
  const displays = new Map<string, { display: ProgressDisplay; tally: Map<string, StageTally> }>();
  return bus.subscribe((e) => {
    let d = displays.get(e.runId);
    if (!d) {
      d = { display: new ProgressDisplay({ runId: e.runId, pipeline: e.pipeline, stages }), tally: new Map() };
      displays.set(e.runId, d);
    }
    const p = toStageProgress(e, d.tally);
    if (p) d.display.update(p);
    if (e.type === 'run-finished') { d.display.flush(); displays.delete(e.runId); }
  });
}
