/**
 * The worker side of the BullMQ executor (`stagebook worker`): takes unit jobs from its queues,
 * runs them with the same stage code the control node has (the pipeline is looked up by name or
 * loaded from the module path in the job), writes outputs as temps on the shared filesystem and
 * reports them. It is stateless: no ledger, no lease. BullMQ's job lock is its heartbeat (renewed
 * every lockDurationMs / 2); a worker killed mid-unit loses the lock and the job is handed to
 * another worker by the stalled-job check. Graceful shutdown finishes the units in hand.
 */
import os from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { WorkerPolicy } from '../../config/executor-schema';
import { Redactor, resolveSecret } from '../../config/secrets';
import { StagebookError, isStagebookError } from '../../errors/stagebook-error';
import { PathGuard } from '../../workdirs/confine';
import { resolvePipeline } from '../registry';
import { runStageCode } from '../stage-unit';
import { QUEUE_PREFIX, redisOptions } from './connection';
import { encodeFailure, unitJobSchema, type UnitJob, type UnitRelay, type UnitResult } from './unit-job';
import { announceWorker, type WorkerAnnouncement } from './worker-registry';

/**
 * Jobs other than stage units that a worker runs, by their `data.kind` (the PUNCH launcher's flows:
 * pipelines/punch/bullmq-flow-executor.ts registers `punch-flow`). The handler's return value is the
 * job's result; a throw fails the job (BullMQ retries it per the job's options).
 */
export type JobHandler = (job: Job, ctx: { worker: string; notice: WorkerNotice }) => Promise<unknown>;
const JOB_HANDLERS = new Map<string, JobHandler>();

/** Registers the handler of jobs whose `data.kind` is `kind`. */
export function registerJobHandler(kind: string, handler: JobHandler): void {
  JOB_HANDLERS.set(kind, handler);
}

/** What a worker tells its host process (the CLI prints these lines). */
export type WorkerNotice = (line: string) => void;

/** A running worker process's handle. */
export interface UnitWorker {
  readonly name: string;
  /** Stops taking jobs; `force` hands the current ones back (they are retried elsewhere) instead of finishing them. */
  close(force?: boolean): Promise<void>;
}

/** The units a worker runs; each change is announced at once, not only at the next heartbeat. */
class RunningUnits extends Map<string, { stage: string; unit: string; runId: string; since: number }> {
  announce: () => Promise<unknown> = async () => undefined;
  start(key: string, unit: { stage: string; unit: string; runId: string; since: number }): Promise<unknown> {
    this.set(key, unit);
    return this.announce();
  }
  finish(key: string): Promise<unknown> {
    this.delete(key);
    return this.announce();
  }
}

/** Starts taking units from the policy's queues. */
export async function startUnitWorker(
  policy: WorkerPolicy,
  notice: WorkerNotice = () => undefined,
): Promise<UnitWorker> {
  const name = policy.name ?? `${os.hostname()}:${process.pid}`;
  const connection = redisOptions(policy.redis, policy.passwordEnv);
  const active = new RunningUnits();
  const workers = policy.queues.map(
    (queue) =>
      new Worker(queue, (job: Job) => processJob(job, name, active, notice), {
        connection,
        prefix: QUEUE_PREFIX,
        name,
        concurrency: policy.concurrency,
        lockDuration: policy.lockDurationMs,
        stalledInterval: policy.stalledIntervalMs,
        maxStalledCount: policy.maxStalledCount,
      }),
  );
  for (const w of workers) w.on('error', (e) => notice(`worker: Redis: ${e.message}`));
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  const info = (): WorkerAnnouncement => ({
    name,
    host: os.hostname(),
    pid: process.pid,
    queues: policy.queues,
    concurrency: policy.concurrency,
    at: Date.now(),
    running: [...active.values()],
  });
  const announcer = await announceWorker(connection, info, policy.heartbeatMs);
  active.announce = announcer.beat;
  notice(`worker ${name}: taking units from ${policy.queues.join(', ')} (concurrency ${policy.concurrency})`);
  let closing: Promise<void> | undefined;
  return {
    name,
    close(force = false): Promise<void> {
      if (force) return Promise.all(workers.map((w) => w.close(true))).then(() => announcer.stop());
      closing ??= Promise.all(workers.map((w) => w.close())).then(() => announcer.stop());
      return closing;
    },
  };
}

