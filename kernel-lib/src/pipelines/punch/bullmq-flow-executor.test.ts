/**
 * The PUNCH launcher on the BullMQ executor (issue 18) with a real redis-server and a real
 * `stagebook worker` process: launches become jobs with the launch's priority (higher PUNCH
 * priority = taken first) and launch weight; the cleaner's cancel removes a job still waiting; the
 * worker runs the remaining launch with the processor against the shared control database.
 */
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../testing/redis-server';
import { QUEUE_PREFIX } from '../../engine/bullmq/connection';
import { startWorker, stopWorkers } from '../../../../test/support/scale-out';
import { BullmqFlowExecutor, bullmqPriority } from './bullmq-flow-executor';
import { createFlowExecutor } from './flow-executor';
import { launchPass } from './launcher';
import { punchSandbox } from './testing-fixtures';

const NOW = Date.UTC(2026, 0, 20, 12, 0, 0);
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.dispose();
});

describe('PUNCH launcher on the BullMQ executor', () => {
  it('submits launches with priority and weight; cancel removes a waiting job; a worker processes the rest', async () => {
    const { db, config } = punchSandbox({
      executor: { kind: 'bullmq', redis: redis.url, queue: 'punch-test' },
      flows: { level1: { launch_weight: 2 }, levelq: {}, level2: {}, level3: {} },
    });
    const executor = createFlowExecutor(config);
    expect(executor).toBeInstanceOf(BullmqFlowExecutor);
    const insert = db.prepare(
      `INSERT INTO punch_flows (flow_level, flow_type, state, creation_time, priority, is_backprocessing, call_data)
       VALUES ('1', 'level1', 'planned', ?, ?, 0, '{"input_data":[],"output_filename":[]}')`,
    );
    const low = Number(insert.run(NOW, 3).lastInsertRowid);
    const high = Number(insert.run(NOW, 40).lastInsertRowid);
    const r = await launchPass(db, config, executor, { now: NOW });
    expect(r.accepted.map((a) => a.flowId)).toEqual([high, low]);
    const queue = new Queue('punch-test', {
      connection: { host: '127.0.0.1', port: redis.port },
      prefix: QUEUE_PREFIX,
    });
    try {
      const jobs = await queue.getJobs(['prioritized', 'waiting']);
      const byFlow = new Map(jobs.map((j) => [j.data.batchFlowIds[0] as number, j]));
      expect(byFlow.get(high)?.opts.priority).toBe(bullmqPriority(40));
      expect(byFlow.get(low)?.opts.priority).toBe(bullmqPriority(3));
      expect(bullmqPriority(40)).toBeLessThan(bullmqPriority(3)); // BullMQ takes the smaller number first
      expect(byFlow.get(high)?.data.launchWeight).toBe(2);
      // the cleaner's cancel of a run still waiting removes its job
      const lowRef = r.accepted.find((a) => a.flowId === low)!.runRef;
      await executor.cancel(lowRef);
      expect(await queue.getJob(lowRef.split(':')[2])).toBeUndefined();
      // a worker (its own process, through the CLI) runs the high-priority launch with the processor
      const worker = await startWorker(redis.url, 'punchw', ['--queues', 'punch-test'], path.dirname(config.database));
      try {
        await executor.drain?.();
      } finally {
        await stopWorkers([worker]);
      }
      const rows = db.prepare(`SELECT flow_id, state, flow_run_name FROM punch_flows ORDER BY flow_id`).all() as {
        flow_id: number;
        state: string;
        flow_run_name: string | null;
      }[];
      const h = rows.find((x) => x.flow_id === high)!;
      expect(['completed', 'failed']).toContain(h.state);
      expect(h.flow_run_name).toMatch(/^bullmq:punch-\d+-.*@punchw$/);
      expect(rows.find((x) => x.flow_id === low)!.state).toBe('launched'); // cancelled: the cleaner times it out
    } finally {
      await queue.close();
      db.close();
    }
  });
});
