import { describe, expect, it } from 'vitest';
import { failures, flowSnapshot, queueDepth, throughput } from './dashboard';
import { PUNCH_FLOWS_MIME, flowListPayload, showFlows, type FlowListPayload } from './flow-list';
import { punchSandbox } from './testing-fixtures';

function seed(db: ReturnType<typeof punchSandbox>['db']): void {
  const add = db.prepare(
    `INSERT INTO punch_flows (flow_level, flow_type, state, creation_time, end_time, priority, is_backprocessing, error)
     VALUES (?, ?, ?, ?, ?, 5, ?, ?)`,
  );
  add.run('1', 'level1', 'completed', 1000, 61_000, 0, null);
  add.run('1', 'level1', 'failed', 2000, 62_000, 1, JSON.stringify({ code: 'E_FITS_TRUNCATED', message: 'cut' }));
  add.run('2', 'level2', 'planned', 3000, null, 1, null);
  add.run('3', 'level3', 'planned', 4000, null, 0, null);
}

describe('flow list and dashboard queries', () => {
  it('lists the newest flows with counts; the bundle carries the MIME payload and an HTML twin', () => {
    const { db } = punchSandbox();
    seed(db);
    const p = flowListPayload(db, { limit: 3 });
    expect(p.flows.map((f) => f.flow_id)).toEqual([4, 3, 2]);
    expect(p.total).toBe(4);
    expect(p.counts).toContainEqual({ flow_level: '1', flow_type: 'level1', state: 'failed', n: 1 });
    expect(flowListPayload(db, { state: 'failed' }).flows.map((f) => f.flow_id)).toEqual([2]);
    expect(() => flowListPayload(db, { state: 'lost' })).toThrow(/state: must be one of/);
    const bundle = showFlows(db)!;
    expect((bundle.data[PUNCH_FLOWS_MIME] as FlowListPayload).total).toBe(4);
    expect(String(bundle.data['text/html'])).toContain('cut');
    expect(String(bundle.data['text/plain'])).toContain('4 of 4 flows');
  });

  it('snapshots, queue depth, throughput and failures', () => {
    const { db } = punchSandbox();
    seed(db);
    expect(flowSnapshot(db, 0).find((r) => r.state === 'planned' && r.level === '2')?.n).toBe(1);
    expect(queueDepth(db, 0).map((q) => [q.queue, q.n])).toEqual([
      ['recent', 1],
      ['back-processing', 1],
    ]);
    expect(throughput(db, 60_000).map((t) => [t.t, t.state, t.n])).toEqual([
      ['1970-01-01T00:01:00.000Z', 'completed', 1],
      ['1970-01-01T00:01:00.000Z', 'failed', 1],
    ]);
    expect(failures(db)).toEqual([
      { flow_id: 2, flow_type: 'level1', state: 'failed', code: 'E_FITS_TRUNCATED', message: 'cut' },
    ]);
  });
});
