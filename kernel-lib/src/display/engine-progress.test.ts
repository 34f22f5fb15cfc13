import { describe, expect, it, vi } from 'vitest';
import type { StagebookEvent } from '../events/emitter';
import { toStageProgress } from './engine-progress';

const ev = (type: StagebookEvent['type'], extra: Partial<StagebookEvent> = {}): StagebookEvent => ({
  type,
  runId: 'r1',
  pipeline: 'p',
  at: 1000,
  stage: 's',
  ...extra,
});

describe('engine events -> progress display', () => {
  it('rolls units up into the stage state', () => {
    const tally = new Map();
    expect(toStageProgress(ev('stage-started', { unit: 'a' }), tally)?.state).toBe('running');
    expect(toStageProgress(ev('stage-started', { unit: 'b' }), tally)?.state).toBe('running');
    expect(toStageProgress(ev('stage-finished', { unit: 'a', at: 1500 }), tally)?.state).toBe('running');
    const done = toStageProgress(ev('stage-finished', { unit: 'b', at: 2000 }), tally)!;
    expect(done.state).toBe('succeeded');
    expect(done.n).toBe(2);
    expect(done.durationMs).toBe(1000);
  });

  it('marks a stage cached only when every unit was a cache hit, failed when any unit failed', () => {
    const cached = new Map();
    toStageProgress(ev('stage-skipped-cached'), cached);
    expect(toStageProgress(ev('stage-skipped-cached'), cached)?.state).toBe('cached');
    const failed = new Map();
    toStageProgress(ev('stage-started'), failed);
    const f = toStageProgress(
      ev('stage-failed', { unit: 'x.txt', error: { code: 'E_STAGE_FAILED', message: 'boom' } }),
      failed,
    )!;
    expect(f.state).toBe('failed');
    expect(f.error).toEqual({ code: 'E_STAGE_FAILED', message: 'boom', stage: 's', input: 'x.txt' });
  });

  it('names the BullMQ worker running a unit (the panel shows which worker runs what)', () => {
    const tally = new Map();
    const started = toStageProgress(ev('stage-started', { unit: 'incoming/a.txt', worker: 'w2', attempt: 1 }), tally)!;
    expect(started.message).toBe('incoming/a.txt [w2]');
    const p = toStageProgress(
      ev('progress', { unit: 'incoming/a.txt', n: 1, total: 2, message: 'half', worker: 'w2' }),
      tally,
    )!;
    expect(p.message).toBe('half [w2]');
    expect(toStageProgress(ev('stage-started', { unit: 'b' }), tally)!.message).toBe('b');
  });

  it('keeps a stage running between its units until every planned unit is done', () => {
    const tally = new Map();
    expect(toStageProgress(ev('stage-started', { unit: 'a', total: 2 }), tally)?.state).toBe('running');
    const between = toStageProgress(ev('stage-finished', { unit: 'a', at: 1500 }), tally)!;
    expect([between.state, between.n, between.total]).toEqual(['running', 1, 2]);
    expect(toStageProgress(ev('stage-started', { unit: 'b', total: 2 }), tally)?.state).toBe('running');
    expect(toStageProgress(ev('stage-finished', { unit: 'b', at: 2000 }), tally)?.state).toBe('succeeded');
  });

  it('ignores run-level and log events', () => {
    expect(toStageProgress(ev('log'), new Map())).toBeNull();
    expect(toStageProgress({ type: 'run-started', runId: 'r', pipeline: 'p', at: 0 }, new Map())).toBeNull();
  });
});

describe('showPipelineProgress', () => {
  it('lists every stage of the pipeline up front and publishes payloads that satisfy the shared schema', async () => {
    const published: Array<{ data: Record<string, unknown> }> = [];
    vi.resetModules();
    vi.doMock('./bundle', async (orig) => ({
      ...(await orig<typeof import('./bundle')>()),
      publish: (b: { data: Record<string, unknown> }) => {
        published.push(b);
        return b;
      },
    }));
    const { showPipelineProgress } = await import('./engine-progress');
    const { EventBus } = await import('../events/emitter');
    const { progressPayloadSchema, PROGRESS_MIME } = await import('./progress-schema');
    const bus = new EventBus();
    const stop = showPipelineProgress({
      bus,
      pipeline: { stages: [{ name: 'prepare' }, { name: 'calibrate' }, { name: 'publish' }] },
    });
    bus.emit(ev('stage-started', { stage: 'prepare', unit: 'a' }));
    bus.emit(ev('stage-finished', { stage: 'prepare', unit: 'a', at: 1200 }));
    bus.emit(ev('stage-started', { stage: 'calibrate', unit: 'a', at: 1300 }));
    bus.emit(
      ev('stage-failed', {
        stage: 'calibrate',
        unit: 'a',
        at: 1400,
        error: { code: 'E_STAGE_FAILED', message: 'dark frame missing' },
      }),
    );
    bus.emit({ type: 'run-finished', runId: 'r1', pipeline: 'p', at: 1500 });
    stop();
    vi.doUnmock('./bundle');
    expect(published.length).toBeGreaterThanOrEqual(3);
    const last = progressPayloadSchema.parse(published.at(-1)!.data[PROGRESS_MIME]);
    expect(last.stages.map((s) => [s.name, s.state])).toEqual([
      ['prepare', 'succeeded'],
      ['calibrate', 'failed'],
      ['publish', 'pending'],
    ]);
    expect(last.state).toBe('failed');
    expect(last.error).toMatchObject({ code: 'E_STAGE_FAILED', message: 'dark frame missing', stage: 'calibrate' });
    for (const b of published) expect(progressPayloadSchema.safeParse(b.data[PROGRESS_MIME]).success).toBe(true);
  });

  it('rejects a malformed payload with issues that name the field', async () => {
    const { parseProgressPayload } = await import('./progress-schema');
    const r = parseProgressPayload({
      version: 1,
      runId: 'r',
      state: 'exploded',
      startedAt: 'x',
      updatedAt: new Date().toISOString(),
      stages: [{ name: '', state: 'succeeded' }],
    });
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['state', 'startedAt', 'stages[0].name'])); // zod's path notation
  });

  it('accepts a payload sent as a JSON string (a kernel may send +json values as text), and reports text that is not JSON', async () => {
    const { parseProgressPayload, countText } = await import('./progress-schema');
    const now = new Date().toISOString();
    const ok = parseProgressPayload(
      JSON.stringify({
        version: 1,
        runId: 'r',
        state: 'succeeded',
        startedAt: now,
        updatedAt: now,
        stages: [{ name: 'a', state: 'succeeded', n: 2, total: 2 }],
      }),
    );
    expect(ok.ok && ok.payload.stages[0].name).toBe('a');
    const bad = parseProgressPayload('{not json');
    expect(bad.ok ? [] : bad.issues.map((i) => i.path)).toEqual(['(root)']);
    expect([countText({ n: 1, total: 3 }), countText({ total: 3 }), countText({ n: 4 }), countText({})]).toEqual([
      '1/3',
      '0/3',
      '4',
      '',
    ]);
  });
});
