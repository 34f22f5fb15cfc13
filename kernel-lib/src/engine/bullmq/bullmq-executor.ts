/**
 * The BullMQ executor (control node side). Each unit becomes a job in a Redis queue; `stagebook
 * worker` processes run it with the same stage code and report staged outputs; this process
 * records the result in its ledger. Guarantees (docs/scale-out.md):
 * - never lost: a unit waits until its job completes or fails for good. Events can be missed (a
 *   Redis restart), so every `reconcileMs` the state of each awaited job is read back; a job Redis
 *   no longer has is submitted again;
 * - never recorded twice: the job id is a function of (run, stage, unit, cache key), so submitting
 *   a unit again (a resumed run) reattaches to its job; a completion resolves its unit once, and
 *   the commit is the ledger's fenced transaction;
 * - a worker killed mid-unit leaves temps only: BullMQ's stalled-job check hands the job to another
 *   worker, and only the temps of the attempt that completed are committed.
 */
import { existsSync } from 'node:fs';
import { Queue, QueueEvents } from 'bullmq';
import type { BullmqExecutorConfig } from '../../config/executor-schema';
import { StagebookError } from '../../errors/stagebook-error';
import type { UnitExecutor, UnitHooks, UnitOutcome, UnitTask } from '../executor';
import type { ExecutorDeps } from '../open-executor';
import { RemoteUnitLog } from './remote-unit-log';
import { lastQueueEventId, QUEUE_PREFIX, redisLabel, redisOptions } from './connection';
import {
  UNIT_JOB_FORMAT,
  decodeFailure,
  failureError,
  unitJobId,
  unitResultSchema,
  type UnitJob,
  type UnitRelay,
} from './unit-job';

interface Waiter {
  task: UnitTask;
  hooks: UnitHooks;
  queue: Queue;
  data: UnitJob;
  /** The worker running the current attempt (from its `started` relay). */
  worker?: string;
  settle(o: UnitOutcome | StagebookError): void;
}

interface Channel {
  queue: Queue;
  events: QueueEvents;
}

/** Runs units as BullMQ jobs; one per run. */
export class BullmqExecutor implements UnitExecutor {
  readonly kind = 'bullmq' as const;
  readonly remote = true;
  readonly slots: number;
  private readonly channels = new Map<string, Promise<Channel>>();
  private readonly waiting = new Map<string, Waiter>();
  private reconcileTimer: NodeJS.Timeout | undefined;
  private downSince: number | undefined;
  private reconciling = false;
  private closed = false;

  private constructor(
    private readonly cfg: BullmqExecutorConfig,
    private readonly d: ExecutorDeps,
  ) {
    this.slots = cfg.inFlight;
  }

  /** Connects lazily (a queue per stage queue name at first use). */
  static async open(cfg: BullmqExecutorConfig, d: ExecutorDeps): Promise<BullmqExecutor> {
    redisOptions(cfg.redis, cfg.passwordEnv); // refuses a missing password variable before any work
    const ex = new BullmqExecutor(cfg, d);
    // a referenced timer: while units are awaited over sockets that are reconnecting (Redis down),
    // nothing else may keep the event loop alive, and node would exit 0 in the middle of the run
    ex.reconcileTimer = setInterval(() => void ex.reconcile(), cfg.reconcileMs);
    d.signal.addEventListener('abort', () => ex.abortAll('the run was stopped'), { once: true });
    return ex;
  }

  private channel(name: string): Promise<Channel> {
    let c = this.channels.get(name);
    if (!c) {
      c = this.connect(name);
      this.channels.set(name, c);
    }
    return c;
  }

