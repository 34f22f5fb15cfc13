/**
 * The default executor (`executor: { kind: in-process }`): runs the processor on this machine.
 * `isolation: child-process` (default) starts one `node processor-main.js` per launch, so a crashing
 * or killed flow never takes the daemon down and the cleaner can cancel it; `inline` runs it in this
 * process (notebooks, tests). Accepting means the run was started; it then owns the state changes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../ledger/db';
import { compiledPath } from '../../numeric/parallel/pool';
import type { PunchConfig } from './config';
import { registerFlowExecutor, type FlowExecutor, type FlowLaunch, type SubmitAnswer } from './flow-executor';
import { MISSION_SEGMENTS } from './mission/segments';
import { processFlow, type ProcessFlowResult } from './processor';
import type { Segment } from './segment';

export interface InProcessExecutorOptions {
  isolation: 'child-process' | 'inline';
  /** Inline only: the database handle (default: a connection of its own to config.database). */
  db?: Database.Database;
  segments?: ReadonlyMap<string, Segment>;
  /** Inline only: the processor's clock (default Date.now; notebooks simulate time). */
  now?: () => number;
  /** Called with each inline result (tests, notebooks). */
  onResult?: (r: ProcessFlowResult) => void;
  /**
   * Called when an inline run throws (not a stage failure, which is a `failed` flow: e.g. the cleaner
   * timed the flow out first, E_PUNCH_TRANSITION). Default: one line on stderr.
   */
  onError?: (error: unknown, launch: FlowLaunch) => void;
}

export class InProcessExecutor implements FlowExecutor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly inline = new Map<string, Promise<void>>();
  private db: Database.Database | undefined;
  private seq = 0;

  constructor(
    private readonly config: PunchConfig,
    private readonly options: InProcessExecutorOptions,
  ) {
    this.db = options.db;
  }

  async submit(launch: FlowLaunch): Promise<SubmitAnswer> {
    return this.options.isolation === 'inline' ? this.submitInline(launch) : this.submitChild(launch);
  }

  private submitInline(launch: FlowLaunch): SubmitAnswer {
    const db = (this.db ??= openDatabase(this.config.database));
    const ref = `inline:${launch.flowId}:${++this.seq}`;
    const segments = this.options.segments ?? MISSION_SEGMENTS;
    // started on the next turn: the launcher records the run ref first
    const run = new Promise<void>((r) => setImmediate(r)).then(async () => {
      for (const id of launch.batchFlowIds) {
        const result = await processFlow(db, id, {
          config: this.config,
          segments,
          runName: ref,
          now: this.options.now,
        });
        this.options.onResult?.(result);
      }
    });
    const report =
      this.options.onError ??
      ((e: unknown): void =>
        void process.stderr.write(`punch inline run ${ref}: ${(e as Error)?.message ?? String(e)}\n`));
    this.inline.set(
      ref,
      run.catch((e) => report(e, launch)).finally(() => this.inline.delete(ref)),
    );
    return { accepted: true, runRef: ref };
  }

  private submitChild(launch: FlowLaunch): Promise<SubmitAnswer> {
    const script = compiledPath(path.join(__dirname, 'processor-main.ts'));
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [script, ...launch.batchFlowIds.map(String)], {
        env: { ...process.env, PUNCH_CONFIG_JSON: JSON.stringify(this.config) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      child.once('error', (e) => resolve({ accepted: false, reason: `cannot start the processor: ${e.message}` }));
      child.once('spawn', () => {
        const ref = `pid:${child.pid}`;
        this.children.set(ref, child);
        child.once('exit', () => this.children.delete(ref));
        resolve({ accepted: true, runRef: ref });
      });
    });
  }

  /**
   * Cancels a run this executor started (SIGTERM). A run of an earlier daemon (its pid may since
   * belong to another process) is never signalled: the cleaner's timeout is enough for it.
   */
  async cancel(runRef: string): Promise<void> {
    this.children.get(runRef)?.kill('SIGTERM');
  }

  async drain(): Promise<void> {
    await Promise.all([
      ...[...this.children.values()].map(
        (c) => new Promise<void>((r) => (c.exitCode !== null ? r() : c.once('exit', () => r()))),
      ),
      ...this.inline.values(),
    ]);
  }
}

registerFlowExecutor(
  'in-process',
  (config) =>
    new InProcessExecutor(config, {
      isolation: config.executor.kind === 'in-process' ? config.executor.isolation : 'child-process',
    }),
);
