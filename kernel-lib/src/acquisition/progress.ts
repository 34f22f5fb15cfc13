/**
 * Download progress: bytes, files, rate and ETA. One tracker per `fetchAll`; reporters turn its
 * snapshots into a terminal line (redrawn in place on a TTY, a plain line every few seconds
 * elsewhere) or into engine `progress` events that notebooks display (showPipelineProgress).
 * The rate is an exponentially weighted moving average over ~5 s, so a stall shows quickly while a
 * single slow chunk does not make the ETA jump.
 */
import type { EventBus } from '../events/emitter';

/** A point-in-time view of a download batch. */
export interface DownloadProgressSnapshot {
  filesTotal: number;
  filesDone: number;
  filesFailed: number;
  /** Files taken from the cache without a request. */
  filesCached: number;
  /** Bytes received so far in this batch (resumed bytes already on disk are not counted). */
  bytesDone: number;
  /** Sum of the known sizes still to fetch, when every size is known (else undefined). */
  bytesTotal?: number;
  /** Bytes per second (moving average). */
  rateBps: number;
  /** Seconds left at the current rate, when the total is known. */
  etaSeconds?: number;
  elapsedMs: number;
  /** The file being reported (latest event). */
  current?: string;
  done: boolean;
}

/** Receives snapshots (throttled by the tracker, except the final one). */
export type DownloadProgressListener = (s: DownloadProgressSnapshot) => void;

/** Accumulates counts and computes rate/ETA. */
export class DownloadProgressTracker {
  private readonly started = Date.now();
  private lastEmit = 0;
  private lastRateAt = Date.now();
  private lastRateBytes = 0;
  private rate = 0;
  readonly snapshot: DownloadProgressSnapshot;

  constructor(
    filesTotal: number,
    bytesTotal: number | undefined,
    private readonly listener?: DownloadProgressListener,
    private readonly minIntervalMs = 250,
  ) {
    this.snapshot = {
      filesTotal,
      filesDone: 0,
      filesFailed: 0,
      filesCached: 0,
      bytesDone: 0,
      bytesTotal,
      rateBps: 0,
      elapsedMs: 0,
      done: false,
    };
  }

  bytes(n: number, current?: string): void {
    this.snapshot.bytesDone += n;
    if (current) this.snapshot.current = current;
    this.maybeEmit(false);
  }

  fileDone(kind: 'ok' | 'cached' | 'failed', current?: string): void {
    if (kind === 'failed') this.snapshot.filesFailed++;
    else this.snapshot.filesDone++;
    if (kind === 'cached') this.snapshot.filesCached++;
    if (current) this.snapshot.current = current;
    this.maybeEmit(false);
  }

  finish(): void {
    this.snapshot.done = true;
    this.maybeEmit(true);
  }

  private maybeEmit(force: boolean): void {
    const now = Date.now();
    const dt = now - this.lastRateAt;
    if (dt >= 200) {
      const inst = ((this.snapshot.bytesDone - this.lastRateBytes) * 1000) / dt;
      const alpha = 1 - Math.exp(-dt / 5000);
      this.rate = this.rate === 0 ? inst : this.rate + alpha * (inst - this.rate);
      this.lastRateAt = now;
      this.lastRateBytes = this.snapshot.bytesDone;
    }
    const s = this.snapshot;
    s.elapsedMs = now - this.started;
    s.rateBps = this.rate > 0 ? this.rate : s.elapsedMs > 0 ? (s.bytesDone * 1000) / s.elapsedMs : 0;
    s.etaSeconds =
      s.bytesTotal !== undefined && s.rateBps > 0 ? Math.max(0, (s.bytesTotal - s.bytesDone) / s.rateBps) : undefined;
    if (!this.listener || (!force && now - this.lastEmit < this.minIntervalMs)) return;
    this.lastEmit = now;
    this.listener({ ...s });
  }
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `1.5 MiB` style size. */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${UNITS[u]}`;
}

/** One line: `files 12/40 (1 failed, 3 cached) 120.0 MiB / 400.0 MiB 35.2 MiB/s ETA 8s`. */
export function formatDownloadProgress(s: DownloadProgressSnapshot): string {
  const extra = [s.filesFailed ? `${s.filesFailed} failed` : '', s.filesCached ? `${s.filesCached} cached` : '']
    .filter(Boolean)
    .join(', ');
  const bytes =
    s.bytesTotal !== undefined
      ? `${formatBytes(s.bytesDone)} / ${formatBytes(s.bytesTotal)}`
      : formatBytes(s.bytesDone);
  const eta = s.done
    ? `done in ${(s.elapsedMs / 1000).toFixed(1)}s`
    : s.etaSeconds !== undefined
      ? `ETA ${Math.ceil(s.etaSeconds)}s`
      : '';
  return `files ${s.filesDone + s.filesFailed}/${s.filesTotal}${extra ? ` (${extra})` : ''} ${bytes} ${formatBytes(s.rateBps)}/s ${eta}`.trim();
}

/** A listener that prints to a terminal stream: in place on a TTY, else a line every `plainEveryMs`. */
export function terminalProgress(
  stream: NodeJS.WriteStream = process.stderr,
  plainEveryMs = 5000,
): DownloadProgressListener {
  let lastPlain = 0;
  return (s) => {
    const line = `download: ${formatDownloadProgress(s)}`;
    if (stream.isTTY) {
      stream.write(`\r\x1b[2K${line}${s.done ? '\n' : ''}`);
      return;
    }
    const now = Date.now();
    if (s.done || now - lastPlain >= plainEveryMs) {
      lastPlain = now;
      stream.write(line + '\n');
    }
  };
}

/**
 * A listener that emits engine `progress` events (n = files finished, total = files) on `bus`,
 * so `showPipelineProgress()` in a notebook shows downloads like any stage.
 */
export function eventBusProgress(
  bus: EventBus,
  ids: { runId: string; pipeline: string; stage: string },
): DownloadProgressListener {
  return (s) => {
    bus.emit({
      type: 'progress',
      runId: ids.runId,
      pipeline: ids.pipeline,
      stage: ids.stage,
      at: Date.now(),
      n: s.filesDone + s.filesFailed,
      total: s.filesTotal,
      message: formatDownloadProgress(s),
    });
  };
}
