/**
 * Bridges the engine's event stream (events/emitter.ts) to the in-notebook progress display: one
 * ProgressDisplay (one display id, updated in place, carrying the progress MIME payload for the
 * JupyterLab panel) per pipeline run. Engine units roll up into their stage: a stage is `running`
 * while any unit runs, `failed` if any unit failed, `cached` if every unit was a cache hit.
 */
import type { EventBus, StagebookEvent } from '../events/emitter';
import { stagebookEvents } from '../events/emitter';
import { ProgressDisplay, type StageProgressEvent, type StageState } from './progress';
import { RUN_OUTCOMES, type RunOutcome } from './progress-schema';

interface StageTally {
  total?: number;
  done: number;
  cached: number;
  failed: number;
  running: number;
  startedAt?: number;
}

/** Maps one engine event to a display event (null for events the display does not show). */
export function toStageProgress(e: StagebookEvent, tally: Map<string, StageTally>): StageProgressEvent | null {
  if (!e.stage) return null;
  const t = tally.get(e.stage) ?? { done: 0, cached: 0, failed: 0, running: 0 };
  tally.set(e.stage, t);
  if (e.type === 'stage-started') {
    t.running++;
    t.startedAt ??= e.at;
    if (e.total) t.total = e.total;
  } else if (e.type === 'stage-finished') {
    t.running = Math.max(0, t.running - 1);
    t.done++;
  } else if (e.type === 'stage-skipped-cached') {
    t.cached++;
    t.done++;
  } else if (e.type === 'stage-failed' || e.type === 'stage-blocked') {
    t.running = Math.max(0, t.running - 1);
    t.failed++;
  } else if (e.type !== 'progress') return null;
  // Between two units of a stage nothing is running, yet the stage is not done until every planned
  // unit is (total known from stage-started): otherwise the state would flicker done/running.
  const unfinished = t.total !== undefined && t.done < t.total;
  const state: StageState = t.failed
    ? 'failed'
    : t.running || unfinished
      ? 'running'
      : t.cached && t.cached === t.done
        ? 'cached'
        : t.done
          ? 'succeeded'
          : 'running';
  return {
    runId: e.runId,
    pipeline: e.pipeline,
    stage: e.stage,
    state,
    n: e.type === 'progress' ? e.n : t.done,
    total: e.type === 'progress' ? e.total : t.total,
    // a unit on a BullMQ worker: the panel says which worker runs it
    message: e.worker ? `${e.message ?? e.unit} [${e.worker}]` : (e.message ?? e.unit),
    startedAt: t.startedAt === undefined ? undefined : new Date(t.startedAt).toISOString(),
    endedAt: state === 'running' ? undefined : new Date(e.at).toISOString(),
    durationMs: state === 'running' || t.startedAt === undefined ? undefined : e.at - t.startedAt,
    error: e.error ? { code: e.error.code, message: e.error.message, stage: e.stage, input: e.unit } : undefined,
  };
}

/** Options of {@link showPipelineProgress}. */
export interface PipelineProgressOptions {
  /** Event bus to follow (default: the process-wide `stagebookEvents`). */
  bus?: EventBus;
  /**
   * The pipeline about to run: its stages are listed as `pending` from the first event on, so a
   * stage the run never reaches (after a failure) stays visible as pending instead of missing.
   */
  pipeline?: { stages: ReadonlyArray<{ name: string }> };
  /** Stage names to list up front (alternative to `pipeline`). */
  stages?: string[];
}

/**
 * Shows every run on the bus as a live progress display (one display id per run, updated in
 * place). Returns the unsubscribe function. In a notebook:
 * `const stop = showPipelineProgress({ pipeline: xpcsPipeline });` before `await runPipeline(...)`,
 * then `stop()`. The older form `showPipelineProgress(bus?, stages?)` still works.
 */
export function showPipelineProgress(
  options?: PipelineProgressOptions | EventBus,
  legacyStages?: string[],
): () => void {
  const o: PipelineProgressOptions = isEventBus(options)
    ? { bus: options, stages: legacyStages }
    : { ...(options ?? {}), stages: options?.stages ?? legacyStages };
  const stages = o.stages ?? o.pipeline?.stages.map((s) => s.name);
  const displays = new Map<string, { display: ProgressDisplay; tally: Map<string, StageTally> }>();
  return (o.bus ?? stagebookEvents).subscribe((e) => {
    let d = displays.get(e.runId);
    if (!d) {
      d = { display: new ProgressDisplay({ runId: e.runId, pipeline: e.pipeline, stages }), tally: new Map() };
      displays.set(e.runId, d);
    }
    const p = toStageProgress(e, d.tally);
    if (p) d.display.update(p);
    if (e.type === 'run-finished') {
      // the run's own status (partial, failed...): the stage roll-up shows a failed stage as a failed run
      if (RUN_OUTCOMES.includes(e.status as RunOutcome)) d.display.finish(e.status as RunOutcome);
      else d.display.flush();
      displays.delete(e.runId);
    }
  });
}

function isEventBus(x: unknown): x is EventBus {
  return typeof (x as EventBus | undefined)?.subscribe === 'function';
}