  private async connect(name: string): Promise<Channel> {
    const connection = redisOptions(this.cfg.redis, this.cfg.passwordEnv);
    const queue = new Queue(name, { connection, prefix: QUEUE_PREFIX });
    // from the stream's current end, read before any job is added (connection.ts lastQueueEventId)
    const events = new QueueEvents(name, {
      connection,
      prefix: QUEUE_PREFIX,
      lastEventId: await lastQueueEventId(queue, connection),
    });
    queue.on('error', () => undefined); // connection errors: ioredis reconnects; the down timer decides
    events.on('error', () => undefined);
    events.on('progress', ({ jobId, data }) => this.onRelay(jobId, data as UnitRelay));
    events.on('completed', ({ jobId, returnvalue }) => this.onCompleted(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => this.onFailed(jobId, failedReason));
    events.on('stalled', ({ jobId }) =>
      this.waiting.get(jobId)?.hooks.retrying({ attempt: 0, reason: 'its worker stopped answering (stalled)' }),
    );
    const client = await queue.getBackend().client;
    client.on('close', () => (this.downSince ??= Date.now()));
    client.on('ready', () => (this.downSince = undefined));
    // subscribe before the first job is added: a fast worker's events must not be missed
    await events.waitUntilReady();
    return { queue, events };
  }

  async run(task: UnitTask, hooks: UnitHooks): Promise<UnitOutcome> {
    if (this.d.signal.aborted) throw aborted('the run was stopped');
    const { queue } = await this.channel(this.cfg.queues[task.stage.name] ?? this.cfg.queue);
    const data = this.jobData(task);
    const jobId = unitJobId(task.runId, task.stage.name, task.unit.key, task.cacheKey);
    const result = new Promise<UnitOutcome | StagebookError>((resolve) => {
      this.waiting.set(jobId, { task, hooks, queue, data, settle: resolve });
    });
    try {
      await this.submit(queue, jobId, data, hooks);
      const r = await result;
      if (r instanceof StagebookError) throw r;
      return r;
    } finally {
      this.waiting.delete(jobId);
    }
  }

  /** Adds the job, or reattaches to the one a previous attempt of this run left in Redis. */
  private async submit(queue: Queue, jobId: string, data: UnitJob, hooks: UnitHooks): Promise<void> {
    // the state first, then the job: a job read before its state could be an active job that
    // completed in between (a completed state with no return value yet)
    const state = await queue.getJobState(jobId);
    const existing = state === 'unknown' ? undefined : await queue.getJob(jobId);
    if (existing) {
      if (state === 'completed' && this.settleCompleted(jobId, existing.returnvalue, true)) return;
      if (state === 'completed' || state === 'failed') {
        // a resumed run runs failed units again (as in-process), and results whose temps are gone
        await existing.remove();
      } else {
        hooks.log('info', `reattached to job ${jobId} (${state}) left by an earlier attempt of this run`);
        return;
      }
    }
    await queue.add(data.stage, data, {
      jobId,
      attempts: this.cfg.attempts,
      backoff: { type: 'exponential', delay: this.cfg.backoffMs },
      removeOnComplete: { age: this.cfg.keepFinishedS },
      removeOnFail: { age: this.cfg.keepFinishedS },
    });
  }

  private jobData(task: UnitTask): UnitJob {
    const { config } = this.d;
    return {
      format: UNIT_JOB_FORMAT,
      runId: task.runId,
      stageRunId: task.stageRunId,
      pipeline: this.d.pipeline,
      pipelineModule: this.d.pipelineModule,
      stage: task.stage.name,
      version: task.stage.version,
      unit: task.unit.key,
      inputs: task.unit.inputs,
      params: task.params,
      cacheKey: task.cacheKey,
      index: task.index,
      total: task.total,
      workspace: { root: config.root, writeRoots: config.writeRoots, logDir: config.logDir, secrets: config.secrets },
      options: this.d.pipelineOptions,
    };
  }

  private onRelay(jobId: string, m: UnitRelay): void {
    const w = this.waiting.get(jobId);
    if (!w || !m || typeof m !== 'object') return;
    if (m.k === 'started') {
      w.worker = m.worker;
      w.hooks.started({ worker: m.worker, attempt: m.attempt });
    } else if (m.k === 'progress') w.hooks.progress(m.n, m.total, m.message, w.worker);
    else if (m.k === 'log') w.hooks.log(m.level, m.message);
    else if (m.k === 'attempt-failed') w.hooks.retrying({ worker: m.worker, attempt: m.attempt, reason: m.reason });
  }

  private onCompleted(jobId: string, returnvalue: unknown): void {
    this.settleCompleted(jobId, returnvalue, false);
  }

  /**
   * Settles a waiter from a completed job's result. With `mustHaveTemps` (a job found completed
   * when submitting) the result counts only if its temps are still on disk; false means "run it again".
   */
  private settleCompleted(jobId: string, returnvalue: unknown, mustHaveTemps: boolean): boolean {
    const w = this.waiting.get(jobId);
    if (!w) return false;
    const raw = typeof returnvalue === 'string' ? safeJson(returnvalue) : returnvalue;
    if (raw === null || raw === undefined) return false; // not written yet: its event or the next reconcile settles it
    const parsed = unitResultSchema.safeParse(raw);
    if (!parsed.success) {
      w.settle(
        new StagebookError('E_EXECUTOR', `job ${jobId}: its result is not a stagebook unit result`, {
          where: 'BullmqExecutor',
          stage: w.task.stage.name,
          unit: w.task.unit.key,
        }),
      );
      return true;
    }
    const r = parsed.data;
    if (mustHaveTemps && !r.outputs.every((o) => tempExists(o.tmpPath))) return false;
    if (mustHaveTemps) w.hooks.log('info', `reattached to the result of job ${jobId} (run by ${r.worker})`);
    w.settle({
      ok: true,
      outputs: r.outputs.map((o) => ({ ...o, level: o.level ?? undefined, product: o.product ?? undefined })),
      log: this.remoteLog(w, r.log),
      worker: r.worker,
      attempts: r.attempt,
    });
    return true;
  }

  private onFailed(jobId: string, failedReason: string | undefined): void {
    const w = this.waiting.get(jobId);
    if (!w) return;
    const f = decodeFailure(failedReason);
    const log = this.remoteLog(w, f.log ?? '');
    // a reason the stage code did not write (stalled too often) is added to the unit's log here
    if (f.log === undefined) log.error(`${f.code}: ${f.message}`);
    w.settle({
      ok: false,
      error: failureError(f, w.task.stage.name, w.task.unit.key),
      log,
      worker: f.worker,
      attempts: f.attempt ?? this.cfg.attempts,
    });
  }

  private remoteLog(w: Waiter, text: string): RemoteUnitLog {
    return new RemoteUnitLog(text, this.d.config.logDir, w.task.stage.name, w.task.unit.key, this.d.redactor, w.hooks);
  }

  /**
   * Reads back the state of every awaited job: a completion or failure whose event was lost is
   * settled, a job Redis lost (restarted without its data) is submitted again, and a Redis that
   * stays unreachable past the policy stops the run (interrupted, resumable).
   */
  private async reconcile(): Promise<void> {
    if (this.downSince !== undefined && Date.now() - this.downSince > this.cfg.redisDownTimeoutMs) {
      this.abortAll(
        `Redis at ${redisLabel(this.cfg.redis)} has been unreachable for more than ${this.cfg.redisDownTimeoutMs} ms`,
        'E_EXECUTOR',
      );
      return;
    }
    if (this.downSince !== undefined) return;
    if (this.reconciling) return; // a round stuck on a dead connection: the down timer below still runs
    this.reconciling = true;
    try {
      await this.reconcileRound();
    } finally {
      this.reconciling = false;
    }
  }

  private async reconcileRound(): Promise<void> {
    for (const [jobId, w] of [...this.waiting]) {
      try {
        const state = await w.queue.getJobState(jobId);
        if (!this.waiting.has(jobId)) continue;
        if (state === 'unknown') {
          w.hooks.log('warn', `job ${jobId} is no longer in Redis (Redis lost it); submitting the unit again`);
          await this.submit(w.queue, jobId, w.data, w.hooks);
          continue;
        }
        if (state !== 'completed' && state !== 'failed') continue;
        const job = await w.queue.getJob(jobId);
        if (job && state === 'completed') this.settleCompleted(jobId, job.returnvalue, false);
        else if (job) this.onFailed(jobId, job.failedReason);
      } catch {
        return; // Redis went away in the middle: the next round (or the down timer) decides
      }
    }
  }

  private abortAll(why: string, code: 'E_ABORTED' | 'E_EXECUTOR' = 'E_ABORTED'): void {
    for (const w of this.waiting.values()) w.settle(aborted(why, code));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.reconcileTimer);
    this.abortAll('the run ended');
    for (const c of this.channels.values()) {
      try {
        const { queue, events } = await c;
        // a graceful close waits for Redis; with Redis gone it would wait forever (and, the timer
        // cleared, node would exit 0 before the run is recorded): drop the sockets instead
        if (this.downSince !== undefined) {
          // BullMQ's disconnect() waits for Redis too: stop the raw sockets (no reconnect), do not wait
          for (const q of [queue, events]) (await q.getBackend().client).disconnect();
        } else await Promise.all([events.close(), queue.close()]);
      } catch {
        // a channel that never connected has nothing to close
      }
    }
  }
}

/** The error a unit ends with when the run stops waiting for it (its job stays in Redis). */
function aborted(why: string, code: 'E_ABORTED' | 'E_EXECUTOR' = 'E_ABORTED'): StagebookError {
  return new StagebookError(
    code,
    `BullMQ executor: ${why}; the unit's job stays in Redis and \`stagebook resume\` reattaches to it`,
    {
      where: 'BullmqExecutor',
    },
  );
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function tempExists(p: string): boolean {
  return existsSync(p);
}
