import { describe, expect, it } from 'vitest';
import { PROGRESS_MIME } from 'stagebook/progress-schema';
import { FakeCell, FakeKernel, FakeNotebook, FakeTracker, flushPromises, loadRecording } from '../test-support/fakes';
import { ProgressModel } from './model';
import { NotebookProgressWatcher } from './watcher';

const failureRecording = loadRecording('iopub-stage-failure.json');
const xpcsRecording = loadRecording('iopub-xpcs.json');

function setup(): { tracker: FakeTracker; model: ProgressModel; watcher: NotebookProgressWatcher } {
  const tracker = new FakeTracker();
  const model = new ProgressModel();
  return { tracker, model, watcher: new NotebookProgressWatcher(tracker, model) };
}

describe('NotebookProgressWatcher on recorded tslab traffic', () => {
  it('follows a failing run to its end: stages in order, the failed stage with its error, the cell that ran it', () => {
    const { tracker, model } = setup();
    const nb = new FakeNotebook('nb-1', 'work/stage-failure.ipynb', [new FakeCell('cell-1'), new FakeCell('cell-2')]);
    tracker.add(nb);
    nb.sessionContext.replay(failureRecording);
    const [run] = model.runs('nb-1');
    expect(run.payload.pipeline).toBe('e2e-failure');
    expect(run.payload.state).toBe('failed');
    expect(run.payload.stages.map((s) => [s.name, s.state])).toEqual([
      ['prepare', 'succeeded'],
      ['calibrate', 'failed'],
      ['publish', 'pending'],
    ]);
    expect(run.payload.stages[1].error?.message).toBe('calibrate: dark frame missing for frame-002');
    expect(run.cellId).toBe('cell-2');
    expect(run.displayId).toMatch(/^stagebook-progress-/);
    expect(model.activeNotebookId).toBe('nb-1');
  });

  it('sees every intermediate state of a successful run in arrival order', () => {
    const { tracker, model } = setup();
    const nb = new FakeNotebook('nb-x', 'xpcs.ipynb', []);
    tracker.add(nb);
    const seen: string[] = [];
    model.changed.connect((_, c) => {
      if (c.kind === 'run')
        seen.push(
          model
            .run(c.runKey!)!
            .payload.stages.map((s) => s.state)
            .join(','),
        );
    });
    nb.sessionContext.replay(xpcsRecording);
    expect(seen).toEqual(['running,pending', 'succeeded,pending', 'succeeded,running', 'succeeded,succeeded']);
    expect(model.runs('nb-x')[0].payload.state).toBe('succeeded');
  });

  it("keeps each notebook's runs when switching notebooks, and clears one notebook on its kernel restart", () => {
    const { tracker, model } = setup();
    const a = new FakeNotebook('a', 'a.ipynb', []);
    const b = new FakeNotebook('b', 'b.ipynb', []);
    tracker.add(a);
    a.sessionContext.replay(failureRecording);
    tracker.add(b);
    b.sessionContext.replay(xpcsRecording);
    expect(model.activeNotebookId).toBe('b');
    tracker.setCurrent(a);
    expect(model.activeNotebookId).toBe('a');
    expect(model.runs('a')).toHaveLength(1);
    expect(model.runs('b')).toHaveLength(1);
    a.sessionContext.statusChanged.emit('restarting');
    a.sessionContext.statusChanged.emit('restarting'); // JupyterLab announces one restart twice
    expect(model.runs('a')).toHaveLength(0);
    expect(model.resetsOf('a')).toBe(1);
    expect(model.runs('b')).toHaveLength(1);
    // the restarted kernel's runs are followed as before
    a.sessionContext.replay(failureRecording);
    expect(model.runs('a')).toHaveLength(1);
  });

  it('resets on a switch to another kernel, not on the first kernel of a new notebook', () => {
    const { tracker, model } = setup();
    const nb = new FakeNotebook('nb', 'nb.ipynb', [], null);
    tracker.add(nb);
    nb.sessionContext.switchKernel(new FakeKernel('k1'));
    nb.sessionContext.replay(failureRecording);
    expect(model.runs('nb')).toHaveLength(1);
    expect(model.runs('nb')[0].cellId).toBe('cell-2'); // execute_requests followed on the new kernel
    nb.sessionContext.switchKernel(new FakeKernel('k2'));
    expect(model.runs('nb')).toHaveLength(0);
  });

  it('seeds runs from the saved outputs of a notebook opened after it ran', async () => {
    const { tracker, model } = setup();
    const last = [...failureRecording]
      .reverse()
      .find((e) => (e.msg.content as { data?: Record<string, unknown> }).data?.[PROGRESS_MIME])!;
    const data = (last.msg.content as { data: Record<string, unknown> }).data;
    const nb = new FakeNotebook('nb', 'shared.ipynb', [
      new FakeCell('md'),
      new FakeCell('ran-it', [{ output_type: 'display_data', data, metadata: {} }]),
    ]);
    tracker.add(nb);
    await flushPromises();
    const [run] = model.runs('nb');
    expect(run.source).toBe('saved');
    expect(run.cellId).toBe('ran-it');
    expect(run.payload.state).toBe('failed');
  });

  it('counts a malformed payload instead of failing, and forgets a closed notebook', () => {
    const { tracker, model } = setup();
    const nb = new FakeNotebook('nb', 'nb.ipynb', []);
    tracker.add(nb);
    nb.sessionContext.iopubMessage.emit({
      header: { msg_type: 'display_data' },
      parent_header: {},
      content: { data: { [PROGRESS_MIME]: { version: 1, runId: 'r', state: 'exploded' } }, transient: {} },
    });
    expect(model.invalidOf('nb').count).toBe(1);
    expect(model.invalidOf('nb').last?.map((i) => i.path)).toContain('state');
    nb.disposed.emit();
    expect(model.notebookIds()).toEqual([]);
    nb.sessionContext.replay(failureRecording); // no longer followed
    expect(model.notebookIds()).toEqual([]);
  });

  it('disconnects everything on dispose', () => {
    const { tracker, model, watcher } = setup();
    const nb = new FakeNotebook('nb', 'nb.ipynb', []);
    tracker.add(nb);
    watcher.dispose();
    nb.sessionContext.replay(failureRecording);
    expect(model.runs('nb')).toHaveLength(0);
    tracker.add(new FakeNotebook('nb2', 'nb2.ipynb', []));
    expect(model.pathOf('nb2')).toBeUndefined();
  });
});
