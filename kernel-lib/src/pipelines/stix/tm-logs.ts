/**
 * Per-TM log files, as STIXCore's `process_tm` keeps them in `Pipeline.log_dir`: `<tm>.log` (every
 * line of the processing of that file), `<tm>.log.err` (created on the first ERROR record, holding
 * a copy of the log; updated to the full log at the end) and `<tm>.out` (the products made, one path
 * per line; its presence means "processed", which `start_with_unprocessed` relies on).
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The three files of one TM. */
export function tmLogPaths(logDir: string, tm: string): { log: string; err: string; out: string } {
  const base = path.join(logDir, path.basename(tm));
  return { log: `${base}.log`, err: `${base}.log.err`, out: `${base}.out` };
}

/** Writes the log of one TM as the processing goes. */
export class TmLog {
  readonly paths: ReturnType<typeof tmLogPaths>;
  private errors = 0;

  constructor(
    logDir: string,
    readonly tm: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(logDir, { recursive: true });
    this.paths = tmLogPaths(logDir, tm);
    // a fresh attempt (e.g. after a restart) starts a fresh log; an old .log.err would report errors
    // this attempt may not have
    writeFileSync(this.paths.log, '');
    rmSync(this.paths.err, { force: true });
  }

  /** Appends a line; an ERROR line creates/refreshes `<tm>.log.err` with the log so far. */
  write(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    appendFileSync(this.paths.log, `${this.now().toISOString()} ${level.toUpperCase()} ${message}\n`);
    if (level === 'error') {
      this.errors++;
      copyFileSync(this.paths.log, this.paths.err);
    }
  }

  get errorCount(): number {
    return this.errors;
  }

  /** Ends the TM: the products list goes to `<tm>.out` (atomically); `.log.err` gets the full log. */
  finish(products: readonly string[]): void {
    if (this.errors > 0) copyFileSync(this.paths.log, this.paths.err);
    const tmp = `${this.paths.out}.tmp`;
    writeFileSync(tmp, products.map((p) => `${p}\n`).join(''));
    renameSync(tmp, this.paths.out);
  }
}

/** Whether a TM has been processed (has a `.out`). */
export function isProcessed(logDir: string, tm: string): boolean {
  return existsSync(tmLogPaths(logDir, tm).out);
}
