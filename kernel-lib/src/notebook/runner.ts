/**
 * Headless notebook runner: validates parameters, starts tslab over ZeroMQ, executes code cells in
 * order, writes outputs and the run record into the output notebook (saved after every cell and
 * periodically during long cells), stops at the first failing cell, and always kills the kernel by
 * pid. Behaviour modelled on papermill (parameters, injected cell, error banner) and nbclient
 * (output handling, per-cell timeout, dead-kernel detection).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT as BIN_EXIT } from '../errors/exit-codes';
import { StagebookError } from '../errors/stagebook-error';
import { bannerDetail, cellErrorView, trimStderrOutputs } from './cell-error';
import { KernelClient, type ExecuteResult } from './client';
import { JsonlEventSink, nullSink, type EventSink, type RunnerEvent } from './events';
import { KERNEL_PORT_IN_USE_EXIT, launchKernel, type KernelReport, type LaunchedKernel } from './launcher';
import type { JupyterMessage } from './wire';
import { hashProducts, inputFilesOf, outputDirsOf, recordSubstitutions } from './record-files';
import { resolveReproPolicy } from './repro-policy';
import {
  readNotebook,
  serializeNotebook,
  sourceText,
  writeNotebook,
  type Notebook,
  type NotebookCell,
} from './nbformat';
import { OutputCollector, PROGRESS_MIME, parseTslabStderr, stderrText, structuredError } from './outputs';
import {
  describeParameters,
  insertInjectedCell,
  loadParameters,
  parseParameterArgs,
  parseParameterFile,
  validateParameters,
  type ParameterHelp,
} from './parameters';
import {
  codeHash,
  hashFile,
  hashJson,
  insertBanner,
  prepareForRun,
  runnerErrorOutput,
  setCellRecord,
  setRunRecord,
  versions,
  type CellRecord,
  type RunRecord,
  type RunStatus,
} from './run-record';

export interface RunNotebookOptions {
  input: string;
  output: string;
  /** `-p key=value` strings (YAML values; raw text when the default is a string). */
  parameterArgs?: string[];
  /** `-f params.yaml`. */
  parameterFile?: string;
  /** `-y YAML`: a YAML mapping given inline (applied after the file, before `-p`). */
  parameterYaml?: string;
  /** Already-parsed overrides (applied after the file and the args). */
  parameters?: Record<string, unknown>;
  /** Extra environment variables for the kernel (e.g. the variable a secret is read from). */
  env?: Record<string, string>;
  /** Per-cell timeout in ms (default: none). */
  cellTimeoutMs?: number;
  /**
   * Whole-run timeout in ms, counted from the moment the kernel is ready (default: none). The
   * kernel start has its own budget, `startTimeoutMs`: on a busy machine tslab's start alone can
   * take most of a short run budget (issue 11 item 14).
   */
  runTimeoutMs?: number;
  /** Kernel start timeout in ms (default 120 000: tslab compiles TypeScript at start, slow on a loaded machine). */
  startTimeoutMs?: number;
  /** Cap on the output one cell adds to the notebook, in characters (default 10 MiB; Infinity: none). */
  maxCellOutput?: number;
  /** JSONL event file. */
  eventsFile?: string;
  /** Progress event throttle for the JSONL stream (default 1000 ms). */
  eventsThrottleMs?: number;
  /** Minimum interval between saves while a cell runs (default 2000 ms). */
  saveIntervalMs?: number;
  /** Kernel working directory (default: the input notebook's directory). */
  kernelCwd?: string;
  /** tslab bin script (default: resolved from the kernel cwd). */
  tslabBin?: string;
  /** Chooses the kernel's five loopback ports (default: free ports; see launcher.ts KERNEL_PORT_IN_USE_EXIT). */
  kernelPorts?: () => Promise<number[]>;
  /** Receives the kernel process's own stdout/stderr and runner notes. */
  log?: (text: string) => void;
  /** Receives every runner event (the `--events` stream, unthrottled): progress bars. */
  onEvent?: (event: RunnerEvent) => void;
  /** Receives every iopub message of a cell as it arrives (`cell` = index in the output notebook): `--log-output`. */
  onIopub?: (cell: number, msg: JupyterMessage) => void;
}

