import { describe, expect, it } from 'vitest';
import { isStagebookError } from '../errors/stagebook-error';
import { redisOptions } from '../engine/bullmq/connection';
import { makeStagebookConfig } from './schema';
import { workerPolicySchema } from './executor-schema';

describe('executor config', () => {
  it('defaults to in-process', () => {
    expect(makeStagebookConfig({ root: 'ws' }, '/tmp').executor).toEqual({ kind: 'in-process' });
  });

  it('a bullmq executor gets its stated policy defaults', () => {
    const c = makeStagebookConfig(
      { root: 'ws', executor: { kind: 'bullmq', redis: 'redis://10.0.0.5:6379/2' } },
      '/tmp',
    );
    expect(c.executor).toEqual({
      kind: 'bullmq',
      redis: 'redis://10.0.0.5:6379/2',
      queue: 'stagebook',
      queues: {},
      attempts: 3,
      backoffMs: 1000,
      keepFinishedS: 604800,
      inFlight: 256,
      reconcileMs: 2000,
      redisDownTimeoutMs: 120000,
    });
  });

  it('refuses a password in the Redis URL without repeating it, an unknown kind and unknown fields', () => {
    const bad = (executor: unknown): string => {
      try {
        makeStagebookConfig({ root: 'ws', executor }, '/tmp');
      } catch (e) {
        expect(isStagebookError(e, 'E_CONFIG_INVALID')).toBe(true);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    const m = bad({ kind: 'bullmq', redis: 'redis://:hunter2@10.0.0.5:6379' });
    expect(m).toContain('passwordEnv');
    expect(m).not.toContain('hunter2');
    expect(bad({ kind: 'dask' })).toMatch(/executor\.kind/);
    expect(bad({ kind: 'bullmq', redis: 'redis://h:1', retries: 3 })).toMatch(/retries/);
    expect(bad({ kind: 'bullmq', redis: 'redis://h:1', passwordEnv: 'sk-live-abc' })).toMatch(
      /NAME of an environment variable/,
    );
    expect(bad({ kind: 'bullmq', redis: 'redis://h:1', queue: 'a:b' })).toMatch(/queue/);
  });

  it('takes the Redis password from the named environment variable only', () => {
    expect(redisOptions('redis://h:7000/3', 'SB_TEST_REDIS_PW', { SB_TEST_REDIS_PW: 's3cret' })).toMatchObject({
      host: 'h',
      port: 7000,
      db: 3,
      password: 's3cret',
      maxRetriesPerRequest: null,
    });
    expect(() => redisOptions('redis://h:7000', 'SB_TEST_REDIS_PW', {})).toThrow(/SB_TEST_REDIS_PW.*not set/);
  });

  it('worker policy defaults are stated once', () => {
    expect(workerPolicySchema.parse({ redis: 'redis://h:1' })).toMatchObject({
      queues: ['stagebook'],
      concurrency: 1,
      lockDurationMs: 30000,
      stalledIntervalMs: 30000,
      maxStalledCount: 1,
      heartbeatMs: 5000,
    });
  });
});
