import { describe, expect, it } from 'vitest';
import type { StagebookEvent } from '../events/emitter';
import { toStageProgress } from './engine-progress';

const ev = (type: StagebookEvent['type'], extra: Partial<StagebookEvent> = {}): StagebookEvent => ({ type, runId: 'r1', pipeline: 'p', at: 1000, stage: 's', ...extra });

describe('engine events -> progress display', () => {
  it('rolls units up into the stage state', () => {
    const tally = new Map();
    expect(toStageProgress(ev('stage-started', { unit: 'a' }), tally)?.state).toBe('running');
    expect(toStageProgress(ev('stage-started', { unit: 'b' }), tally)?.state).toBe('running');
    expect(toStageProgress(ev('stage-finished', { unit: 'a', at: 1500 }), tally)?.state).toBe('running');
    const done = toStageProgress(ev('stage-finished', { unit: 'b', at: 2000 }), tally)!;
    expect(done.state).toBe('done');
    expect(done.n).toBe(2);
    expect(done.durationMs).toBe(1000);
  });

  it('marks a stage cached only when every unit was a cache hit, failed when any unit failed', () => {
    const cached = new Map();
    toStageProgress(ev('stage-skipped-cached'), cached);
    expect(toStageProgress(ev('stage-skipped-cached'), cached)?.state).toBe('cached');
    const failed = new Map();
    toStageProgress(ev('stage-started'), failed);
    const f = toStageProgress(ev('stage-failed', { unit: 'x.txt', error: { code: 'E_STAGE_FAILED', message: 'boom' } }), failed)!;
    expect(f.state).toBe('failed');
    expect(f.error).toEqual({ code: 'E_STAGE_FAILED', message: 'boom', stage: 's', input: 'x.txt' });
  });

  it('ignores run-level and log events', () => {
    expect(toStageProgress(ev('log'), new Map())).toBeNull();
    expect(toStageProgress({ type: 'run-started', runId: 'r', pipeline: 'p', at: 0 }, new Map())).toBeNull();
  });
});
