/**
 * The launcher never starts flows itself: it hands each launch to a FlowExecutor (contract with
 * issue 18, BullMQ scale-out, which adds a `bullmq` kind). punchpipe's launcher called Prefect's
 * `create_flow_run_from_deployment` and reverted runs not `Scheduled`; here `submit` answers accepted
 * or refused, and a refusal reverts the flows to `planned` (launcher.ts).
 */
import { StagebookError } from '../../errors/stagebook-error';
import type { PunchConfig } from './config';

export interface FlowLaunch {
  /** First flow of the run (the only one unless batched). */
  flowId: number;
  flowType: string;
  level: string;
  /** Highest priority among the run's flows. */
  priority: number;
  /** Weight the run counts against control.launcher.max_weight_running (flows.<type>.launch_weight). */
  launchWeight: number;
  /**
   * The parsed `call_data` of each flow of the run, in `batchFlowIds` order
   * (`{input_data: string[], output_filename: string[]}` each).
   */
  callData: unknown;
  /** Every flow of the run, `flowId` first; one flow unless flows.<type>.batch_size > 1. */
  batchFlowIds: number[];
}

export type SubmitAnswer = { accepted: true; runRef: string } | { accepted: false; reason: string };

export interface FlowExecutor {
  /** Accept or refuse a launch; a refusal reverts the flows to `planned` (issue item 4). */
  submit(launch: FlowLaunch): Promise<SubmitAnswer>;
  /** The cleaner's timeout cancels the run (best effort). */
  cancel(runRef: string): Promise<void>;
  /** Waits for accepted runs still going (daemon shutdown, tests); optional. */
  drain?(): Promise<void>;
}

/** Executor factories by `executor.kind`; issue 18 registers `bullmq` here. */
export type ExecutorFactory = (config: PunchConfig) => FlowExecutor;
const FACTORIES = new Map<string, ExecutorFactory>();

/** Registers an executor kind (in-process-executor.ts registers `in-process`). */
export function registerFlowExecutor(kind: string, factory: ExecutorFactory): void {
  FACTORIES.set(kind, factory);
}

/** The executor punch.yaml's `executor.kind` names (E_CONFIG_UNSUPPORTED naming the field otherwise). */
export function createFlowExecutor(config: PunchConfig): FlowExecutor {
  const factory = FACTORIES.get(config.executor.kind);
  if (!factory)
    throw new StagebookError(
      'E_CONFIG_UNSUPPORTED',
      `punch: executor.kind '${config.executor.kind}' is not a known executor (known: ${[...FACTORIES.keys()].join(', ')})`,
      { where: 'createFlowExecutor', field: 'executor.kind' },
    );
  return factory(config);
}
