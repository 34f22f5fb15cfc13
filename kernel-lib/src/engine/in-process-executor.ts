/**
 * The default executor: a unit's stage code runs in this process, `engine.concurrency` units of a
 * stage at once (the behaviour stagebook always had). Its log lines and progress go straight to
 * the run's events; its outputs stay temps until the control node's fenced commit renames them.
 */
import type { StagebookConfig } from '../config/schema';
import type { Redactor } from '../config/secrets';
import type { PathGuard } from '../workdirs/confine';
import type { UnitExecutor, UnitHooks, UnitOutcome, UnitTask } from './executor';
import { runStageCode } from './stage-unit';

/** What the in-process executor shares with its run. */
export interface InProcessDeps {
  pipeline: string;
  config: StagebookConfig;
  guard: PathGuard;
  redactor: Redactor;
  pipelineOptions: Record<string, unknown>;
  /** The run's signal (abort, lost lease). */
  signal: AbortSignal;
}

/** Runs units here, `engine.concurrency` at once. */
export class InProcessExecutor implements UnitExecutor {
  readonly kind = 'in-process' as const;
  readonly remote = false;
  readonly slots: number;

  constructor(private readonly d: InProcessDeps) {
    this.slots = d.config.engine.concurrency;
  }

  async run(task: UnitTask, hooks: UnitHooks): Promise<UnitOutcome> {
    const { d } = this;
    hooks.started({ attempt: 1 });
    // each unit gets its own signal, linked to the run's only while it runs: listeners a stage adds
    // (one per unit) die with the unit instead of piling up on the run's signal
    // (MaxListenersExceededWarning past 10 units, issue 11 item 13)
    const unitSignal = new AbortController();
    const forward = (): void => unitSignal.abort();
    if (d.signal.aborted) unitSignal.abort();
    else d.signal.addEventListener('abort', forward, { once: true });
    try {
      const r = await runStageCode({
        runId: task.runId,
        pipeline: d.pipeline,
        stage: task.stage,
        params: task.params,
        unit: task.unit,
        root: d.config.root,
        logDir: d.config.logDir,
        secrets: d.config.secrets,
        guard: d.guard,
        options: d.pipelineOptions,
        redactor: d.redactor,
        signal: unitSignal.signal,
        onLog: (level, message) => hooks.log(level, message),
        onProgress: (n, total, message) => hooks.progress(n, total, message),
      });
      return { ...r, attempts: 1 };
    } finally {
      d.signal.removeEventListener('abort', forward);
    }
  }

  async close(): Promise<void> {
    // nothing to release
  }
}
