import { afterEach, describe, expect, it, vi } from 'vitest';
import { Widget } from '@lumino/widgets';
import type { ProgressPayload } from 'stagebook/progress-schema';
import { FakeCell, FakeNotebook, FakeTracker, loadRecording } from '../test-support/fakes';
import { ProgressModel, type RunRecord } from './model';
import { StageProgressPanel } from './panel';
import { NotebookProgressWatcher } from './watcher';

const failureRecording = loadRecording('iopub-stage-failure.json');
const xpcsRecording = loadRecording('iopub-xpcs.json');

function mount(panel: Widget): void {
  Widget.attach(panel, document.body);
}

describe('StageProgressPanel', () => {
  let panel: StageProgressPanel | null = null;
  afterEach(() => {
    panel?.dispose();
    panel = null;
    vi.useRealTimers();
  });

  function build(onActivate?: (run: RunRecord, stage?: string) => void): {
    model: ProgressModel;
    tracker: FakeTracker;
  } {
    const model = new ProgressModel();
    const tracker = new FakeTracker();
    new NotebookProgressWatcher(tracker, model);
    panel = new StageProgressPanel({ model, refreshIntervalMs: 250, onActivate });
    mount(panel);
    return { model, tracker };
  }

  it('shows a failed run from recorded messages: stage states, counts, the error, the notebook name', () => {
    const { tracker } = build();
    const nb = new FakeNotebook('nb', 'work/stage-failure.ipynb', [new FakeCell('cell-2')]);
    tracker.add(nb);
    nb.sessionContext.replay(failureRecording);
    panel!.renderNow();
    const node = panel!.node;
    const run = node.querySelector<HTMLElement>('.sb-run')!;
    expect(run.dataset.state).toBe('failed');
    const stages = [...node.querySelectorAll<HTMLElement>('.sb-stage')].map((s) => [
      s.dataset.stage,
      s.dataset.state,
      s.querySelector('.sb-stage-count')?.textContent,
    ]);
    expect(stages).toEqual([
      ['prepare', 'succeeded', '3/3'],
      ['calibrate', 'failed', '1/3'],
      ['publish', 'pending', ''],
    ]);
    const error = node.querySelector('.sb-stage[data-stage="calibrate"] .sb-stage-error')!;
    expect(error.textContent).toContain('E_INVALID_ARGUMENT');
    expect(error.textContent).toContain('calibrate: dark frame missing for frame-002');
    expect(error.textContent).toContain('input: L0/frame-002.txt');
    expect(node.querySelector('.sb-panel-notebook')!.textContent).toBe('stage-failure.ipynb · 1 run · 1 failed');
    // progress bar of the failed stage: 1 of 3
    const bar = node.querySelector('.sb-stage[data-stage="calibrate"] [role="progressbar"]')!;
    expect([bar.getAttribute('aria-valuenow'), bar.getAttribute('aria-valuemax')]).toEqual(['1', '3']);
  });

  it('shows the active notebook only and keeps the others for when they come back', () => {
    const { tracker } = build();
    const a = new FakeNotebook('a', 'a.ipynb', []);
    const b = new FakeNotebook('b', 'b.ipynb', []);
    tracker.add(a);
    a.sessionContext.replay(failureRecording);
    tracker.add(b);
    b.sessionContext.replay(xpcsRecording);
    panel!.renderNow();
    expect(panel!.node.querySelector<HTMLElement>('.sb-run')!.dataset.state).toBe('succeeded');
    tracker.setCurrent(a); // 'active' changes redraw at once
    expect(panel!.node.querySelector<HTMLElement>('.sb-run')!.dataset.state).toBe('failed');
    tracker.setCurrent(null);
    expect(panel!.node.querySelector('.sb-panel-empty')!.textContent).toMatch(/Open a notebook/);
  });

  it('calls back with the run and the stage on click and on Enter', () => {
    const clicks: Array<[string, string | undefined]> = [];
    const { tracker } = build((run, stage) => clicks.push([run.runId, stage]));
    const nb = new FakeNotebook('nb', 'nb.ipynb', []);
    tracker.add(nb);
    nb.sessionContext.replay(failureRecording);
    panel!.renderNow();
    const runId = panel!.node.querySelector<HTMLElement>('.sb-run')!.dataset.runId!;
    panel!.node.querySelector<HTMLElement>('.sb-stage[data-stage="calibrate"]')!.click();
    panel!.node
      .querySelector<HTMLElement>('.sb-run-header')!
      .dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect(clicks).toEqual([
      [runId, 'calibrate'],
      [runId, undefined],
    ]);
  });

  it('coalesces a burst of updates into one redraw per refresh interval and ticks running durations', () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-21T12:00:00Z') });
    const { model } = build();
    model.activeNotebookId = 'nb';
    const base = panel!.renderCount;
    const start = new Date().toISOString();
    for (let i = 1; i <= 100; i++) {
      const p: ProgressPayload = {
        version: 1,
        runId: 'r',
        state: 'running',
        startedAt: start,
        updatedAt: new Date().toISOString(),
        stages: [{ name: 'download', state: 'running', n: i, total: 100, startedAt: start }],
      };
      model.apply('nb', p);
    }
    expect(panel!.renderCount).toBe(base); // nothing drawn synchronously
    vi.advanceTimersByTime(250);
    expect(panel!.renderCount).toBe(base + 1);
    expect(panel!.node.querySelector('.sb-stage-count')!.textContent).toBe('100/100');
    expect(panel!.node.querySelector('.sb-stage-duration')!.textContent).toBe('0.25 s');
    vi.advanceTimersByTime(2000); // still running: the ticker keeps the duration moving
    expect(panel!.node.querySelector('.sb-stage-duration')!.textContent).toBe('2.25 s');
    expect(panel!.renderCount).toBeLessThanOrEqual(base + 1 + 2000 / 250);
  });

  it('reports ignored payloads, then a kernel restart (which clears them), in the footer', () => {
    const { tracker, model } = build();
    const nb = new FakeNotebook('nb', 'nb.ipynb', []);
    tracker.add(nb);
    nb.sessionContext.replay(failureRecording);
    model.noteInvalid('nb', [{ path: 'stages.0.state', message: 'Invalid option' }]);
    panel!.renderNow();
    expect(panel!.node.querySelector('.sb-panel-warning')!.textContent).toBe(
      '1 progress message(s) ignored: stages.0.state: Invalid option',
    );
    nb.sessionContext.statusChanged.emit('autorestarting');
    expect(panel!.node.querySelector('.sb-panel-warning')).toBeNull();
    expect(panel!.node.querySelector('.sb-panel-note')!.textContent).toBe('kernel restarted 1×: earlier runs cleared');
    expect(panel!.node.querySelectorAll('.sb-run')).toHaveLength(0);
  });
});
