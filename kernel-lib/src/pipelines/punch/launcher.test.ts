import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { FlowExecutor, FlowLaunch, SubmitAnswer } from './flow-executor';
import { launchPass, staggerDelays } from './launcher';
import { punchSandbox } from './testing-fixtures';

const NOW = Date.UTC(2026, 0, 20, 12, 0, 0);

function addFlow(
  db: Database.Database,
  f: { type?: string; priority?: number; ageSeconds?: number; back?: boolean; state?: string },
): number {
  return Number(
    db
      .prepare(
        `INSERT INTO punch_flows (flow_level, flow_type, state, creation_time, priority, is_backprocessing, call_data)
         VALUES ('1', ?, ?, ?, ?, ?, '{"input_data":[],"output_filename":[]}')`,
      )
      .run(f.type ?? 'level1', f.state ?? 'planned', NOW - (f.ageSeconds ?? 0) * 1000, f.priority ?? 5, f.back ? 1 : 0)
      .lastInsertRowid,
  );
}

/** Accepts (or refuses, by flow id) and records every launch. */
class RecordingExecutor implements FlowExecutor {
  launches: FlowLaunch[] = [];
  constructor(
    private readonly answer: (l: FlowLaunch) => SubmitAnswer = (l) => ({ accepted: true, runRef: `run-${l.flowId}` }),
  ) {}
  async submit(l: FlowLaunch): Promise<SubmitAnswer> {
    this.launches.push(l);
    return this.answer(l);
  }
  async cancel(): Promise<void> {}
}

function states(db: Database.Database): Record<string, string> {
  const rows = db.prepare(`SELECT flow_id, state FROM punch_flows ORDER BY flow_id`).all() as Array<{
    flow_id: number;
    state: string;
  }>;
  return Object.fromEntries(rows.map((r) => [r.flow_id, r.state]));
}

