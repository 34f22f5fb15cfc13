/**
 * Stage-progress display: one Jupyter display per pipeline run (one `display_id`), updated in place
 * with `update_display_data` (Jupyter messaging spec, "Update Display Data"). Each bundle carries
 * HTML, a text/plain twin and a machine-readable `application/vnd.stagebook.progress.v1+json`
 * payload for the JupyterLab panel and for the headless runner's event log.
 *
 * Input is a plain event (`StageProgressEvent`) so any emitter can feed it: adapt the engine's
 * progress events with `progressListener()`.
 *
 * Updates are synchronous and never deferred to a timer: a timer firing after the cell ended would
 * print into the wrong place. Count-only updates are thinned (at most one per `minIntervalMs`);
 * every state change is sent at once, so the final picture is always exact.
 */
import { randomBytes } from 'node:crypto';
import { invalidArgument } from '../errors/stagebook-error';
import { escapeHtml, publish, type DisplayBundle } from './bundle';
import {
  PROGRESS_MIME,
  RUN_OUTCOMES,
  STAGE_STATES,
  countText,
  type ProgressPayload,
  type RunOutcome,
  type StageErrorInfo,
  type StageProgress,
  type StageState,
} from './progress-schema';

export { PROGRESS_MIME, progressPayloadSchema, parseProgressPayload } from './progress-schema';
export type { ProgressPayload, StageErrorInfo, StageProgress, StageState, PayloadIssue } from './progress-schema';

/** One progress event (the adapter point for the engine's emitter). */
export interface StageProgressEvent {
  runId: string;
  stage: string;
  state: StageState;
  /** Items done so far and total items of this stage (when known). */
  n?: number;
  total?: number;
  message?: string;
  /** Pipeline name (shown in the header; first one seen wins). */
  pipeline?: string;
  /** ISO times; default: now for the first running/terminal event. */
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  error?: StageErrorInfo;
}

export interface ProgressDisplayOptions {
  runId?: string;
  pipeline?: string;
  /** Stage names known up front (shown as pending). */
  stages?: string[];
  /** Minimum interval between count-only updates (default 250 ms). */
  minIntervalMs?: number;
}

const TERMINAL: ReadonlySet<StageState> = new Set(['succeeded', 'cached', 'failed']);

/** Tracks one pipeline run and keeps its display up to date. */
export class ProgressDisplay {
  readonly runId: string;
  readonly displayId: string;
  private pipeline: string | undefined;
  private readonly stages = new Map<string, StageProgress>();
  private readonly startedAt = new Date().toISOString();
  private readonly minIntervalMs: number;
  private shown = false;
  private lastSent = 0;
  private dirty = false;
  private outcome: RunOutcome | undefined;

  constructor(options: ProgressDisplayOptions = {}) {
    this.runId = options.runId ?? randomBytes(6).toString('hex');
    this.displayId = `stagebook-progress-${this.runId}-${randomBytes(4).toString('hex')}`;
    this.pipeline = options.pipeline;
    this.minIntervalMs = options.minIntervalMs ?? 250;
    for (const s of options.stages ?? []) this.stages.set(s, { name: s, state: 'pending' });
  }

  /** Applies one event and refreshes the display; returns the bundle when outside tslab. */
  update(event: StageProgressEvent): DisplayBundle | undefined {
    validateEvent(event);
    this.pipeline ??= event.pipeline;
    const prev = this.stages.get(event.stage);
    const next = mergeStage(prev ?? { name: event.stage, state: 'pending' }, event);
    this.stages.set(event.stage, next);
    const stateChanged = prev?.state !== next.state;
    const now = Date.now();
    if (!stateChanged && now - this.lastSent < this.minIntervalMs) {
      this.dirty = true;
      return undefined;
    }
    return this.render(now);
  }

