/**
 * DOM for one pipeline run: used by the side panel (clickable, live durations) and by the
 * in-notebook MIME renderer (static). Text goes through `textContent` only: stage names, messages
 * and errors come from user code and are never parsed as HTML.
 */
import { countText, type ProgressPayload, type StageProgress, type StageState } from 'stagebook/progress-schema';
import { Css } from '../constants';

const ICON: Record<StageState, string> = { pending: '○', running: '◔', succeeded: '✓', cached: '↺', failed: '✗' };
const LABEL: Record<StageState, string> = {
  pending: 'pending',
  running: 'running',
  succeeded: 'succeeded',
  cached: 'cached (skipped)',
  failed: 'failed',
};

export interface RunViewOptions {
  /** Clock for durations of running stages (ms since epoch). */
  now: number;
  /** Makes the header and stage rows clickable (panel); absent in the MIME renderer. */
  onActivate?: (stage?: string) => void;
  /** Extra line under the header, e.g. "from saved outputs". */
  note?: string;
}

/** Duration of a stage: its own for terminal stages, time since start for running ones. */
export function stageDurationMs(stage: StageProgress, now: number): number | undefined {
  if (stage.durationMs !== undefined) return stage.durationMs;
  if (stage.state === 'running' && stage.startedAt) return Math.max(0, now - Date.parse(stage.startedAt));
  return undefined;
}

/** Run duration: first stage start to last stage end (or now while running). */
export function runDurationMs(p: ProgressPayload, now: number): number | undefined {
  const starts = p.stages.map((s) => (s.startedAt ? Date.parse(s.startedAt) : NaN)).filter(Number.isFinite);
  if (starts.length === 0) return undefined;
  const running = p.state === 'running' || p.stages.some((s) => s.state === 'running');
  const ends = p.stages.map((s) => (s.endedAt ? Date.parse(s.endedAt) : NaN)).filter(Number.isFinite);
  const end = running || ends.length === 0 ? now : Math.max(...ends);
  return Math.max(0, end - Math.min(...starts));
}

/** 0.42 s, 12.3 s, 4 min 05 s, 1 h 02 min. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** How a run's header shows it: its state, unless the run ended with an outcome the state rolls up. */
export interface RunDisplayState {
  key: StageState | 'partial' | 'interrupted';
  label: string;
  icon: string;
}

/**
 * A run with a failed stage has state `failed` even when its other units were done: the engine's own
 * outcome then says `partial` (or `interrupted`), and that is what the header shows, distinctly (amber).
 */
export function runDisplayState(p: ProgressPayload): RunDisplayState {
  if (p.outcome === 'partial') return { key: 'partial', label: 'partial: some units failed, others done', icon: '◐' };
  if (p.outcome === 'interrupted') return { key: 'interrupted', label: 'interrupted', icon: '■' };
  return { key: p.state, label: LABEL[p.state], icon: ICON[p.state] };
}

/** Amber for partial, grey for interrupted: inline, as these states have no stylesheet rule of their own. */
const OUTCOME_COLOUR: Partial<Record<RunDisplayState['key'], string>> = {
  partial: 'var(--jp-warn-color1, #f57c00)',
  interrupted: 'var(--jp-ui-font-color2, #757575)',
};

/** Renders one run as a card. */
export function renderRunCard(p: ProgressPayload, options: RunViewOptions): HTMLElement {
  const card = el('section', Css.run);
  card.dataset.runId = p.runId;
  card.dataset.state = runDisplayState(p).key;
  card.append(renderHeader(p, options));
  if (options.note) card.append(el('div', 'sb-run-note', options.note));
  const list = el('ol', 'sb-stages');
  for (const s of p.stages) list.append(renderStage(s, options));
  card.append(list);
  return card;
}

function renderHeader(p: ProgressPayload, options: RunViewOptions): HTMLElement {
  const header = el('div', Css.runHeader);
  const shown = runDisplayState(p);
  const icon = el('span', `sb-state-icon sb-state-${shown.key}`, shown.icon);
  icon.title = shown.label;
  icon.setAttribute('aria-label', shown.label);
  const state = el('span', `sb-run-state sb-state-${shown.key}`, shown.key);
  const colour = OUTCOME_COLOUR[shown.key];
  if (colour) for (const node of [icon, state]) node.style.color = colour;
  header.append(icon, el('span', 'sb-run-title', p.pipeline ?? 'pipeline run'), el('code', 'sb-run-id', p.runId));
  header.append(state, el('span', 'sb-run-duration', formatDuration(runDurationMs(p, options.now))));
  header.title = `Run ${p.runId} started ${new Date(p.startedAt).toLocaleString()}`;
  if (options.onActivate)
    makeClickable(header, () => options.onActivate?.(), 'Scroll to the cell that ran this pipeline');
  return header;
}

function renderStage(s: StageProgress, options: RunViewOptions): HTMLElement {
  const row = el('li', Css.stage);
  row.dataset.stage = s.name;
  row.dataset.state = s.state;
  const line = el('div', 'sb-stage-line');
  line.append(
    stateIcon(s.state),
    el('span', 'sb-stage-name', s.name),
    el('span', 'sb-stage-count', countText(s)),
    el('span', 'sb-stage-duration', formatDuration(stageDurationMs(s, options.now))),
  );
  row.append(line);
  if (s.total !== undefined && s.total > 0) row.append(progressBar(s));
  if (s.message) row.append(el('div', 'sb-stage-message', s.message));
  if (s.error) {
    const err = el('div', Css.stageError);
    err.append(
      el('code', 'sb-error-code', s.error.code),
      document.createTextNode(' '),
      el('span', 'sb-error-message', s.error.message),
    );
    if (s.error.input) err.append(el('div', 'sb-error-input', `input: ${s.error.input}`));
    row.append(err);
  }
  if (options.onActivate)
    makeClickable(row, () => options.onActivate?.(s.name), `Scroll to the cell that ran stage ${s.name}`);
  return row;
}

function progressBar(s: StageProgress): HTMLElement {
  const total = s.total ?? 0;
  const n = Math.min(s.n ?? 0, total);
  const bar = el('div', 'sb-progress-bar');
  bar.setAttribute('role', 'progressbar');
  bar.setAttribute('aria-valuemin', '0');
  bar.setAttribute('aria-valuemax', String(total));
  bar.setAttribute('aria-valuenow', String(n));
  const fill = el('div', `sb-progress-fill sb-state-${s.state}`);
  fill.style.width = `${((100 * n) / total).toFixed(1)}%`;
  bar.append(fill);
  return bar;
}

function stateIcon(state: StageState): HTMLElement {
  const icon = el('span', `sb-state-icon sb-state-${state}`, ICON[state]);
  icon.title = LABEL[state];
  icon.setAttribute('aria-label', LABEL[state]);
  return icon;
}

function makeClickable(node: HTMLElement, action: () => void, title: string): void {
  node.classList.add('sb-clickable');
  node.setAttribute('role', 'button');
  node.tabIndex = 0;
  node.title = title;
  node.addEventListener('click', (e) => {
    e.stopPropagation();
    action();
  });
  node.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      action();
    }
  });
}

/** An element with a class and (optional) text content: never innerHTML. */
export function el(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
