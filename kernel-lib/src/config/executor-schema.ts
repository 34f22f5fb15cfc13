/**
 * Where a pipeline's units run: `executor: { kind: in-process }` (the default: this process, with
 * `engine.concurrency` units at once) or `executor: { kind: bullmq, redis: redis://host:6379/0, queue: units }`
 * (BullMQ jobs over Redis, run by `stagebook worker` processes; docs/scale-out.md). The queue and
 * worker policies (retries, stalled-job detection, locks) are data with the defaults stated here,
 * once: the engine, the `stagebook worker` flags and the docs all read them from this file.
 */
import { z } from 'zod';
import { envVarNameSchema } from './secrets';

/** A Redis URL without credentials: the password comes from an environment variable (passwordEnv). */
export const redisUrlSchema = z
  .string()
  .refine((s) => /^rediss?:\/\//.test(s) && URL.canParse(s), { message: 'expected a redis:// or rediss:// URL' })
  .refine((s) => !URL.canParse(s) || (new URL(s).password === '' && new URL(s).username === ''), {
    // never repeat the URL: it holds the secret
    message: 'a Redis URL must not carry a user or password: name the environment variable in passwordEnv instead',
  })
  .describe('Redis server, e.g. redis://10.0.0.5:6379/0 (no credentials in it)');

const queueNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, {
    message: 'expected letters, digits, _ . - (BullMQ queue names have no :)',
  })
  .describe('BullMQ queue name');

/** Retry and liveness policy of the jobs the control node submits (BullMQ job options). */
const jobPolicyShape = {
  attempts: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe('Tries of a unit before it ends failed (1 = no retry)'),
  backoffMs: z.number().int().min(0).default(1_000).describe('Delay before a retry, doubled each time (exponential)'),
  keepFinishedS: z
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600)
    .describe(
      'Seconds Redis keeps a finished job (so `stagebook resume` can reattach to results no control node recorded)',
    ),
  inFlight: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(256)
    .describe('Units of one stage the control node keeps submitted at once (the workers set the real parallelism)'),
  reconcileMs: z
    .number()
    .int()
    .min(50)
    .default(2_000)
    .describe(
      'Safety net: every so often the control node asks Redis for the state of the jobs it waits on (events can be lost in a Redis restart)',
    ),
  redisDownTimeoutMs: z
    .number()
    .int()
    .min(100)
    .default(120_000)
    .describe(
      'How long the control node waits for a lost Redis connection to come back before the run stops (interrupted, resumable)',
    ),
};

const bullmqExecutorSchema = z
  .strictObject({
    kind: z.literal('bullmq'),
    redis: redisUrlSchema,
    passwordEnv: envVarNameSchema.optional().describe('Environment variable holding the Redis password'),
    queue: queueNameSchema.default('stagebook').describe('Queue of every stage without an entry in queues'),
    queues: z
      .record(z.string(), queueNameSchema)
      .default({})
      .describe('Stage name -> queue (e.g. CPU-heavy stages to the queue of the big machines)'),
    ...jobPolicyShape,
  })
  .describe('Units run as BullMQ jobs by `stagebook worker` processes');

const inProcessExecutorSchema = z
  .strictObject({ kind: z.literal('in-process') })
  .describe('Units run in this process (engine.concurrency at once)');

/** The `executor` section of stagebook.yaml. */
export const executorSchema = z
  .discriminatedUnion('kind', [inProcessExecutorSchema, bullmqExecutorSchema])
  .default({ kind: 'in-process' })
  .describe('Where units run: in-process (default) or bullmq');

export type ExecutorConfig = z.output<typeof executorSchema>;
export type BullmqExecutorConfig = Extract<ExecutorConfig, { kind: 'bullmq' }>;

/** Policy of a `stagebook worker` process (its flags; defaults stated once, here). */
export const workerPolicySchema = z
  .strictObject({
    redis: redisUrlSchema,
    passwordEnv: envVarNameSchema.optional(),
    queues: z.array(queueNameSchema).min(1).default(['stagebook']).describe('Queues this worker takes units from'),
    concurrency: z.number().int().min(1).max(256).default(1).describe('Units this worker runs at once (per queue)'),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/)
      .optional()
      .describe('Worker name shown by `stagebook status` (default host:pid)'),
    lockDurationMs: z
      .number()
      .int()
      .min(100)
      .default(30_000)
      .describe("A job whose worker has not renewed its lock for this long is stalled (the worker's heartbeat)"),
    stalledIntervalMs: z
      .number()
      .int()
      .min(100)
      .default(30_000)
      .describe('How often workers look for stalled jobs and hand them to another worker'),
    maxStalledCount: z
      .number()
      .int()
      .min(0)
      .default(1)
      .describe('Stalls a job survives; one more and it ends failed (E_WORKER_LOST)'),
    heartbeatMs: z
      .number()
      .int()
      .min(50)
      .default(5_000)
      .describe('How often the worker announces itself in Redis (shown by `stagebook status`)'),
  })
  .describe('stagebook worker policy');

export type WorkerPolicy = z.output<typeof workerPolicySchema>;
