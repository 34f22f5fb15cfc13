import { existsSync, writeFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ensureDirSync } from '../../workdirs/atomic';
import path from 'node:path';
import { isStagebookError } from '../../errors/stagebook-error';
import { LEVEL1 } from './mission/segments';
import { ingestL0 } from './mission/simulate';
import { processFlow } from './processor';
import { schedulePass } from './scheduler';
import type { Segment, StageCall } from './segment';
import { moveFlows } from './states';
import { InProcessExecutor } from './in-process-executor';
import { punchSandbox } from './testing-fixtures';

const T0 = Date.UTC(2026, 0, 10);

/** A level1-shaped segment whose stage is given by the test. */
function fakeSegment(run: (call: StageCall) => string[]): Segment {
  return { ...LEVEL1, run };
}

function plannedFlow(db: Database.Database, config: ReturnType<typeof punchSandbox>['config'], n = 1): number {
  ingestL0(
    db,
    Array.from({ length: n }, (_, i) => ({
      level: '0',
      file_type: 'PM',
      observatory: String(i + 1),
      date_obs: T0,
      file_version: '0',
      polarization: 'M',
      crota: 0,
    })),
  );
  schedulePass(db, LEVEL1, config, { now: T0 });
  const { flow_id } = db.prepare(`SELECT flow_id FROM punch_flows ORDER BY flow_id LIMIT 1`).get() as {
    flow_id: number;
  };
  moveFlows(db, { ids: [flow_id] }, ['planned'], 'launched', { launch_time: T0 });
  return flow_id;
}

function touch(p: string): void {
  ensureDirSync(path.dirname(p));
  writeFileSync(p, 'x');
}

function row(db: Database.Database, flowId: number): Record<string, unknown> {
  return db.prepare(`SELECT * FROM punch_flows WHERE flow_id = ?`).get(flowId) as Record<string, unknown>;
}

function fileStates(db: Database.Database, flowId: number): string[] {
  return (
    db.prepare(`SELECT state FROM punch_files WHERE processing_flow = ?`).all(flowId) as Array<{ state: string }>
  ).map((r) => r.state);
}

describe('processor', () => {
  it('runs a launched flow: running with its run name and start time, outputs creating, then created and completed', async () => {
    const { db, config } = punchSandbox();
    const id = plannedFlow(db, config);
    let seen: string[] = [];
    const seg = fakeSegment((call) => {
      seen = [row(db, id).state as string, ...fileStates(db, id)];
      call.outputs.forEach(touch);
      return call.outputs;
    });
    let t = 1000;
    const r = await processFlow(db, id, {
      config,
      segments: new Map([['level1', seg]]),
      now: () => t++,
      runName: 'unit',
    });
    expect(seen).toEqual(['running', 'creating']);
    expect(r).toMatchObject({ state: 'completed', unreported: [] });
    expect(row(db, id)).toMatchObject({ state: 'completed', start_time: 1000, end_time: 1001, flow_run_name: 'unit' });
    expect(fileStates(db, id)).toEqual(['created']);
    expect(db.prepare(`SELECT date_created FROM punch_files WHERE processing_flow = ?`).get(id)).toEqual({
      date_created: 1001,
    });
  });

  it('marks outputs the stage did not write (or did not report) unreported; the flow still completes', async () => {
    const { db, config } = punchSandbox();
    const id = plannedFlow(db, config);
    const r = await processFlow(db, id, { config, segments: new Map([['level1', fakeSegment(() => [])]]) });
    expect(r.state).toBe('completed');
    expect(r.unreported.length).toBe(1);
    expect(fileStates(db, id)).toEqual(['unreported']);
  });

  it('an exception in the stage fails the flow and its outputs and keeps the error', async () => {
    const { db, config } = punchSandbox();
    const id = plannedFlow(db, config);
    const seg = fakeSegment(() => {
      throw new Error('detector exploded');
    });
    const r = await processFlow(db, id, { config, segments: new Map([['level1', seg]]) });
    expect(r).toMatchObject({ state: 'failed', error: { message: 'detector exploded' } });
    expect(row(db, id).state).toBe('failed');
    expect(JSON.parse(row(db, id).error as string)).toEqual({ code: 'E_INTERNAL', message: 'detector exploded' });
    expect(fileStates(db, id)).toEqual(['failed']);
  });

  it('refuses to overwrite an existing output (the flow fails, the file is untouched)', async () => {
    const { db, config } = punchSandbox();
    const id = plannedFlow(db, config);
    const out = (JSON.parse(row(db, id).call_data as string) as { output_filename: string[] }).output_filename[0];
    touch(out);
    const r = await processFlow(db, id, { config, segments: new Map([['level1', fakeSegment(() => [])]]) });
    expect(r.error?.code).toBe('E_PUNCH_OUTPUT_EXISTS');
    expect(existsSync(out)).toBe(true);
  });

  it('refuses a flow that is not launched (E_PUNCH_TRANSITION) and an unknown id (E_PUNCH_FLOW_NOT_FOUND)', async () => {
    const { db, config } = punchSandbox();
    const id = plannedFlow(db, config);
    moveFlows(db, { ids: [id] }, ['launched'], 'running');
    const codes: string[] = [];
    for (const fid of [id, 999])
      await processFlow(db, fid, { config, segments: new Map() }).catch((e) =>
        codes.push(isStagebookError(e) ? e.code : 'other'),
      );
    expect(codes).toEqual(['E_PUNCH_TRANSITION', 'E_PUNCH_FLOW_NOT_FOUND']);
  });

  it('the inline executor reports a run that throws (never swallowed)', async () => {
    const { db, config } = punchSandbox();
    const errors: string[] = [];
    const ex = new InProcessExecutor(config, {
      isolation: 'inline',
      db,
      onError: (e) => errors.push((e as Error).message),
    });
    const launch = {
      flowId: 404,
      flowType: 'level1',
      level: '1',
      priority: 1,
      launchWeight: 1,
      callData: [],
      batchFlowIds: [404],
    };
    expect(await ex.submit(launch)).toMatchObject({ accepted: true });
    await ex.drain();
    expect(errors).toEqual(['processFlow: no flow 404 in the control database']);
  });
});
