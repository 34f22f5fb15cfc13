/**
 * The BullMQ FlowExecutor of the PUNCH launcher (`executor: { kind: bullmq, redis: redis://..., queue: ... }` in
 * punch.yaml; issue 18). punchpipe handed launches to Prefect deployments on a Dask cluster; here each launch is
 * a BullMQ job that any `stagebook worker --queues <queue>` runs with the same processor (processFlow) against
 * the shared control database. Priority: punchpipe's is "higher first", BullMQ's "lower first" (1 = most
 * urgent), so a launch of priority p becomes BullMQ priority MAX - p (clamped). The launch weight travels with
 * the job (the launcher already keeps the running weight under max_weight_running). The cleaner's cancel
 * removes a job still waiting and flags an active one: its worker stops before the next flow of the batch.
 */
import IORedis, { type RedisOptions as IORedisOptions } from 'ioredis';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { lastQueueEventId, QUEUE_PREFIX, redisOptions } from '../../engine/bullmq/connection';
import { registerJobHandler } from '../../engine/bullmq/unit-worker';
import { StagebookError } from '../../errors/stagebook-error';
import { openDatabase } from '../../ledger/db';
import { punchConfigSchema, type PunchConfig } from './config';
import { registerFlowExecutor, type FlowExecutor, type FlowLaunch, type SubmitAnswer } from './flow-executor';
import { MISSION_SEGMENTS } from './mission/segments';
import { processFlow, type ProcessFlowResult } from './processor';

/** BullMQ's lowest priority number is the most urgent; its largest allowed value. */
const BULLMQ_MAX_PRIORITY = 2_097_152;
/** `data.kind` of a PUNCH flow job (the worker dispatches on it). */
export const PUNCH_FLOW_JOB = 'punch-flow';
const CANCEL_KEY = `${QUEUE_PREFIX}:punch-cancel:`;

type BullmqPunchExecutor = Extract<PunchConfig['executor'], { kind: 'bullmq' }>;

/** BullMQ priority of a PUNCH priority (higher PUNCH priority = smaller BullMQ number = earlier). */
export function bullmqPriority(punchPriority: number): number {
  return Math.min(BULLMQ_MAX_PRIORITY, Math.max(1, BULLMQ_MAX_PRIORITY - Math.round(punchPriority)));
}

/** What a PUNCH flow job carries. */
export interface PunchFlowJobData {
  kind: typeof PUNCH_FLOW_JOB;
  config: PunchConfig;
  flowType: string;
  level: string;
  priority: number;
  launchWeight: number;
  batchFlowIds: number[];
}

/** Submits PUNCH launches as BullMQ jobs. */
export class BullmqFlowExecutor implements FlowExecutor {
  private queue: Queue | undefined;
  private redis: IORedis | undefined;
  private seq = 0;
  /** Jobs submitted and not yet seen finished by drain(). */
  private readonly submitted = new Set<string>();

  constructor(
    private readonly config: PunchConfig,
    private readonly ex: BullmqPunchExecutor,
  ) {}

  private q(): Queue {
    this.queue ??= new Queue(this.ex.queue, {
      connection: redisOptions(this.ex.redis, this.ex.passwordEnv),
      prefix: QUEUE_PREFIX,
    });
    return this.queue;
  }

  private client(): IORedis {
    this.redis ??= new IORedis(redisOptions(this.ex.redis, this.ex.passwordEnv) as IORedisOptions);
    return this.redis;
  }

  async submit(launch: FlowLaunch): Promise<SubmitAnswer> {
    const jobId = `punch-${launch.flowId}-${Date.now().toString(36)}-${++this.seq}`;
    const data: PunchFlowJobData = {
      kind: PUNCH_FLOW_JOB,
      config: this.config,
      flowType: launch.flowType,
      level: launch.level,
      priority: launch.priority,
      launchWeight: launch.launchWeight,
      batchFlowIds: launch.batchFlowIds,
    };
    await this.q().add(launch.flowType, data, {
      jobId,
      priority: bullmqPriority(launch.priority),
      // a flow is retried by the scheduler/cleaner (punchpipe's semantics), never silently by the queue
      attempts: 1,
      removeOnComplete: { age: this.ex.keepFinishedS },
      removeOnFail: { age: this.ex.keepFinishedS },
    });
    this.submitted.add(jobId);
    return { accepted: true, runRef: `bullmq:${this.ex.queue}:${jobId}` };
  }

  /** Removes a job still waiting; flags an active one (its worker stops before its next flow). */
  async cancel(runRef: string): Promise<void> {
    const m = /^bullmq:([^:]+):(.+)$/.exec(runRef);
    if (!m || m[1] !== this.ex.queue) return; // not one of this executor's runs
    const job = await this.q().getJob(m[2]);
    if (!job) return;
    const state = await job.getState();
    if (state === 'active') await this.client().set(CANCEL_KEY + m[2], '1', 'EX', this.ex.keepFinishedS);
    else if (state !== 'completed' && state !== 'failed') await job.remove();
  }

  /** Waits until every job this executor submitted has finished (daemon shutdown, runUntilIdle), then disconnects. */
  async drain(): Promise<void> {
    const queue = this.queue;
    if (queue && this.submitted.size > 0) {
      // from the stream's end as it is now, before any job's state is checked: an event in between
      // is then delivered, not lost (connection.ts lastQueueEventId)
      const events = new QueueEvents(this.ex.queue, {
        connection: redisOptions(this.ex.redis, this.ex.passwordEnv),
        prefix: QUEUE_PREFIX,
        lastEventId: await lastQueueEventId(queue, redisOptions(this.ex.redis, this.ex.passwordEnv)),
      });
      try {
        await events.waitUntilReady();
        for (const id of [...this.submitted]) {
          const job = await queue.getJob(id);
          // a failed flow is the processor's business (it records it in the control database)
          if (job) await job.waitUntilFinished(events).catch(() => undefined);
          this.submitted.delete(id);
        }
      } finally {
        await events.close();
      }
    }
    await queue?.close();
    this.redis?.disconnect();
    this.queue = undefined;
    this.redis = undefined;
  }
}

/** The worker side: runs the launch's flows with the processor, stopping if the cleaner cancelled the job. */
async function runPunchFlowJob(job: Job, ctx: { worker: string }): Promise<ProcessFlowResult[]> {
  const data = job.data as PunchFlowJobData;
  const config = punchConfigSchema.parse(data.config);
  const db = openDatabase(config.database);
  const ex = config.executor;
  const redis =
    ex.kind === 'bullmq' ? new IORedis(redisOptions(ex.redis, ex.passwordEnv) as IORedisOptions) : undefined;
  const results: ProcessFlowResult[] = [];
  try {
    for (const id of data.batchFlowIds) {
      if (redis && (await redis.get(CANCEL_KEY + job.id)))
        throw new StagebookError('E_ABORTED', `punch flow job ${job.id}: cancelled by the cleaner before flow ${id}`, {
          where: 'punch worker',
        });
      results.push(
        await processFlow(db, id, { config, segments: MISSION_SEGMENTS, runName: `bullmq:${job.id}@${ctx.worker}` }),
      );
    }
    return results;
  } finally {
    db.close();
    redis?.disconnect();
  }
}

registerFlowExecutor('bullmq', (config) => {
  if (config.executor.kind !== 'bullmq')
    throw new StagebookError('E_INTERNAL', 'punch: the bullmq executor was built from another executor config', {
      where: 'BullmqFlowExecutor',
    });
  return new BullmqFlowExecutor(config, config.executor);
});
registerJobHandler(PUNCH_FLOW_JOB, runPunchFlowJob);