  /**
   * Records how the run ended (the engine's run status) and shows it: a run with a failed stage may
   * be `partial` (other units were done), which the stage roll-up alone would show as `failed`.
   */
  finish(outcome: RunOutcome): DisplayBundle | undefined {
    if (!RUN_OUTCOMES.includes(outcome))
      invalidArgument(
        'ProgressDisplay.finish',
        'outcome',
        `expected one of ${RUN_OUTCOMES.join('|')}, got ${String(outcome)}`,
      );
    this.outcome = outcome;
    return this.render(Date.now());
  }

  /** Sends the current state now (e.g. after thinned updates at the end of a cell). */
  flush(): DisplayBundle | undefined {
    return this.dirty || !this.shown ? this.render(Date.now()) : undefined;
  }

  private render(now: number): DisplayBundle | undefined {
    this.lastSent = now;
    this.dirty = false;
    const bundle = this.bundle();
    const out = publish(bundle, { displayId: this.displayId, update: this.shown });
    this.shown = true;
    return out;
  }

  /** The payload as it stands. */
  payload(): ProgressPayload {
    const stages = [...this.stages.values()].map((s) => ({ ...s }));
    const failed = stages.find((s) => s.state === 'failed');
    return {
      version: 1,
      runId: this.runId,
      pipeline: this.pipeline,
      state: overallState(stages),
      startedAt: this.startedAt,
      updatedAt: new Date().toISOString(),
      stages,
      ...(failed?.error ? { error: failed.error } : {}),
      ...(this.outcome ? { outcome: this.outcome } : {}),
    };
  }

  /** The full display bundle (HTML, text, progress JSON). */
  bundle(): DisplayBundle {
    const p = this.payload();
    return { data: { [PROGRESS_MIME]: p, 'text/html': progressHtml(p), 'text/plain': progressText(p) }, metadata: {} };
  }
}

function validateEvent(e: StageProgressEvent): void {
  if (typeof e !== 'object' || e === null)
    invalidArgument('ProgressDisplay.update', 'event', 'expected an event object');
  if (typeof e.stage !== 'string' || e.stage.length === 0)
    invalidArgument('ProgressDisplay.update', 'event.stage', 'expected a non-empty stage name');
  if (!STAGE_STATES.includes(e.state))
    invalidArgument(
      'ProgressDisplay.update',
      'event.state',
      `expected one of ${STAGE_STATES.join('|')}, got ${String(e.state)}`,
    );
  for (const k of ['n', 'total'] as const) {
    const v = e[k];
    if (v !== undefined && (!Number.isFinite(v) || v < 0))
      invalidArgument('ProgressDisplay.update', `event.${k}`, `expected a finite number >= 0, got ${v}`);
  }
}

function mergeStage(prev: StageProgress, e: StageProgressEvent): StageProgress {
  const now = new Date().toISOString();
  const s: StageProgress = { ...prev, state: e.state };
  if (e.n !== undefined) s.n = e.n;
  if (e.total !== undefined) s.total = e.total;
  if (e.message !== undefined) s.message = e.message;
  if (e.error !== undefined) s.error = { stage: e.stage, ...e.error };
  s.startedAt = e.startedAt ?? prev.startedAt ?? (e.state !== 'pending' ? now : undefined);
  if (TERMINAL.has(e.state)) {
    s.endedAt = e.endedAt ?? now;
    s.durationMs = e.durationMs ?? (s.startedAt ? Date.parse(s.endedAt) - Date.parse(s.startedAt) : undefined);
  }
  return s;
}

/** failed > running > pending (when nothing started) > succeeded (all terminal) */
export function overallState(stages: StageProgress[]): StageState {
  if (stages.some((s) => s.state === 'failed')) return 'failed';
  if (stages.length > 0 && stages.every((s) => s.state === 'succeeded' || s.state === 'cached')) return 'succeeded';
  if (stages.every((s) => s.state === 'pending')) return 'pending';
  return 'running';
}

const ICON: Record<StageState, string> = { pending: '·', running: '▶', succeeded: '✓', cached: '↺', failed: '✗' };
const COLOR: Record<StageState, string> = {
  pending: '#888',
  running: '#1f6feb',
  succeeded: '#1a7f37',
  cached: '#6e7781',
  failed: '#cf222e',
};

