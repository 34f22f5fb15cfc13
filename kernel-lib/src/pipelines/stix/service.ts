/**
 * The STIX watched-folder service (STIXCore `pipeline.py`, run as `stix-pipeline.service`): a
 * chokidar watcher on the incoming folder reacts only to completed TM files (rsync writes a dot-temp
 * name and renames it: only the final `*PktTmRaw*.xml` name is queued, temps are never), a FIFO
 * queue with ONE worker, per-TM `.log/.log.err/.out`, `start_with_unprocessed`, stop or continue on
 * error, and reloading of the IDB and time correlation: every TM runs with the newest ones, and a
 * new definitive time correlation queues the reprocessing of L1/L2 (U files -> complete). Every run
 * is an engine run in the ledger; the service adds its own events (`stix-service`).
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { StagebookConfig } from '../../config/schema';
import { StagebookError, isStagebookError } from '../../errors/stagebook-error';
import { EventBus } from '../../events/emitter';
import { TM_FILE_PATTERN } from '../../formats/ccsds/edds-xml';
import { Ledger } from '../../ledger/ledger';
import { stixOptionsSchema, stixPaths, type StixOptions, type StixPaths } from './options';
import { runStix, type StixRunResult } from './pipeline';
import { currentResources, type StixResources } from './resources';
import { TIME_CORRELATION_FILE } from './time-correlation';
import { isProcessed, TmLog } from './tm-logs';

const importEsm = require('../../display/esm-import') as (s: string) => Promise<typeof import('chokidar')>;

/** A queued job: a TM file, or the L1/L2 reprocessing a new definitive time correlation asks for. */
export interface ServiceJob {
  kind: 'tm' | 'timecorr';
  file: string;
}

/** What the status endpoint reports. */
export interface ServiceStatus {
  last?: { file: string; at: string; status: string; products: number };
  error?: { file: string; at: string; message: string };
  current?: { file: string; since: string };
  queue: string[];
}

/** The state file: pid, status port, last processed TM (for start_with_unprocessed). */
export interface ServiceState {
  pid: number;
  port?: number;
  lastProcessed?: string;
  startedAt: string;
}

export function readServiceState(file: string): ServiceState | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ServiceState;
}

function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 2));
  renameSync(`${file}.tmp`, file);
}

/** True for a completed TM file name (not an rsync dot-temp). */
export function isTmFileName(name: string): boolean {
  return !name.startsWith('.') && TM_FILE_PATTERN.test(name);
}

