import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cleanPass } from './cleaner';
import { runUntilIdle } from './daemon';
import type { FlowExecutor } from './flow-executor';
import { InProcessExecutor } from './in-process-executor';
import { MISSION_SEGMENTS } from './mission/segments';
import { ingestL0, simulateL0 } from './mission/simulate';
import { quicklookPath } from './naming';
import { punchSandbox } from './testing-fixtures';

const NOW = Date.UTC(2026, 0, 20, 12, 0, 0);
const MIN = 60_000;

function addFlow(
  db: Database.Database,
  state: string,
  times: { launch?: number; start?: number },
  runRef?: string,
): number {
  const id = Number(
    db
      .prepare(
        `INSERT INTO punch_flows (flow_level, flow_type, state, creation_time, launch_time, start_time, priority, flow_run_id)
         VALUES ('1', 'level1', ?, ?, ?, ?, 1, ?)`,
      )
      .run(state, NOW - 1000 * MIN, times.launch ?? null, times.start ?? null, runRef ?? null).lastInsertRowid,
  );
  for (const [i, s] of ['planned', 'creating', 'created'].entries())
    db.prepare(
      `INSERT INTO punch_files (level, file_type, observatory, file_version, software_version, date_obs, state, processing_flow)
       VALUES ('1', 'PM', '1', '0', '0', ?, ?, ?)`,
    ).run(id * 10 + i, s, id);
  return id;
}

function stateOf(db: Database.Database, id: number): string {
  return (db.prepare(`SELECT state FROM punch_flows WHERE flow_id = ?`).get(id) as { state: string }).state;
}

describe('cleaner: timeouts', () => {
  it('times out launched flows by launch_time and running flows by start_time (limits inclusive), cancelling their runs', async () => {
    const { db, config } = punchSandbox({
      control: { cleaner: { fail_launched_flows_after_minutes: 10, fail_running_flows_after_minutes: 60 } },
    });
    const oldLaunch = addFlow(db, 'launched', { launch: NOW - 10 * MIN }, 'run-a');
    const freshLaunch = addFlow(db, 'launched', { launch: NOW - 10 * MIN + 1 });
    // launched long ago but started recently: punchpipe compared launch_time and killed it; we do not
    const longQueued = addFlow(db, 'running', { launch: NOW - 500 * MIN, start: NOW - 5 * MIN });
    const oldRun = addFlow(db, 'running', { launch: NOW - 70 * MIN, start: NOW - 60 * MIN }, 'run-b');
    const noTimes = addFlow(db, 'running', {}); // falls back to creation_time (1000 min ago)
    const cancelled: string[] = [];
    const executor: FlowExecutor = {
      submit: async () => ({ accepted: false, reason: 'unused' }),
      cancel: async (ref) => {
        cancelled.push(ref);
        if (ref === 'run-b') throw new Error('already gone');
      },
    };
    const r = await cleanPass(db, config, MISSION_SEGMENTS, { now: NOW, executor });
    expect(r.timedOutLaunched).toEqual([oldLaunch]);
    expect(r.timedOutRunning.sort()).toEqual([oldRun, noTimes].sort());
    expect([stateOf(db, freshLaunch), stateOf(db, longQueued)]).toEqual(['launched', 'running']);
    expect(cancelled.sort()).toEqual(['run-a', 'run-b']);
    expect(r.cancelFailures).toEqual([{ runRef: 'run-b', reason: 'already gone' }]);
    // unfinished outputs time out, a created one stays
    const files = db.prepare(`SELECT state FROM punch_files WHERE processing_flow = ? ORDER BY file_id`).all(oldRun);
    expect(files.map((f) => (f as { state: string }).state).sort()).toEqual(['created', 'timed_out', 'timed_out']);
    expect(db.prepare(`SELECT end_time FROM punch_flows WHERE flow_id = ?`).get(oldRun)).toEqual({ end_time: NOW });
  });
});

