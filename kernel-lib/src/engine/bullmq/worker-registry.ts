/**
 * Live workers, as `stagebook status` shows them: each worker writes a small JSON record under
 * `stagebook:workers:<name>` every heartbeat, with an expiry of three heartbeats, so a killed
 * worker disappears from the list by itself. The record names the units it is running.
 */
import IORedis, { type RedisOptions as IORedisOptions } from 'ioredis';
import type { RedisOptions } from 'bullmq';
import { QUEUE_PREFIX } from './connection';

const KEY = `${QUEUE_PREFIX}:workers:`;

/** One worker's announcement. */
export interface WorkerAnnouncement {
  name: string;
  host: string;
  pid: number;
  queues: string[];
  concurrency: number;
  /** Epoch ms of this announcement. */
  at: number;
  running: { stage: string; unit: string; runId: string; since: number }[];
}

/** Announces the worker now and every `heartbeatMs` until stopped (the record is removed then). */
export async function announceWorker(
  connection: RedisOptions,
  info: () => WorkerAnnouncement,
  heartbeatMs: number,
): Promise<{ beat(): Promise<unknown>; stop(): Promise<void> }> {
  const redis = new IORedis(connection as IORedisOptions);
  redis.on('error', () => undefined); // the BullMQ workers report connection trouble
  const key = KEY + info().name;
  let stopped = false; // a unit finishing after stop() must not announce the worker again
  const beat = async (): Promise<unknown> =>
    stopped ? undefined : redis.set(key, JSON.stringify(info()), 'PX', heartbeatMs * 3).catch(() => undefined);
  await beat();
  const timer = setInterval(() => void beat(), heartbeatMs);
  return {
    beat,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await redis.del(key).catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** The workers that announced themselves recently. */
export async function listWorkers(redis: IORedis): Promise<WorkerAnnouncement[]> {
  const out: WorkerAnnouncement[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${KEY}*`, 'COUNT', 100);
    cursor = next;
    for (const k of keys) {
      const v = await redis.get(k);
      if (v) out.push(JSON.parse(v) as WorkerAnnouncement);
    }
  } while (cursor !== '0');
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}
