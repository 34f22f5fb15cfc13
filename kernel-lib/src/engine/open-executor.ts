/**
 * Chooses a run's executor from the config's `executor` section: in-process (the default) or
 * BullMQ. The BullMQ side is loaded only when configured, so runs without Redis never load bullmq.
 */
import type { InProcessDeps } from './in-process-executor';
import { InProcessExecutor } from './in-process-executor';
import type { UnitExecutor } from './executor';

/** What any executor may need from its run. */
export interface ExecutorDeps extends InProcessDeps {
  /** Absolute path of the module the pipeline came from (workers load it; absent: a registered name). */
  pipelineModule?: string;
}

/** The executor the config asks for, connected and ready. */
export async function openExecutor(d: ExecutorDeps): Promise<UnitExecutor> {
  const ex = d.config.executor;
  if (ex.kind === 'in-process') return new InProcessExecutor(d);
  const { BullmqExecutor } = await import('./bullmq/bullmq-executor');
  return BullmqExecutor.open(ex, d);
}
