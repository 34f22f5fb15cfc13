/**
 * QueueEvents started from lastQueueEventId (connection.ts) deliver an event that happened after
 * the id was read but before the QueueEvents began reading: the window in which a job completed
 * by a fast worker was lost with BullMQ's default start ('$'), and a waiter hung (seen in CI:
 * the PUNCH drain timed out). Real redis-server; the event is made to fall in the window.
 */
import { Queue, QueueEvents, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../testing/redis-server';
import { lastQueueEventId, QUEUE_PREFIX, redisOptions } from './connection';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.dispose();
});

describe('QueueEvents from lastQueueEventId', () => {
  it('delivers a completion that happened before it started reading, and nothing older', async () => {
    const connection = redisOptions(redis.url);
    const queue = new Queue('events-start', { connection, prefix: QUEUE_PREFIX });
    const worker = new Worker('events-start', async (job) => `done ${job.id}`, {
      connection,
      prefix: QUEUE_PREFIX,
    });
    try {
      const first = await readyEvents(connection, '0-0');
      const older = await queue.add('x', {}, { jobId: 'older' });
      await older.waitUntilFinished(first);
      await first.close();
      // the window: the id is read, then a job completes, then the QueueEvents starts
      const from = await lastQueueEventId(queue, connection);
      const completed = new Promise<void>((resolve) =>
        worker.on('completed', (j) => j.id === 'in-window' && resolve()),
      );
      const job = await queue.add('x', {}, { jobId: 'in-window' });
      await completed;
      const events = await readyEvents(connection, from);
      const seen: string[] = [];
      const done = new Promise<string>((resolve) =>
        events.on('completed', ({ jobId, returnvalue }) => {
          seen.push(jobId);
          if (jobId === job.id) resolve(String(returnvalue));
        }),
      );
      expect(await done).toBe('done in-window');
      expect(seen).toEqual(['in-window']); // nothing from before the id
      await events.close();
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});

async function readyEvents(connection: ReturnType<typeof redisOptions>, lastEventId: string): Promise<QueueEvents> {
  const events = new QueueEvents('events-start', { connection, prefix: QUEUE_PREFIX, lastEventId });
  await events.waitUntilReady();
  return events;
}