function processJob(job: Job, worker: string, active: RunningUnits, notice: WorkerNotice): Promise<unknown> {
  const kind = (job.data as { kind?: unknown } | null)?.kind;
  const handler = typeof kind === 'string' ? JOB_HANDLERS.get(kind) : undefined;
  return handler ? handler(job, { worker, notice }) : processUnit(job, worker, active, notice);
}

async function processUnit(job: Job, worker: string, active: RunningUnits, notice: WorkerNotice): Promise<UnitResult> {
  const parsed = unitJobSchema.safeParse(job.data);
  if (!parsed.success)
    throw new UnrecoverableError(
      encodeFailure({
        code: 'E_EXECUTOR',
        message: `job ${job.id} is not a stagebook unit job of this version`,
        worker,
      }),
    );
  const d = parsed.data;
  const attempt = job.attemptsMade + 1;
  const relay = (m: UnitRelay): void => void job.updateProgress(m).catch(() => undefined);
  const key = `${job.id}`;
  // Announced before the stage starts, so `stagebook status` names this unit as soon as it can see its work.
  await active.start(key, { stage: d.stage, unit: d.unit, runId: d.runId, since: Date.now() });
  relay({ k: 'started', worker, attempt });
  notice(`${d.stage} ${d.unit}: started (run ${d.runId}, attempt ${attempt})`);
  try {
    const stage = stageOf(d, worker);
    const redactor = new Redactor();
    for (const envVar of Object.values(d.workspace.secrets))
      if (process.env[envVar]) redactor.add(resolveSecret(envVar));
    const r = await runStageCode({
      runId: d.runId,
      pipeline: d.pipeline,
      stage,
      params: d.params,
      unit: {
        key: d.unit,
        inputs: d.inputs.map((f) => ({ ...f, level: f.level ?? undefined, product: f.product ?? undefined })),
      },
      root: d.workspace.root,
      logDir: d.workspace.logDir,
      secrets: d.workspace.secrets,
      guard: new PathGuard(d.workspace.writeRoots),
      options: d.options,
      redactor,
      signal: new AbortController().signal,
      onLog: (level, message) => relay({ k: 'log', level, message }),
      onProgress: (n, total, message) => relay({ k: 'progress', n, total, message }),
    });
    if (r.ok) {
      notice(`${d.stage} ${d.unit}: done`);
      return { format: 1, worker, attempt, outputs: r.outputs, log: r.log.text() };
    }
    const retry = attempt < (job.opts.attempts ?? 1);
    notice(`${d.stage} ${d.unit}: ${r.error.code}: ${r.error.message}${retry ? ' (it will be retried)' : ''}`);
    if (retry) relay({ k: 'attempt-failed', worker, attempt, reason: `${r.error.code}: ${r.error.message}` });
    throw new Error(
      encodeFailure({ code: r.error.code, message: r.error.message, worker, attempt, log: r.log.text() }),
    );
  } catch (e) {
    if (isStagebookError(e, 'E_EXECUTOR') || isStagebookError(e, 'E_PIPELINE_NOT_FOUND'))
      throw new UnrecoverableError(encodeFailure({ code: e.code, message: e.message, worker, attempt }));
    throw e;
  } finally {
    void active.finish(key);
  }
}

/** The stage the job names, from this worker's code; refused when its version differs from the control node's. */
function stageOf(d: UnitJob, worker: string) {
  const pipeline = resolvePipeline(d.pipelineModule ?? d.pipeline);
  const stage = pipeline.stage(d.stage);
  if (stage.version !== d.version)
    throw new StagebookError(
      'E_EXECUTOR',
      `worker ${worker} has stage ${d.stage} version ${stage.version}, the run planned version ${d.version}: deploy the same stagebook code on every machine`,
      { where: 'stagebook worker', stage: d.stage },
    );
  return stage;
}
