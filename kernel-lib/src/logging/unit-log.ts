/**
 * Captured logs. Each unit of a stage gets its own log: lines are kept in memory (stored in the
 * ledger's stage_runs.log when the unit ends), appended to a per-input log file, and forwarded to
 * the run log and event stream. A failed unit leaves a `.err` marker next to its log (STIXCore's
 * per-input `.log/.err` convention); success removes a stale one.
 */
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redactor } from '../config/secrets';
import { ensureDirSync } from '../workdirs/atomic';

/** Log levels, most verbose first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** True when `level` passes a `threshold`. */
export function levelPasses(level: LogLevel, threshold: LogLevel): boolean {
  return RANK[level] >= RANK[threshold];
}

/** Where a captured line also goes. */
export type LogSink = (level: LogLevel, message: string) => void;

/** A stage's logger (what `ctx.log` is). */
export interface StageLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** File-system-safe form of a unit key for log names: `L0/a.words.json` -> `L0__a.words.json`. */
export function safeUnitName(unit: string): string {
  const s = unit.replace(/[\\/]+/g, '__').replace(/[^A-Za-z0-9._=+-]/g, '_');
  return s.length > 180 ? s.slice(0, 180) : s || '_';
}

/** Path of a unit's log files without extension (`.log`, `.err`): one naming for every process that writes them. */
export function unitLogBase(logDir: string, stage: string, unit: string): string {
  return path.join(logDir, stage, safeUnitName(unit));
}

/** Captured log of one unit. */
export class UnitLog implements StageLogger {
  private readonly lines: string[] = [];
  private readonly logFile: string;
  private readonly errFile: string;

  constructor(
    logDir: string,
    stage: string,
    unit: string,
    private readonly redactor: Redactor,
    private readonly sink: LogSink,
  ) {
    const base = unitLogBase(logDir, stage, unit);
    this.logFile = `${base}.log`;
    this.errFile = `${base}.err`;
    mkdirSync(path.dirname(base), { recursive: true });
  }

  debug(message: string): void {
    this.write('debug', message);
  }
  info(message: string): void {
    this.write('info', message);
  }
  warn(message: string): void {
    this.write('warn', message);
  }
  error(message: string): void {
    this.write('error', message);
  }

  /** Everything captured so far. */
  text(): string {
    return this.lines.join('\n');
  }

  /** Paths of the per-input log and error marker. */
  get files(): { log: string; err: string } {
    return { log: this.logFile, err: this.errFile };
  }

  /** Writes the `.err` marker (JSON of the error). */
  markFailed(error: Record<string, unknown>): void {
    writeFileSync(this.errFile, this.redactor.redact(JSON.stringify(error, null, 2)) + '\n');
  }

  /** Removes a `.err` marker left by an earlier failure. */
  clearFailed(): void {
    rmSync(this.errFile, { force: true });
  }

  private write(level: LogLevel, message: string): void {
    const clean = this.redactor.redact(String(message));
    const line = `${new Date().toISOString()} ${level.toUpperCase()} ${clean}`;
    this.lines.push(line);
    appendFileSync(this.logFile, line + '\n');
    this.sink(level, clean);
  }
}

/** The run-wide log file of `--log-file/--log-level` (redacted, filtered by level). */
export class RunLogFile {
  constructor(
    private readonly file: string,
    private readonly threshold: LogLevel,
    private readonly redactor: Redactor,
  ) {
    ensureDirSync(path.dirname(file)); // not recursive mkdirSync: it spins on paths like /proc/x
  }

  write(level: LogLevel, message: string, where = ''): void {
    if (!levelPasses(level, this.threshold)) return;
    appendFileSync(
      this.file,
      `${new Date().toISOString()} ${level.toUpperCase()}${where ? ` [${where}]` : ''} ${this.redactor.redact(message)}\n`,
    );
  }
}