const OUTCOME_COLOR: Record<RunOutcome, string> = {
  succeeded: COLOR.succeeded,
  partial: '#9a6700',
  failed: COLOR.failed,
  interrupted: COLOR.cached,
};

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** Text twin: header plus one line per stage. */
export function progressText(p: ProgressPayload): string {
  const head = `run ${p.runId}${p.pipeline ? ` (${p.pipeline})` : ''}: ${p.outcome ?? p.state}`;
  const lines = p.stages.map((s) => {
    const extra = [
      countText(s),
      seconds(s.durationMs),
      s.message ?? '',
      s.error ? `${s.error.code}: ${s.error.message}` : '',
    ]
      .filter(Boolean)
      .join('  ');
    return `  ${ICON[s.state]} ${s.name} [${s.state}]${extra ? `  ${extra}` : ''}`;
  });
  return [head, ...lines].join('\n');
}

function bar(s: StageProgress): string {
  if (s.total === undefined || s.total === 0) return '';
  const pct = Math.min(100, (100 * (s.n ?? 0)) / s.total);
  return `<div style="background:#eee;width:120px;height:8px;display:inline-block"><div style="background:${COLOR[s.state]};width:${pct.toFixed(1)}%;height:8px"></div></div>`;
}

/** HTML view: a compact table, one row per stage. */
export function progressHtml(p: ProgressPayload): string {
  const rows = p.stages
    .map((s) => {
      const err = s.error ? `<br><code>${escapeHtml(s.error.code)}</code> ${escapeHtml(s.error.message)}` : '';
      return `<tr><td style="color:${COLOR[s.state]}">${ICON[s.state]} ${escapeHtml(s.state)}</td><td>${escapeHtml(s.name)}</td><td>${bar(s)} ${escapeHtml(countText(s))}</td><td>${escapeHtml(seconds(s.durationMs))}</td><td>${escapeHtml(s.message ?? '')}${err}</td></tr>`;
    })
    .join('\n');
  const color = p.outcome ? OUTCOME_COLOR[p.outcome] : COLOR[p.state];
  const state = `<b style="color:${color}">${escapeHtml(p.outcome ?? p.state)}</b>`;
  const title = `run <code>${escapeHtml(p.runId)}</code>${p.pipeline ? ` · ${escapeHtml(p.pipeline)}` : ''} · ${state}`;
  return `<div class="stagebook-progress"><div>${title}</div><table>\n<thead><tr><th>state</th><th>stage</th><th>progress</th><th>time</th><th>message</th></tr></thead>\n<tbody>\n${rows}\n</tbody></table></div>`;
}

const displays = new Map<string, ProgressDisplay>();

/**
 * A listener for progress events: routes each event to the display of its run (created on first
 * sight), so one display id is used per pipeline run. Wire it to an emitter:
 * `engine.on('progress', progressListener())`.
 */
export function progressListener(
  options: Omit<ProgressDisplayOptions, 'runId'> = {},
): (event: StageProgressEvent) => void {
  return (event) => {
    showProgress(event, options);
  };
}

/** Applies one event to its run's display (creating it); returns the bundle outside tslab. */
export function showProgress(
  event: StageProgressEvent,
  options: Omit<ProgressDisplayOptions, 'runId'> = {},
): DisplayBundle | undefined {
  if (typeof event?.runId !== 'string' || event.runId.length === 0)
    invalidArgument('showProgress', 'event.runId', 'expected a non-empty run id');
  let d = displays.get(event.runId);
  if (!d) {
    d = new ProgressDisplay({ ...options, runId: event.runId });
    displays.set(event.runId, d);
  }
  return d.update(event);
}

/** Forgets a run's display (a later event for the same run id starts a new display). */
export function endProgress(runId: string): void {
  displays.get(runId)?.flush();
  displays.delete(runId);
}
