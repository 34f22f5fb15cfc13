import { describe, expect, it } from 'vitest';
import { ControlDaemon, type DaemonEvent } from './daemon';
import { sampleHealth } from './health';
import { InProcessExecutor } from './in-process-executor';
import { MISSION_SEGMENTS } from './mission/segments';
import { ingestL0, simulateL0 } from './mission/simulate';
import { punchSandbox } from './testing-fixtures';

const EVERY_SECOND = '* * * * * *';

describe('control daemon', () => {
  it('runs every component on its cron schedule until the mission is done, records health, and stops cleanly', async () => {
    const { db, config } = punchSandbox({
      control: {
        launcher: { schedule: EVERY_SECOND },
        cleaner: { schedule: EVERY_SECOND },
        health: { schedule: EVERY_SECOND },
      },
      flows: Object.fromEntries(['level1', 'levelq', 'level2', 'level3'].map((t) => [t, { schedule: EVERY_SECOND }])),
    });
    ingestL0(db, simulateL0({ root: config.root, start: Date.UTC(2026, 0, 1), slots: 1, size: 24 }));
    const executor = new InProcessExecutor(config, { isolation: 'inline', db });
    const seen = new Set<string>();
    let done: () => void = () => undefined;
    const finished = new Promise<void>((r) => (done = r));
    const l3 = db.prepare(`SELECT count(*) AS n FROM punch_files WHERE level = '3' AND state = 'created'`);
    const onEvent = (e: DaemonEvent): void => {
      if (e.kind === 'error') throw new Error(`${e.component}: ${e.message}`);
      seen.add(e.component);
      // the mission of one observation ends with its two L3 products, after a health sample
      if ((l3.get() as { n: number }).n === 2 && seen.has('health') && seen.has('cleaner')) done();
    };
    const daemon = new ControlDaemon({ db, config, executor, segments: MISSION_SEGMENTS }, onEvent);
    daemon.start();
    await finished;
    await daemon.stop();
    expect([...seen].sort()).toEqual(
      [
        'cleaner',
        'health',
        'launcher',
        'scheduler:level1',
        'scheduler:level2',
        'scheduler:level3',
        'scheduler:levelq',
      ].sort(),
    );
    expect(db.prepare(`SELECT count(*) AS n FROM punch_flows WHERE state IN ('launched', 'running')`).get()).toEqual({
      n: 0,
    });
    expect((db.prepare(`SELECT count(*) AS n FROM punch_health`).get() as { n: number }).n).toBeGreaterThan(0);
    expect(daemon.counts.errors).toBe(0);
    db.close();
  });

  it('samples health: percentages in range, a process count on Linux', () => {
    const { config } = punchSandbox();
    const h = sampleHealth(config.root, 123);
    expect(h.datetime).toBe(123);
    for (const k of ['cpu_usage', 'memory_percentage', 'disk_percentage'] as const) {
      expect(h[k]).toBeGreaterThanOrEqual(0);
      expect(h[k]).toBeLessThanOrEqual(100);
    }
    expect(h.memory_usage).toBeGreaterThan(0);
    if (process.platform === 'linux') expect(h.num_pids).toBeGreaterThan(0);
  });
});