describe('launcher', () => {
  it('escalates priorities by waiting time (seconds[i] -> escalation[i]) and never lowers one', async () => {
    const { db, config } = punchSandbox({
      flows: {
        level1: { enabled: false, priority: { initial: 5, seconds: [30, 120, 600], escalation: [10, 20, 30] } },
      },
    });
    const ids = [10, 30, 60, 120, 1000].map((age) => addFlow(db, { ageSeconds: age }));
    const high = addFlow(db, { ageSeconds: 1000, priority: 50 });
    const r = await launchPass(db, config, new RecordingExecutor(), { now: NOW });
    const prio = db.prepare(`SELECT flow_id, priority FROM punch_flows ORDER BY flow_id`).all();
    expect(prio).toEqual([
      { flow_id: ids[0], priority: 5 },
      { flow_id: ids[1], priority: 10 }, // exactly 30 s: inclusive
      { flow_id: ids[2], priority: 10 },
      { flow_id: ids[3], priority: 20 },
      { flow_id: ids[4], priority: 30 },
      { flow_id: high, priority: 50 },
    ]);
    expect(r.escalated).toBe(4);
    expect(r.accepted).toEqual([]); // level1 disabled: escalated, never launched
  });

  it('launches in order is_backprocessing asc, priority desc, creation_time asc', async () => {
    const { db, config } = punchSandbox({
      control: { launcher: { max_weight_running: 100, max_flows_to_launch_at_once: 100 } },
    });
    const a = addFlow(db, { priority: 5, ageSeconds: 10 });
    const b = addFlow(db, { priority: 9, ageSeconds: 5 });
    const c = addFlow(db, { priority: 9, ageSeconds: 50 });
    const d = addFlow(db, { priority: 99, ageSeconds: 500, back: true });
    const e = addFlow(db, { priority: 5, ageSeconds: 20 });
    const ex = new RecordingExecutor();
    await launchPass(db, config, ex, { now: NOW });
    expect(ex.launches.map((l) => l.flowId)).toEqual([c, b, e, a, d]);
    expect(Object.values(states(db))).toEqual(['launched', 'launched', 'launched', 'launched', 'launched']);
    expect(db.prepare(`SELECT DISTINCT launch_time AS t FROM punch_flows`).all()).toEqual([{ t: NOW }]);
    expect(db.prepare(`SELECT flow_run_id FROM punch_flows WHERE flow_id = ?`).get(c)).toEqual({
      flow_run_id: `run-${c}`,
    });
  });

  it('batches same-type flows into runs of batch_size, each run costing launch_weight, within max_weight_running', async () => {
    const { db, config } = punchSandbox({
      control: { launcher: { max_weight_running: 5, max_flows_to_launch_at_once: 100 } },
      flows: { level1: { batch_size: 3, launch_weight: 2 }, level3: { launch_weight: 1 } },
    });
    addFlow(db, { type: 'level3', state: 'running' }); // 1 of the 5 in use
    const ids = Array.from({ length: 7 }, (_, i) => addFlow(db, { ageSeconds: 100 - i }));
    const ex = new RecordingExecutor();
    const r = await launchPass(db, config, ex, { now: NOW });
    expect(r.runningWeight).toBe(1);
    // two runs of weight 2 fit in the remaining 4; the third would exceed the budget
    expect(ex.launches.map((l) => l.batchFlowIds)).toEqual([ids.slice(0, 3), ids.slice(3, 6)]);
    expect(ex.launches[0]).toMatchObject({ flowId: ids[0], flowType: 'level1', launchWeight: 2 });
    expect((ex.launches[0].callData as unknown[]).length).toBe(3);
    expect(states(db)[ids[6]]).toBe('planned');
    // next pass: 1 (level3) + 2 runs x 2 = 5 in use, nothing fits
    const again = await launchPass(db, config, ex, { now: NOW });
    expect([again.runningWeight, again.accepted.length]).toEqual([5, 0]);
  });

  it('takes at most max_flows_to_launch_at_once flows per pass', async () => {
    const { db, config } = punchSandbox({
      control: { launcher: { max_weight_running: 100, max_flows_to_launch_at_once: 3 } },
    });
    for (let i = 0; i < 5; i++) addFlow(db, {});
    const r = await launchPass(db, config, new RecordingExecutor(), { now: NOW });
    expect(r.accepted.length).toBe(3);
    expect(Object.values(states(db)).filter((s) => s === 'planned').length).toBe(2);
  });

  it('staggers runs in chunks spread over launch_time_window_minutes (waiting through the injected sleep)', async () => {
    expect(staggerDelays(3, 1, 10)).toEqual([0, 20_000, 40_000]);
    expect(staggerDelays(12, 1, 10)).toEqual([
      0, 0, 10_000, 10_000, 20_000, 20_000, 30_000, 30_000, 40_000, 40_000, 50_000, 50_000,
    ]);
    expect(staggerDelays(4, 0, 10)).toEqual([0, 0, 0, 0]);
    const { db, config } = punchSandbox({
      control: { launcher: { max_weight_running: 100, launch_time_window_minutes: 1, stagger_chunk_seconds: 10 } },
    });
    for (let i = 0; i < 3; i++) addFlow(db, {});
    const slept: number[] = [];
    const r = await launchPass(db, config, new RecordingExecutor(), {
      now: NOW,
      sleep: async (ms) => void slept.push(ms),
    });
    expect(slept).toEqual([20_000, 20_000]);
    expect(r.accepted.map((a) => a.delayMs)).toEqual([0, 20_000, 40_000]);
  });

  it('reverts a refused launch (and one whose submit throws) to planned, clearing launch_time', async () => {
    const { db, config } = punchSandbox({ control: { launcher: { max_weight_running: 100 } } });
    const [a, b, c] = [addFlow(db, { ageSeconds: 3 }), addFlow(db, { ageSeconds: 2 }), addFlow(db, { ageSeconds: 1 })];
    const ex = new RecordingExecutor((l) => {
      if (l.flowId === b) return { accepted: false, reason: 'queue full' };
      if (l.flowId === c) throw new Error('broker down');
      return { accepted: true, runRef: 'ok' };
    });
    const r = await launchPass(db, config, ex, { now: NOW });
    expect(r.refused.map((x) => [x.flowId, x.reason])).toEqual([
      [b, 'queue full'],
      [c, 'broker down'],
    ]);
    expect(states(db)).toEqual({ [a]: 'launched', [b]: 'planned', [c]: 'planned' });
    expect(db.prepare(`SELECT launch_time FROM punch_flows WHERE flow_id = ?`).get(b)).toEqual({ launch_time: null });
  });

  it('an aborted pass puts the launches not yet submitted back to planned', async () => {
    const { db, config } = punchSandbox({
      control: { launcher: { max_weight_running: 100, launch_time_window_minutes: 1 } },
    });
    for (let i = 0; i < 3; i++) addFlow(db, {});
    const stop = new AbortController();
    const r = await launchPass(db, config, new RecordingExecutor(), {
      now: NOW,
      signal: stop.signal,
      sleep: async () => stop.abort(),
    });
    expect([r.accepted.length, r.notSubmitted]).toEqual([1, 2]);
    expect(Object.values(states(db)).sort()).toEqual(['launched', 'planned', 'planned']);
  });

  it('makes the same number of database statements for 5 launches as for 500 (one chunk)', async () => {
    const counts: number[] = [];
    for (const n of [5, 500]) {
      const { db, config } = punchSandbox({
        control: { launcher: { max_weight_running: 1000, max_flows_to_launch_at_once: 1000 } },
        flows: { level1: { priority: { initial: 5, seconds: [30, 600], escalation: [10, 20] } } },
      });
      for (let i = 0; i < n; i++) addFlow(db, { ageSeconds: i });
      let statements = 0;
      const prepare = db.prepare.bind(db);
      (db as { prepare: unknown }).prepare = (sql: string) => {
        const st = prepare(sql);
        for (const m of ['run', 'get', 'all'] as const) {
          const f = (st[m] as (...a: unknown[]) => unknown).bind(st);
          (st as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => (statements++, f(...a));
        }
        return st;
      };
      const r = await launchPass(db, config, new RecordingExecutor(), { now: NOW });
      expect(r.accepted.length).toBe(n);
      counts.push(statements);
    }
    expect(counts[0]).toBe(counts[1]);
  });

  it('leaves planned flows of an unconfigured type planned and reports the type', async () => {
    const { db, config } = punchSandbox();
    const x = addFlow(db, { type: 'level9' });
    const r = await launchPass(db, config, new RecordingExecutor(), { now: NOW });
    expect(r.unconfiguredTypes).toEqual(['level9']);
    expect(states(db)[x]).toBe('planned');
  });
});
