/**
 * Redis connection options for BullMQ, from a credential-free URL plus the NAME of the environment
 * variable holding the password (docs/scale-out.md, security). The password never appears in a
 * config file, a job, a log line or an error message.
 */
import type { Queue, RedisOptions } from 'bullmq';
import IORedis, { type RedisOptions as IORedisOptions } from 'ioredis';
import { StagebookError } from '../../errors/stagebook-error';

/** Redis key prefix of stagebook's queues and worker announcements (BullMQ's default is `bull`). */
export const QUEUE_PREFIX = 'stagebook';

/** ioredis options for `url` (redis:// or rediss://), the password taken from `passwordEnv`. */
export function redisOptions(url: string, passwordEnv?: string, env: NodeJS.ProcessEnv = process.env): RedisOptions {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new StagebookError('E_CONFIG_INVALID', `executor.redis: ${u.pathname} is not a database number`, {
      where: 'redisOptions',
      field: 'executor.redis',
    });
  let password: string | undefined;
  if (passwordEnv) {
    password = env[passwordEnv];
    if (!password)
      throw new StagebookError(
        'E_SECRET_MISSING',
        `executor.passwordEnv: the environment variable ${passwordEnv} (the Redis password) is not set`,
        { where: 'redisOptions', field: passwordEnv },
      );
  }
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    db,
    password,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    // BullMQ's blocking commands need this (a command waits for the connection to come back)
    maxRetriesPerRequest: null,
    // reconnect quickly (Redis restarted) but without hammering a server that is down
    retryStrategy: (times: number) => Math.min(50 * times, 1_000),
  };
}

/** `host:port/db` of a URL for messages (never the credentials). */
export function redisLabel(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 6379}${u.pathname.length > 1 ? u.pathname : ''}`;
}

/**
 * The id of the last event in `queue`'s event stream ('0-0' when it is empty), to start a
 * QueueEvents from (`lastEventId`). BullMQ's default '$' means "events after my first XREAD",
 * which is issued some time after `waitUntilReady()` resolves: a job that completes in between
 * (a fast worker, a busy machine) is then never reported, and whoever waits for it waits forever.
 * Starting from an id read before anything is submitted or checked closes that window.
 */
export async function lastQueueEventId(queue: Queue, connection: RedisOptions): Promise<string> {
  // BullMQ's own client interface has no XREVRANGE: one short-lived ioredis connection
  const client = new IORedis({ ...connection, lazyConnect: true } as IORedisOptions);
  try {
    await client.connect();
    const last = await client.xrevrange(queue.keys.events, '+', '-', 'COUNT', 1);
    return last.length > 0 ? last[0][0] : '0-0';
  } finally {
    client.disconnect();
  }
}
