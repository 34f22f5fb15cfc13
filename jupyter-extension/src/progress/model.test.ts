import { describe, expect, it } from 'vitest';
import type { ProgressPayload } from 'stagebook/progress-schema';
import { ProgressModel, type ProgressChange } from './model';

const at = (s: number): string => new Date(Date.UTC(2026, 10, 21, 12, 0, s)).toISOString();
const payload = (
  runId: string,
  startedS: number,
  updatedS: number,
  state: ProgressPayload['state'] = 'running',
): ProgressPayload => ({
  version: 1,
  runId,
  pipeline: 'p',
  state,
  startedAt: at(startedS),
  updatedAt: at(updatedS),
  stages: [{ name: 'a', state }],
});

describe('ProgressModel', () => {
  it('keeps one record per run, replaced by each newer payload, newest run first', () => {
    const m = new ProgressModel();
    m.apply('nb1', payload('r1', 0, 1));
    m.apply('nb1', payload('r2', 5, 6));
    m.apply('nb1', payload('r1', 0, 9, 'succeeded'), { cellId: 'c1' });
    const runs = m.runs('nb1');
    expect(runs.map((r) => r.runId)).toEqual(['r2', 'r1']);
    expect(runs[1].payload.state).toBe('succeeded');
    expect(runs[1].cellId).toBe('c1');
    expect(runs[1].key).toBe('nb1/r1');
  });

  it('ignores a payload older than the stored one (saved outputs read after live updates)', () => {
    const m = new ProgressModel();
    m.apply('nb', payload('r', 0, 10, 'succeeded'), { source: 'live' });
    expect(m.apply('nb', payload('r', 0, 3, 'running'), { source: 'saved' })).toBeNull();
    expect(m.runs('nb')[0].payload.state).toBe('succeeded');
    expect(m.runs('nb')[0].source).toBe('live');
  });

  it('drops the oldest runs beyond maxRuns, also when the limit is lowered', () => {
    const m = new ProgressModel({ maxRuns: 3 });
    for (let i = 0; i < 5; i++) m.apply('nb', payload(`r${i}`, i, i));
    expect(m.runs('nb').map((r) => r.runId)).toEqual(['r4', 'r3', 'r2']);
    m.maxRuns = 1;
    expect(m.runs('nb').map((r) => r.runId)).toEqual(['r4']);
    expect(m.apply('nb', payload('old', -10, 0))).toBeNull();
  });

  it('keeps notebooks apart: reset clears one notebook, switching the active one keeps both', () => {
    const m = new ProgressModel();
    const changes: ProgressChange[] = [];
    m.changed.connect((_, c) => changes.push(c));
    m.apply('a', payload('r1', 0, 0));
    m.apply('b', payload('r2', 0, 0));
    m.activeNotebookId = 'b';
    m.activeNotebookId = 'a';
    expect(m.runs('a')).toHaveLength(1);
    expect(m.runs('b')).toHaveLength(1);
    m.reset('a');
    expect(m.runs('a')).toHaveLength(0);
    expect(m.resetsOf('a')).toBe(1);
    expect(m.runs('b')).toHaveLength(1);
    expect(changes.map((c) => c.kind)).toEqual(['run', 'run', 'active', 'active', 'reset']);
  });

  it('counts invalid payloads, and forgets a closed notebook', () => {
    const m = new ProgressModel();
    m.noteInvalid('nb', [{ path: 'state', message: 'bad' }]);
    m.noteInvalid('nb', [{ path: 'runId', message: 'missing' }]);
    expect(m.invalidOf('nb')).toEqual({ count: 2, last: [{ path: 'runId', message: 'missing' }] });
    m.activeNotebookId = 'nb';
    m.forget('nb');
    expect(m.notebookIds()).toEqual([]);
    expect(m.activeNotebookId).toBeNull();
  });

  it('finds a run by key even when the notebook id contains slashes', () => {
    const m = new ProgressModel();
    m.apply('notebook:dir/a.ipynb', payload('r9', 0, 0));
    expect(m.run('notebook:dir/a.ipynb/r9')?.runId).toBe('r9');
    m.clear('notebook:dir/a.ipynb');
    expect(m.run('notebook:dir/a.ipynb/r9')).toBeUndefined();
  });
});
