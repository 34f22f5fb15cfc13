/**
 * The control daemon (punchpipe `serve-control`): scheduler (per flow type), launcher, cleaner and
 * health monitor on their cron schedules (`flows.<type>.schedule`, `control.launcher.schedule`,
 * `control.cleaner.schedule`, `control.health.schedule`). Every database step is a synchronous
 * transaction on one connection, so components interleave safely; a tick that comes while the same
 * component still runs (a launcher staggering over its window) is skipped and counted.
 * `stop()` ends cleanly: no new ticks, the launcher's pending staggered launches go back to
 * `planned`, and accepted runs are waited for. `runControlPass` is `stagebook punch run`: every
 * component once. A restart needs no recovery step: whatever a crash left `launched` or `running`
 * is timed out by the cleaner (docs/punch.md).
 */
import type Database from 'better-sqlite3';
import { cleanPass, type CleanPassResult } from './cleaner';
import type { PunchConfig } from './config';
import { nextCronTime, parseCron } from './cron';
import type { FlowExecutor } from './flow-executor';
import { recordHealth, sampleHealth } from './health';
import { launchPass, type LaunchPassResult } from './launcher';
import { schedulePass, type SchedulePassResult } from './scheduler';
import type { Segment } from './segment';

export interface ControlSegment {
  db: Database.Database;
  config: PunchConfig;
  executor: FlowExecutor;
  segments: ReadonlyMap<string, Segment>;
  softwareVersion?: string;
}

export interface ControlPassResult {
  scheduled: SchedulePassResult[];
  launched: LaunchPassResult;
  cleaned: CleanPassResult;
}

/** Every component once, in order: schedulers (segment order), launcher, cleaner. */
export async function runControlPass(
  ctl: ControlSegment,
  now: number,
  signal?: AbortSignal,
): Promise<ControlPassResult> {
  const scheduled = [...ctl.segments.values()].map((s) =>
    schedulePass(ctl.db, s, ctl.config, { now, softwareVersion: ctl.softwareVersion }),
  );
  const launched = await launchPass(ctl.db, ctl.config, ctl.executor, { now, signal });
  const cleaned = await cleanPass(ctl.db, ctl.config, ctl.segments, { now, executor: ctl.executor });
  return { scheduled, launched, cleaned };
}

/** Flows not yet finished (planned, launched or running). */
export function activeFlows(db: Database.Database): number {
  return (
    db
      .prepare(`SELECT count(*) AS n FROM punch_flows WHERE state IN ('being_planned','planned','launched','running')`)
      .get() as {
      n: number;
    }
  ).n;
}

/**
 * Passes until nothing is left to do (notebooks, tests, `punch run --until-idle`): after each pass
 * the executor is drained, so the next pass sees the products. Stops after `maxPasses`.
 */
export async function runUntilIdle(
  ctl: ControlSegment,
  options: { maxPasses?: number; now?: () => number; onPass?: (r: ControlPassResult, pass: number) => void } = {},
): Promise<{ passes: number; idle: boolean }> {
  const now = options.now ?? Date.now;
  for (let pass = 1; pass <= (options.maxPasses ?? 1000); pass++) {
    const r = await runControlPass(ctl, now());
    await ctl.executor.drain?.();
    options.onPass?.(r, pass);
    const planned = r.scheduled.reduce((s, x) => s + x.planned, 0);
    if (planned === 0 && r.launched.accepted.length === 0 && activeFlows(ctl.db) === 0)
      return { passes: pass, idle: true };
  }
  return { passes: options.maxPasses ?? 1000, idle: false };
}

export type DaemonEvent =
  | { kind: 'tick'; component: string; at: number; result: unknown }
  | { kind: 'skipped'; component: string; at: number }
  | { kind: 'error'; component: string; at: number; message: string; code?: string };

interface Job {
  component: string;
  schedule: ReturnType<typeof parseCron>;
  run: (now: number, signal: AbortSignal) => Promise<unknown> | unknown;
  next: number;
  inFlight?: Promise<void>;
}

/** The long-running control daemon. */
export class ControlDaemon {
  private readonly jobs: Job[];
  private readonly stopper = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  readonly counts = { ticks: 0, skipped: 0, errors: 0 };

  constructor(
    private readonly ctl: ControlSegment,
    private readonly onEvent: (e: DaemonEvent) => void = () => {},
    private readonly clock: () => number = Date.now,
  ) {
    const c = ctl.config;
    const jobs: Array<Omit<Job, 'next'>> = [];
    for (const seg of ctl.segments.values()) {
      const fc = c.flows[seg.flowType as keyof PunchConfig['flows']];
      if (!fc?.enabled) continue;
      jobs.push({
        component: `scheduler:${seg.flowType}`,
        schedule: parseCron(fc.schedule),
        run: (now) => schedulePass(ctl.db, seg, c, { now, softwareVersion: ctl.softwareVersion }),
      });
    }
    jobs.push({
      component: 'launcher',
      schedule: parseCron(c.control.launcher.schedule),
      run: (now, signal) => launchPass(ctl.db, c, ctl.executor, { now, signal }),
    });
    jobs.push({
      component: 'cleaner',
      schedule: parseCron(c.control.cleaner.schedule),
      run: (now) => cleanPass(ctl.db, c, ctl.segments, { now, executor: ctl.executor }),
    });
    jobs.push({
      component: 'health',
      schedule: parseCron(c.control.health.schedule),
      run: (now) => recordHealth(ctl.db, sampleHealth(c.root, now)),
    });
    const now = clock();
    this.jobs = jobs.map((j) => ({ ...j, next: nextCronTime(j.schedule, now) }));
  }

  /** Starts the timers; resolves when stop() has finished. */
  start(): void {
    this.running = true;
    this.arm();
  }

  private arm(): void {
    if (!this.running) return;
    const next = Math.min(...this.jobs.map((j) => j.next));
    // wake at most every 30 s (a clock change or a suspended machine cannot stall a job for long)
    this.timer = setTimeout(() => this.fire(), Math.max(0, Math.min(30_000, next - this.clock())));
  }

  private fire(): void {
    const now = this.clock();
    const due = this.jobs.filter((j) => j.next <= now);
    for (const j of due) {
      j.next = nextCronTime(j.schedule, now);
      if (j.inFlight) {
        this.counts.skipped++;
        this.onEvent({ kind: 'skipped', component: j.component, at: now });
        continue;
      }
      j.inFlight = this.runJob(j).finally(() => (j.inFlight = undefined));
    }
    this.arm();
  }

  private async runJob(j: Job): Promise<void> {
    if (!this.running) return;
    const at = this.clock();
    try {
      const result = await j.run(at, this.stopper.signal);
      this.counts.ticks++;
      this.onEvent({ kind: 'tick', component: j.component, at, result });
    } catch (e) {
      this.counts.errors++;
      this.onEvent({
        kind: 'error',
        component: j.component,
        at,
        message: (e as Error).message,
        code: (e as { code?: string }).code,
      });
    }
  }

  /** Stops: no new ticks, pending staggered launches reverted, running work waited for. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopper.abort();
    if (this.timer) clearTimeout(this.timer);
    await Promise.all(this.jobs.map((j) => j.inFlight));
    await this.ctl.executor.drain?.();
  }
}
