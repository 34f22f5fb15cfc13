/**
 * Queue depths and live workers of a BullMQ executor, for `stagebook status`. Status must work
 * while Redis is down: a short connect timeout, no retries, and an unreachable Redis is reported
 * (never thrown).
 */
import IORedis, { type RedisOptions as IORedisOptions } from 'ioredis';
import { Queue } from 'bullmq';
import type { BullmqExecutorConfig } from '../../config/executor-schema';
import { QUEUE_PREFIX, redisLabel, redisOptions } from './connection';
import { listWorkers, type WorkerAnnouncement } from './worker-registry';

/** One queue's job counts. */
export interface QueueDepth {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
}

/** What `stagebook status` shows about the executor. */
export interface ExecutorStatus {
  kind: 'bullmq';
  redis: string;
  queues: QueueDepth[];
  workers: WorkerAnnouncement[];
  /** Set when Redis could not be asked (the rest is empty then). */
  error?: string;
}

/** Asks Redis for the depth of every queue the config uses and for the live workers. */
export async function executorStatus(cfg: BullmqExecutorConfig, timeoutMs = 3_000): Promise<ExecutorStatus> {
  const base: ExecutorStatus = { kind: 'bullmq', redis: redisLabel(cfg.redis), queues: [], workers: [] };
  const options = {
    ...redisOptions(cfg.redis, cfg.passwordEnv),
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    lazyConnect: true,
  };
  const redis = new IORedis(options as IORedisOptions);
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const names = [...new Set([cfg.queue, ...Object.values(cfg.queues)])].sort();
    for (const name of names) {
      const q = new Queue(name, { connection: redis as never, prefix: QUEUE_PREFIX });
      const c = await q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
      base.queues.push({
        name,
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        completed: c.completed ?? 0,
        failed: c.failed ?? 0,
      });
    }
    base.workers = await listWorkers(redis);
    return base;
  } catch (e) {
    return { ...base, error: `Redis at ${base.redis} did not answer: ${(e as Error).message}` };
  } finally {
    redis.disconnect();
  }
}