describe('cleaner: revival', () => {
  async function mission(): Promise<ReturnType<typeof punchSandbox> & { executor: InProcessExecutor }> {
    const box = punchSandbox();
    ingestL0(box.db, simulateL0({ root: box.config.root, start: NOW - 600 * MIN, slots: 1, size: 32 }));
    const executor = new InProcessExecutor(box.config, { isolation: 'inline', db: box.db });
    await runUntilIdle({ ...box, executor, segments: MISSION_SEGMENTS }, { now: () => NOW });
    return { ...box, executor };
  }

  function flowOf(db: Database.Database, type: string, fileType?: string): number {
    return (
      db
        .prepare(
          `SELECT f.flow_id FROM punch_flows f JOIN punch_files o ON o.processing_flow = f.flow_id
           WHERE f.flow_type = ? AND (? IS NULL OR o.file_type = ?) LIMIT 1`,
        )
        .get(type, fileType ?? null, fileType ?? null) as { flow_id: number }
    ).flow_id;
  }

  it('deletes a revivable flow, its outputs (files on disk, rows, relationships) and puts the parents back; the next pass remakes it', async () => {
    const { db, config, executor } = await mission();
    const l3 = flowOf(db, 'level3', 'CA');
    const out = JSON.parse(
      (db.prepare(`SELECT call_data FROM punch_flows WHERE flow_id = ?`).get(l3) as { call_data: string }).call_data,
    ).output_filename[0] as string;
    expect(existsSync(out)).toBe(true);
    db.prepare(`UPDATE punch_flows SET state = 'revivable' WHERE flow_id = ?`).run(l3);
    const r = await cleanPass(db, config, MISSION_SEGMENTS, { now: NOW });
    expect([r.revived, r.deletedFiles, r.revivalBlocked]).toEqual([[l3], 1, []]);
    expect([existsSync(out), existsSync(quicklookPath(out))]).toEqual([false, false]);
    expect(db.prepare(`SELECT count(*) AS n FROM punch_flows WHERE flow_id = ?`).get(l3)).toEqual({ n: 0 });
    expect(db.prepare(`SELECT state FROM punch_files WHERE level = '2' AND file_type = 'CT'`).get()).toEqual({
      state: 'created',
    });
    expect(
      db
        .prepare(
          `SELECT count(*) AS n FROM punch_relationships r JOIN punch_files p ON p.file_id = r.parent WHERE p.file_type = 'CT'`,
        )
        .get(),
    ).toEqual({ n: 0 });
    await runUntilIdle({ db, config, executor, segments: MISSION_SEGMENTS }, { now: () => NOW });
    expect(existsSync(out)).toBe(true);
    expect(
      db.prepare(`SELECT count(*) AS n FROM punch_flows WHERE flow_type = 'level3' AND state = 'completed'`).get(),
    ).toEqual({ n: 2 });
  });

  it('returns quick-look inputs to quickpunched when the clear mosaic is revived (not to created: Q is not redone)', async () => {
    const { db, config } = await mission();
    const l3 = flowOf(db, 'level3', 'CA');
    const l2 = flowOf(db, 'level2', 'CT');
    db.prepare(`UPDATE punch_flows SET state = 'revivable' WHERE flow_id IN (?, ?)`).run(l2, l3);
    const r = await cleanPass(db, config, MISSION_SEGMENTS, { now: NOW });
    expect(r.revived.sort()).toEqual([l2, l3].sort());
    expect(db.prepare(`SELECT DISTINCT state FROM punch_files WHERE level = '1' AND file_type = 'CR'`).all()).toEqual([
      { state: 'quickpunched' },
    ]);
  });

  it('revives a quick-look flow together with the level2 and level3 flows made from its inputs (inputs back to created)', async () => {
    const { db, config, executor } = await mission();
    const ids = [flowOf(db, 'levelq'), flowOf(db, 'level2', 'CT'), flowOf(db, 'level3', 'CA')];
    db.prepare(`UPDATE punch_flows SET state = 'revivable' WHERE flow_id IN (?, ?, ?)`).run(...ids);
    const r = await cleanPass(db, config, MISSION_SEGMENTS, { now: NOW });
    expect([r.revived.sort(), r.revivalBlocked]).toEqual([ids.sort(), []]);
    expect(db.prepare(`SELECT DISTINCT state FROM punch_files WHERE level = '1' AND file_type = 'CR'`).all()).toEqual([
      { state: 'created' },
    ]);
    await runUntilIdle({ db, config, executor, segments: MISSION_SEGMENTS }, { now: () => NOW });
    const made = db
      .prepare(
        `SELECT file_type || observatory AS t FROM punch_files WHERE level IN ('2','3','Q') AND state IN ('created','progressed') ORDER BY t`,
      )
      .all();
    expect(made.map((m) => (m as { t: string }).t)).toEqual(['CAM', 'CNM', 'CTM', 'PAM', 'PTM']);
  });

  it('keeps a flow revivable and reports it when its outputs already feed products, or its inputs would re-feed one', async () => {
    const { db, config } = await mission();
    const l1 = flowOf(db, 'level1', 'PM');
    const q = flowOf(db, 'levelq');
    db.prepare(`UPDATE punch_flows SET state = 'revivable' WHERE flow_id IN (?, ?)`).run(l1, q);
    const r = await cleanPass(db, config, MISSION_SEGMENTS, { now: NOW });
    expect(r.revived).toEqual([]);
    expect(r.revivalBlocked.map((b) => b.flowId).sort()).toEqual([l1, q].sort());
    expect(r.revivalBlocked.find((b) => b.flowId === q)?.reason).toMatch(/would be planned again by level2/);
    expect([stateOf(db, l1), stateOf(db, q)]).toEqual(['revivable', 'revivable']);
  });
});