/** Kernel starts per run when a port was taken before the kernel bound it (launcher.ts). */
const KERNEL_START_ATTEMPTS = 3;

export interface RunSummary {
  status: Exclude<RunStatus, 'running' | 'interrupted'>;
  exitCode: number;
  output: string;
  cellsExecuted: number;
  durationMs: number;
  /** Index (in the output notebook, banner included) of the cell that stopped the run. */
  failedCell?: number;
  error?: Record<string, unknown>;
  ledgerRunIds: string[];
}

/** Exit codes of `stagebook notebook run`, by run status: rows of the binary's one table (errors/exit-codes.ts). */
export const EXIT = {
  ok: BIN_EXIT.ok,
  failed: BIN_EXIT.failed,
  usage: BIN_EXIT.usage,
  timeout: BIN_EXIT.timeout,
  kernel_dead: BIN_EXIT.kernel,
} as const;

/** Loads and validates parameters without running anything (also used by `--help-params`). */
export function resolveParameters(
  options: Pick<
    RunNotebookOptions,
    'input' | 'parameterArgs' | 'parameterFile' | 'parameterYaml' | 'parameters' | 'kernelCwd'
  >,
): {
  nb: Notebook;
  defaults: Record<string, unknown>;
  injected: Record<string, unknown>;
  help: ParameterHelp[];
  params: ReturnType<typeof loadParameters>;
} {
  const nb = readNotebook(options.input);
  // the parameters cell's imports (zod) resolve where the kernel runs: a record reproduced from another
  // directory runs in the recorded working directory
  const params = loadParameters(nb, options.kernelCwd ?? path.dirname(path.resolve(options.input)));
  const fromFile = options.parameterFile
    ? parseParameterFile(readParamsFile(options.parameterFile), options.parameterFile)
    : {};
  const fromYaml = options.parameterYaml !== undefined ? parseParameterFile(options.parameterYaml, '-y') : {};
  const fromArgs = parseParameterArgs(options.parameterArgs ?? [], params.defaults);
  // papermill's order: file, then YAML, then -p (later wins)
  const overrides = { ...fromFile, ...fromYaml, ...fromArgs, ...(options.parameters ?? {}) };
  const injected = validateParameters(params, overrides);
  return { nb, defaults: params.defaults, injected, help: describeParameters(params), params };
}

function readParamsFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new StagebookError(
      'E_NOTEBOOK_PARAMS',
      `runNotebook: -f ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      { where: 'runNotebook', file },
      { cause: e },
    );
  }
}

/** Runs a notebook headless; never throws for cell failures (see RunSummary), throws for bad input. */
export async function runNotebook(options: RunNotebookOptions): Promise<RunSummary> {
  const t0 = Date.now();
  const resolved = resolveParameters(options);
  const nb = prepareForRun(resolved.nb);
  if (Object.keys(resolved.injected).length > 0) insertInjectedCell(nb, resolved.params, resolved.injected);
  const record: RunRecord = {
    runner: 'stagebook notebook run',
    status: 'running',
    start: new Date(t0).toISOString(),
    input_path: path.resolve(options.input),
    output_path: path.resolve(options.output),
    versions: versions(undefined),
    parameters: { defaults: resolved.defaults, injected: resolved.injected },
    input_hashes: {
      notebook: hashFile(options.input),
      code: codeHash(nb),
      ...(options.parameterFile ? { parameter_file: hashFile(options.parameterFile) } : {}),
      parameters: hashJson({ ...resolved.defaults, ...resolved.injected }),
    },
    ledger_run_ids: [],
  };
  const merged = { ...resolved.defaults, ...resolved.injected };
  const cwd = options.kernelCwd ?? path.dirname(path.resolve(options.input));
  const policy = resolveReproPolicy();
  record.cwd = path.resolve(cwd);
  // fixed file creation dates were asked for (FITS DATE): `reproduce` passes the same value on
  const epoch = options.env?.SOURCE_DATE_EPOCH ?? process.env.SOURCE_DATE_EPOCH;
  if (epoch) record.source_date_epoch = epoch;
  record.input_files = inputFilesOf(merged, cwd, policy);
  record.products_root = outputDirsOf(merged, cwd, policy);
  setRunRecord(nb, record);
  const sink: EventSink = options.eventsFile
    ? new JsonlEventSink(options.eventsFile, options.eventsThrottleMs ?? 1000)
    : nullSink;
  const events: EventSink = options.onEvent ? teeSink(sink, options.onEvent) : sink;
  const run = new Execution(nb, record, options, events, t0);
  try {
    return await run.execute();
  } finally {
    events.close();
  }
}

/** Runs in progress in this process (for `interruptActiveRunsSync`). */
const activeRuns = new Set<Execution>();

/**
 * Marks every run in progress `interrupted` (the running cell too) and writes its output notebook
 * synchronously: for signal handlers that exit right after (the notebook must not keep saying
 * `running`, issue 11 item 11).
 */
export function interruptActiveRunsSync(signal: string): void {
  for (const run of activeRuns) run.interruptSync(signal);
  activeRuns.clear();
}

/** Forwards every event to `listener` too (a throwing listener never breaks the run). */
function teeSink(sink: EventSink, listener: (e: RunnerEvent) => void): EventSink {
  return {
    emit: (e) => {
      sink.emit(e);
      try {
        listener(e);
      } catch {
        // a broken progress bar must not fail the notebook it displays
      }
    },
    close: () => sink.close(),
  };
}

/** One run: owns the kernel, the client, the save queue. */
class Execution {
  private kernel: LaunchedKernel | undefined;
  private client: KernelClient | undefined;
  private readonly collector: OutputCollector;
  private saveChain: Promise<void> = Promise.resolve();
  private lastSave = 0;
  private deadline = Infinity;
  private runningCell: NotebookCell | undefined;
  /** Cells in execution order: execute request k (1-based, as the kernel preload counts) is executed[k - 1]. */
  private readonly executed: NotebookCell[] = [];
  private readonly rejections: KernelReport[] = [];
  private cellsExecuted = 0;
  private readonly stageSeen = new Map<string, string>();

  constructor(
    private readonly nb: Notebook,
    private readonly record: RunRecord,
    private readonly o: RunNotebookOptions,
    private readonly events: EventSink,
    private readonly t0: number,
  ) {
    this.collector = new OutputCollector(o.maxCellOutput);
    this.collector.onDisplay = (data) => this.onDisplay(data);
    this.collector.onTruncate = (limit) =>
      this.events.emit({
        type: 'output_truncated',
        cell: this.runningCell ? this.nb.cells.indexOf(this.runningCell) : undefined,
        limit,
      });
  }

  async execute(): Promise<RunSummary> {
    activeRuns.add(this);
    const codeCells = this.nb.cells.filter((c) => c.cell_type === 'code' && sourceText(c.source).trim() !== '').length;
    this.events.emit({
      type: 'run_start',
      input: this.record.input_path,
      output: this.record.output_path,
      parameters: this.record.parameters.injected,
      code_cells: codeCells,
    });
    await this.save(true);
    let summary: Omit<RunSummary, 'output' | 'cellsExecuted' | 'durationMs' | 'ledgerRunIds'>;
    try {
      await this.startKernel();
      summary = await this.executeCells();
    } catch (e) {
      summary = this.startFailure(e);
    } finally {
      await this.stopKernel();
      activeRuns.delete(this);
    }
    return this.finish(summary);
  }

  /** Records the interruption and writes the notebook now (temp + rename, synchronously). */
  interruptSync(signal: string): void {
    const end = Date.now();
    Object.assign(this.record, {
      status: 'interrupted',
      end: new Date(end).toISOString(),
      duration_ms: end - this.t0,
      error: { code: 'E_INTERRUPTED', message: `the runner got ${signal}` },
    });
    const rec = this.runningCell?.metadata.stagebook as CellRecord | undefined;
    if (rec && rec.status === 'running')
      Object.assign(rec, { status: 'interrupted', end: new Date(end).toISOString() });
    this.events.emit({ type: 'run_end', status: 'interrupted', signal, duration_ms: end - this.t0 });
    const tmp = `${this.o.output}.sbtmp-${process.pid}`;
    writeFileSync(tmp, serializeNotebook(this.nb));
    renameSync(tmp, this.o.output);
  }

  private async startKernel(): Promise<void> {
    const cwd = this.o.kernelCwd ?? path.dirname(path.resolve(this.o.input));
    // A port taken between choosing and binding it ends the kernel at once (launcher.ts): start
    // another on fresh ports, a bounded number of times.
    for (let attempt = 1; ; attempt++) {
      this.kernel = await launchKernel({
        cwd,
        tslabBin: this.o.tslabBin,
        env: this.o.env,
        onLog: this.o.log,
        ports: this.o.kernelPorts,
        onReport: (r) => {
          // port_in_use: the kernel exits with KERNEL_PORT_IN_USE_EXIT, which decides below
          if (r.type === 'unhandled_rejection') this.rejections.push(r);
          else if (r.type === 'transport_rejection')
            this.events.emit({ type: 'transport_rejection', message: r.message.split('\n')[0] });
        },
      });
      this.client = KernelClient.connect(this.kernel.connection, this.kernel.exited);
      try {
        await this.readyKernel();
        return;
      } catch (e) {
        const exit = this.kernel.isDead() ? await this.kernel.exited : undefined;
        if (exit?.code !== KERNEL_PORT_IN_USE_EXIT || attempt >= KERNEL_START_ATTEMPTS) throw e;
        this.events.emit({ type: 'kernel_restart', reason: 'port_in_use', attempt });
        await this.stopKernel();
      }
    }
  }

  private async readyKernel(): Promise<void> {
    const kernel = this.kernel!;
    const client = this.client!;
    this.record.versions = versions(kernel.tslabBin);
    client.onStrayIopub = (msg) =>
      this.events.emit({ type: 'late_output', msg_type: msg.header.msg_type, parent: msg.parent_header.msg_id });
    const info = await client.waitReady(this.o.startTimeoutMs ?? 120_000);
    if (this.o.runTimeoutMs !== undefined) this.deadline = Date.now() + this.o.runTimeoutMs;
    this.record.kernel = {
      name: 'tslab',
      pid: kernel.pid,
      implementation: info.implementation,
      protocol_version: info.protocol_version,
      language_info: info.language_info,
    };
    this.events.emit({ type: 'kernel_ready', pid: kernel.pid, ms: Date.now() - this.t0 });
  }

  private startFailure(e: unknown): Omit<RunSummary, 'output' | 'cellsExecuted' | 'durationMs' | 'ledgerRunIds'> {
    const err =
      e instanceof StagebookError
        ? e
        : new StagebookError(
            'E_KERNEL_START',
            `runNotebook: kernel start failed: ${(e as Error).message}`,
            { where: 'runNotebook' },
            { cause: e },
          );
    // A kernel that never answered within its own start budget counts as dead (the whole-run
    // timeout only starts once the kernel is ready). The run is `failed` (types/run-status.ts); the
    // event type and exit code say why.
    this.events.emit({ type: 'kernel_dead', phase: 'start', code: err.code, message: err.message });
    return { status: 'failed', exitCode: EXIT.kernel_dead, error: err.toJSON() as unknown as Record<string, unknown> };
  }

  private async executeCells(): Promise<Omit<RunSummary, 'output' | 'cellsExecuted' | 'durationMs' | 'ledgerRunIds'>> {
    const code = this.nb.cells.filter((c) => c.cell_type === 'code' && sourceText(c.source).trim() !== '');
    for (const [i, cell] of code.entries()) {
      const result = await this.executeCell(cell);
      if (result.status === 'ok' && this.rejections.length === 0) continue;
      for (const rest of code.slice(i + 1)) setCellRecord(rest, { status: 'skipped' });
      return result.status === 'ok' ? this.rejectionFailure(cell) : this.cellFailure(cell, result);
    }
    // one more round trip lets rejections already due fire (and their reports arrive) before the
    // kernel goes: after the last cell they used to vanish
    if (code.length > 0)
      await (this.client as KernelClient).execute('await new Promise((resolve) => setImmediate(resolve));', {
        timeoutMs: 30_000,
      });
    if (this.rejections.length > 0) return this.rejectionFailure(code[code.length - 1]);
    return { status: 'succeeded', exitCode: EXIT.ok };
  }

  /**
   * An unhandled promise rejection fails the run, attributed to the cell whose code started it
   * (the kernel preload's report), even when it fired after that cell ended (issue 11 item 10).
   */
  private rejectionFailure(
    current: NotebookCell,
  ): Omit<RunSummary, 'output' | 'cellsExecuted' | 'durationMs' | 'ledgerRunIds'> {
    const r = this.rejections[0];
    const cell = (r.execution !== null ? this.executed[r.execution - 1] : undefined) ?? current;
    const index = this.nb.cells.indexOf(cell);
    const late = cell !== current || r.current > this.executed.indexOf(cell) + 1;
    const first = r.message.split('\n')[0];
    const error = {
      code: 'E_NOTEBOOK_UNHANDLED_REJECTION',
      message: `unhandled promise rejection${late ? ' after the cell ended' : ''}: ${first}`,
      stack: r.message,
    };
    (cell.outputs ??= []).push({
      output_type: 'stream',
      name: 'stderr',
      text: `UnhandledPromiseRejection (started by this cell): ${r.message}\n`,
    });
    const rec = cell.metadata.stagebook as CellRecord;
    Object.assign(rec, { status: 'error', error });
    this.events.emit({ type: 'late_rejection', cell: index, id: cell.id, late, message: first });
    insertBanner(this.nb, cell, 'error', `${error.code}: ${error.message}`);
    return { status: 'failed', exitCode: EXIT.failed, failedCell: this.nb.cells.indexOf(cell), error };
  }

  private async executeCell(cell: NotebookCell): Promise<ExecuteResult> {
    const index = this.nb.cells.indexOf(cell);
    const start = new Date();
    const rec: CellRecord = { status: 'running', start: start.toISOString() };
    setCellRecord(cell, rec);
    cell.outputs = [];
    this.runningCell = cell;
    this.executed.push(cell);
    this.collector.begin(cell.outputs);
    this.events.emit({ type: 'cell_start', cell: index, id: cell.id });
    void this.save(true); // not awaited: the record shows which cell is running if we die mid-cell
    const timeoutMs = Math.min(this.o.cellTimeoutMs ?? Infinity, this.deadline - Date.now());
    const result = await (this.client as KernelClient).execute(sourceText(cell.source), {
      timeoutMs,
      onIopub: (msg) => {
        this.o.onIopub?.(index, msg);
        if (this.collector.apply(msg)) void this.save(false);
      },
    });
    this.cellsExecuted++;
    this.runningCell = undefined;
    if (this.collector.droppedChars > 0) rec.output_truncated_chars = this.collector.droppedChars;
    const end = new Date();
    cell.execution_count = result.executionCount;
    Object.assign(rec, {
      status: result.status,
      end: end.toISOString(),
      duration_ms: end.getTime() - start.getTime(),
      execution_count: result.executionCount,
    });
    this.events.emit({
      type: 'cell_end',
      cell: index,
      id: cell.id,
      status: result.status,
      duration_ms: rec.duration_ms,
    });
    await this.save(true);
    return result;
  }

  private cellFailure(
    cell: NotebookCell,
    result: ExecuteResult,
  ): Omit<RunSummary, 'output' | 'cellsExecuted' | 'durationMs' | 'ledgerRunIds'> {
    const outputs = cell.outputs ?? [];
    const rec = cell.metadata.stagebook as CellRecord;
    let error: Record<string, unknown>;
    // The run is `failed` whatever the cause (types/run-status.ts); the error code and exit code say why.
    let why: 'timeout' | 'kernel_dead' | 'failed';
    if (result.status === 'timeout') {
      const runLimit = Date.now() >= this.deadline;
      const what = runLimit ? `run timeout of ${this.o.runTimeoutMs} ms` : `cell timeout of ${this.o.cellTimeoutMs} ms`;
      error = { code: 'E_NOTEBOOK_TIMEOUT', message: `cell did not finish within the ${what}` };
      outputs.push(runnerErrorOutput('CellTimeoutError', error.message as string));
      why = 'timeout';
      this.events.emit({ type: 'timeout', cell: this.nb.cells.indexOf(cell), limit: runLimit ? 'run' : 'cell' });
    } else if (result.status === 'dead') {
      error = { code: 'E_KERNEL_DIED', message: 'the kernel process exited while the cell was running' };
      outputs.push(runnerErrorOutput('DeadKernelError', error.message as string));
      why = 'kernel_dead';
      this.events.emit({ type: 'kernel_dead', cell: this.nb.cells.indexOf(cell), pid: this.kernel?.pid });
    } else {
      const structured = structuredError(outputs);
      const stderr = stderrText(outputs);
      const parsed = parseTslabStderr(stderr);
      const fallback = result.status === 'abort' ? 'E_NOTEBOOK_CELL_ABORT' : 'E_NOTEBOOK_CELL_FAILED';
      // The user sees their line and no tslab frames; the full stderr stays in the cell metadata.
      const view = cellErrorView(stderr, sourceText(cell.source));
      trimStderrOutputs(outputs);
      error = {
        code: structured?.code ?? parsed.code ?? fallback,
        message: structured?.message ?? (parsed.message || `execute_reply status ${result.status}`),
        ...(parsed.ename ? { ename: parsed.ename } : {}),
        ...(structured ? { structured } : {}),
        ...(view.line !== undefined ? { line: view.line, source_line: view.source } : {}),
        reply_status: result.status,
        trace: view.trace,
        stderr,
      };
      why = 'failed';
      this.events.emit({
        type: 'cell_failed',
        cell: this.nb.cells.indexOf(cell),
        id: cell.id,
        status: result.status,
        code: error.code,
        message: error.message,
      });
    }
    rec.error = error;
    insertBanner(this.nb, cell, result.status as CellRecord['status'], bannerDetail(error));
    const failedCell = this.nb.cells.indexOf(cell);
    return { status: 'failed', exitCode: EXIT[why], failedCell, error };
  }

  private onDisplay(data: Record<string, unknown>): void {
    const p = data[PROGRESS_MIME] as
      { runId?: string; stages?: Array<Record<string, unknown>>; pipeline?: string } | undefined;
    if (!p || typeof p.runId !== 'string') return;
    if (!this.record.ledger_run_ids.includes(p.runId)) this.record.ledger_run_ids.push(p.runId);
    for (const s of p.stages ?? []) {
      const key = `${p.runId}\u0000${String(s.name)}`;
      const sig = JSON.stringify([s.state, s.n, s.total, s.message]);
      if (this.stageSeen.get(key) === sig) continue; // unchanged stage in a payload that lists all stages
      this.stageSeen.set(key, sig);
      this.events.emit({
        type: 'progress',
        runId: p.runId,
        pipeline: p.pipeline,
        stage: s.name,
        state: s.state,
        n: s.n,
        total: s.total,
        message: s.message,
        duration_ms: s.durationMs,
        error: s.error,
      });
    }
  }

  private async stopKernel(): Promise<void> {
    this.client?.close();
    await this.kernel?.kill();
  }

  /** Queues an atomic save; `force` saves now, otherwise at most once per saveIntervalMs. */
  private save(force: boolean): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastSave < (this.o.saveIntervalMs ?? 2000)) return this.saveChain;
    this.lastSave = now;
    const snapshot = JSON.parse(JSON.stringify(this.nb)) as Notebook;
    this.saveChain = this.saveChain.then(() => writeNotebook(this.o.output, snapshot));
    return this.saveChain;
  }

  private async finish(
    summary: Omit<RunSummary, 'output' | 'cellsExecuted' | 'durationMs' | 'ledgerRunIds'>,
  ): Promise<RunSummary> {
    const end = Date.now();
    Object.assign(this.record, {
      status: summary.status,
      end: new Date(end).toISOString(),
      duration_ms: end - this.t0,
    });
    // what the run wrote, for `stagebook notebook reproduce` to compare by content (issue 21)
    this.record.products = hashProducts(
      this.record.products_root ?? {},
      resolveReproPolicy(),
      recordSubstitutions(this.record),
    );
    if (summary.failedCell !== undefined) this.record.failed_cell = summary.failedCell;
    if (summary.error) this.record.error = summary.error;
    await this.save(true);
    this.events.emit({
      type: 'run_end',
      status: summary.status,
      exit_code: summary.exitCode,
      duration_ms: end - this.t0,
    });
    return {
      ...summary,
      output: path.resolve(this.o.output),
      cellsExecuted: this.cellsExecuted,
      durationMs: end - this.t0,
      ledgerRunIds: [...this.record.ledger_run_ids],
    };
  }
}