export class StixService extends EventEmitter {
  readonly options: StixOptions;
  readonly paths: StixPaths;
  private readonly queue: ServiceJob[] = [];
  private readonly status: ServiceStatus = { queue: [] };
  private watcher: { close(): Promise<void> } | undefined;
  private busy = false;
  private stopped = false;
  private resources: StixResources | undefined;
  private state: ServiceState;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    readonly config: StagebookConfig,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
    this.options = stixOptionsSchema.parse(config.options);
    this.paths = stixPaths(config.root, this.options);
    this.state = {
      pid: process.pid,
      startedAt: now().toISOString(),
      lastProcessed: readServiceState(this.paths.stateFile)?.lastProcessed,
    };
  }

  /** Queues the unprocessed TM files (if configured) and starts watching. */
  async start(): Promise<void> {
    for (const d of [this.config.inputs.dir, this.paths.timeCorrelation, this.paths.tmLogs])
      mkdirSync(d, { recursive: true });
    const { watch } = await importEsm('chokidar');
    const w = watch([this.config.inputs.dir, this.paths.timeCorrelation], { ignoreInitial: true, depth: 0 });
    w.on('add', (file: string) => this.onAdd(file));
    w.on('error', (e: unknown) => this.record('error', `watcher: ${String(e)}`));
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
    this.watcher = w;
    this.saveState();
    this.record('info', `watching ${this.config.inputs.dir} (FIFO, one worker)`);
    if (this.options.service.startWithUnprocessed)
      for (const f of this.unprocessed()) this.enqueue({ kind: 'tm', file: f });
    this.emit('ready');
  }

  /** Stops watching; waits for the file in progress to finish. */
  async stop(reason = 'stopped'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.watcher?.close();
    await this.idle;
    this.record('info', `service stopped: ${reason}`);
    this.emit('stopped', reason);
  }

  /** Records the status port in the state file (the CLI client reads it). */
  setPort(port: number): void {
    this.state.port = port;
    this.saveState();
  }

  /** A copy of the current status. */
  snapshot(): ServiceStatus {
    return { ...this.status, queue: this.queue.map((j) => j.file) };
  }

  /** Open files: queued + the one in progress (what `next` and the stuck monitor count). */
  openFiles(): number {
    return this.queue.length + (this.status.current ? 1 : 0);
  }

  private onAdd(file: string): void {
    const name = path.basename(file);
    if (path.dirname(file) === path.resolve(this.paths.timeCorrelation)) {
      const m = TIME_CORRELATION_FILE.exec(name);
      if (m && m[1] === 'definitive') this.enqueue({ kind: 'timecorr', file });
      return;
    }
    if (isTmFileName(name)) this.enqueue({ kind: 'tm', file });
  }

  /**
   * TM files newer than the last processed one that have no `.out` (STIXCore start_with_unprocessed).
   * "Newer" is by ctime, the time the file arrived (its rename into the folder): `rsync -a` keeps the
   * source's mtime, so a file delivered during a downtime can carry an older mtime.
   */
  unprocessed(): string[] {
    const dir = this.config.inputs.dir;
    const last =
      this.state.lastProcessed && existsSync(this.state.lastProcessed)
        ? statSync(this.state.lastProcessed).ctimeMs
        : -Infinity;
    return readdirSync(dir)
      .filter(isTmFileName)
      .map((n) => ({ file: path.join(dir, n), mtime: statSync(path.join(dir, n)).ctimeMs }))
      .filter((f) => f.mtime >= last && !isProcessed(this.paths.tmLogs, f.file))
      .sort((a, b) => a.mtime - b.mtime || a.file.localeCompare(b.file))
      .map((f) => f.file);
  }

  enqueue(job: ServiceJob): void {
    if (this.stopped || this.queue.some((j) => j.file === job.file) || this.status.current?.file === job.file) return;
    this.queue.push(job);
    this.record('info', `queued ${path.basename(job.file)}`);
    this.emit('queued', job);
    this.pump();
  }

  private pump(): void {
    if (this.busy || this.stopped) return;
    const job = this.queue.shift();
    if (!job) {
      this.emit('idle');
      return;
    }
    this.busy = true;
    this.idle = this.process(job).finally(() => {
      this.busy = false;
      this.pump();
    });
  }

  private async process(job: ServiceJob): Promise<void> {
    this.status.current = { file: job.file, since: this.now().toISOString() };
    this.emit('started', job);
    const log = new TmLog(this.paths.tmLogs, job.file, this.now);
    log.write('info', `processing ${job.kind === 'tm' ? 'TM' : 'time correlation'} ${job.file}`);
    let result: StixRunResult | undefined;
    let failure: string | undefined;
    try {
      this.reloadResources(log);
      result = await this.runLockedRetry(job, log);
      if (result.status !== 'succeeded')
        failure = `run ${result.runId} ${result.status}: ${result.failures.map((f) => `${f.stage} ${f.unit}: ${f.message}`).join('; ')}`;
    } catch (e) {
      failure = isStagebookError(e) ? `${e.code}: ${e.message}` : String((e as Error)?.stack ?? e);
    }
    if (failure) log.write('error', failure);
    const products = result?.produced ?? [];
    log.finish(products);
    const at = this.now().toISOString();
    this.status.current = undefined;
    this.status.last = { file: job.file, at, status: failure ? 'failed' : 'succeeded', products: products.length };
    if (log.errorCount > 0)
      this.status.error = {
        file: job.file,
        at,
        message: failure ?? `${log.errorCount} error record(s), see ${log.paths.err}`,
      };
    if (job.kind === 'tm') {
      this.state.lastProcessed = job.file;
      this.saveState();
    }
    this.record(
      failure ? 'error' : 'info',
      `${path.basename(job.file)}: ${failure ?? `${products.length} product(s)`}`,
    );
    this.emit('processed', { job, products, failure, errors: log.errorCount, result });
    if (failure && this.options.service.onError === 'stop') void this.stop(`stop on error: ${failure}`);
  }

  private async runLockedRetry(job: ServiceJob, log: TmLog): Promise<StixRunResult> {
    const bus = new EventBus();
    bus.subscribe((e) => {
      const where = [e.stage, e.unit].filter(Boolean).join(' ');
      if (e.type === 'log') log.write((e.level as 'info') ?? 'info', `${where}: ${e.message}`);
      else if (e.type === 'stage-failed') log.write('error', `${where}: ${e.error?.code}: ${e.error?.message}`);
      else if (e.type === 'stage-finished') log.write('info', `${where}: done, ${e.outputs?.length ?? 0} output(s)`);
    });
    for (;;) {
      try {
        return await runStix(
          this.config,
          job.kind === 'tm' ? { inputFiles: [job.file], events: bus } : { startLevel: 'L1', events: bus },
        );
      } catch (e) {
        // a killed predecessor's run holds the lease until it expires: wait and retry
        if (!(e instanceof StagebookError) || e.code !== 'E_RUN_LOCKED' || this.stopped) throw e;
        log.write('info', `waiting for the lease of another run: ${e.message}`);
        await new Promise((r) => setTimeout(r, this.options.service.retryLockedMs));
      }
    }
  }

  /** Logs (and records) a change of IDB or time correlation since the previous job. */
  private reloadResources(log: TmLog): void {
    const r = currentResources(this.paths.idb, this.paths.timeCorrelation);
    const prev = this.resources;
    if (prev && (prev.idbFile !== r.idbFile || prev.timeCorrelation !== r.timeCorrelation)) {
      const msg = `reloaded: IDB ${prev.idbVersion} -> ${r.idbVersion}, time correlation ${prev.timeCorrelation} -> ${r.timeCorrelation}`;
      log.write('info', msg);
      this.record('info', msg);
      this.emit('reloaded', r);
    }
    this.resources = r;
  }

  private saveState(): void {
    writeJsonAtomic(this.paths.stateFile, this.state);
  }

  private record(level: 'info' | 'error', message: string): void {
    try {
      const ledger = Ledger.open(this.config.ledger, { busyTimeoutMs: this.config.engine.busyTimeoutMs });
      try {
        ledger.addEvent({ type: 'stix-service', message: `${level}: ${message}`, at: this.now().getTime() });
      } finally {
        ledger.close();
      }
    } catch (e) {
      this.emit('warning', e);
    }
    this.emit('log', { level, message });
  }
}
