/**
 * The stage-progress side panel: the runs of the active notebook, newest first.
 *
 * Redraws are coalesced: model changes mark the view dirty and one redraw happens per
 * `refreshIntervalMs` at most (a pipeline can send hundreds of count updates per second; the
 * library already thins them to 4/s per run, several runs add up). While a stage runs, a ticker
 * redraws at the same rate so its duration keeps counting between messages.
 */
import { Widget } from '@lumino/widgets';
import { Css } from '../constants';
import type { ProgressChange, ProgressModel, RunRecord } from './model';
import { el, renderRunCard, runDisplayState } from './run-view';

export interface StageProgressPanelOptions {
  model: ProgressModel;
  /** Minimum time between redraws, ms (settings: refreshIntervalMs, default 250). */
  refreshIntervalMs?: number;
  /** Clicked a run (stage undefined) or a stage row. */
  onActivate?: (run: RunRecord, stage?: string) => void;
  /** Clock (tests). */
  now?: () => number;
}

export class StageProgressPanel extends Widget {
  readonly model: ProgressModel;
  private interval: number;
  private readonly onActivate?: (run: RunRecord, stage?: string) => void;
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastRender = 0;
  private readonly header = document.createElement('div');
  private readonly list = document.createElement('div');
  private readonly footer = document.createElement('div');
  /** Redraws done (tests and the coalescing check). */
  renderCount = 0;

  constructor(options: StageProgressPanelOptions) {
    super();
    this.model = options.model;
    this.interval = Math.max(16, options.refreshIntervalMs ?? 250);
    this.onActivate = options.onActivate;
    this.now = options.now ?? Date.now;
    this.addClass(Css.panel);
    this.header.className = 'sb-panel-header';
    this.list.className = 'sb-panel-runs';
    this.footer.className = 'sb-panel-footer';
    this.node.append(this.header, this.list, this.footer);
    this.model.changed.connect(this.onModelChanged, this);
    this.renderNow();
  }

  get refreshIntervalMs(): number {
    return this.interval;
  }

  set refreshIntervalMs(ms: number) {
    this.interval = Math.max(16, ms);
    this.scheduleRender();
  }

  dispose(): void {
    if (this.isDisposed) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.model.changed.disconnect(this.onModelChanged, this);
    super.dispose();
  }

  /** Redraws at once (also used by tests). */
  renderNow(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.lastRender = this.now();
    this.renderCount++;
    const id = this.model.activeNotebookId;
    const runs = id ? this.model.runs(id) : [];
    this.renderHeader(id, runs);
    this.list.replaceChildren(...(runs.length ? runs.map((r) => this.renderRun(r)) : [this.emptyState(id)]));
    this.renderFooter(id);
    if (runs.some((r) => r.payload.state === 'running')) this.scheduleRender();
  }

  private onModelChanged(_: ProgressModel, change: ProgressChange): void {
    const id = this.model.activeNotebookId;
    if (change.notebookId !== undefined && change.notebookId !== id && change.kind !== 'active') return;
    if (change.kind === 'active' || change.kind === 'reset' || change.kind === 'clear') this.renderNow();
    else this.scheduleRender();
  }

  private scheduleRender(): void {
    if (this.timer !== null || this.isDisposed) return;
    const wait = Math.max(0, this.lastRender + this.interval - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.isDisposed) this.renderNow();
    }, wait);
  }

  private renderRun(run: RunRecord): HTMLElement {
    return renderRunCard(run.payload, {
      now: this.now(),
      onActivate: this.onActivate ? (stage) => this.onActivate?.(run, stage) : undefined,
      note: run.source === 'saved' ? 'from the saved outputs' : undefined,
    });
  }

  private renderHeader(id: string | null, runs: RunRecord[]): void {
    const path = id ? (this.model.pathOf(id) ?? id) : null;
    const shown = runs.map((r) => runDisplayState(r.payload).key);
    const count = (key: string): number => shown.filter((k) => k === key).length;
    const parts = [`${runs.length} run${runs.length === 1 ? '' : 's'}`];
    // a partial run is not counted as failed (issue 21): its other units were done
    for (const key of ['running', 'failed', 'partial', 'interrupted'])
      if (count(key)) parts.push(`${count(key)} ${key}`);
    this.header.replaceChildren(
      el('div', 'sb-panel-title', 'Stage progress'),
      el('div', 'sb-panel-notebook', path ? `${basename(path)} · ${parts.join(' · ')}` : 'No notebook selected'),
    );
    if (path) this.header.title = path;
  }

  private renderFooter(id: string | null): void {
    const invalid = id ? this.model.invalidOf(id) : { count: 0 };
    const resets = id ? this.model.resetsOf(id) : 0;
    const lines: HTMLElement[] = [];
    if (invalid.count > 0) {
      const first = invalid.last?.[0];
      lines.push(
        el(
          'div',
          'sb-panel-warning',
          `${invalid.count} progress message(s) ignored: ${first ? `${first.path}: ${first.message}` : 'invalid payload'}`,
        ),
      );
    }
    if (resets > 0) lines.push(el('div', 'sb-panel-note', `kernel restarted ${resets}×: earlier runs cleared`));
    this.footer.replaceChildren(...lines);
  }

  private emptyState(id: string | null): HTMLElement {
    return el(
      'div',
      'sb-panel-empty',
      id
        ? 'No pipeline runs in this notebook yet. Runs appear here when a cell shows progress, e.g. showPipelineProgress({ pipeline }) before runPipeline(...).'
        : 'Open a notebook to follow its pipeline runs.',
    );
  }
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
