/**
 * The log of a unit a worker ran, on the control node: its text came back with the job, its
 * `<logDir>/<stage>/<unit>.log` file was written by the worker on the shared filesystem. The
 * control node adds lines only when something fails after the stage code (a commit that cannot
 * rename, a job that stalled too often), and writes or clears the `.err` marker as in-process.
 */
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Redactor } from '../../config/secrets';
import { ensureParentDir } from '../../workdirs/atomic';
import { unitLogBase } from '../../logging/unit-log';
import type { UnitHooks, UnitLogHandle } from '../executor';

export class RemoteUnitLog implements UnitLogHandle {
  private readonly lines: string[];
  private readonly base: string;

  constructor(
    text: string,
    logDir: string,
    stage: string,
    unit: string,
    private readonly redactor: Redactor,
    private readonly hooks: Pick<UnitHooks, 'log'>,
  ) {
    this.lines = text ? text.split('\n') : [];
    this.base = unitLogBase(logDir, stage, unit);
  }

  text(): string {
    return this.lines.join('\n');
  }

  error(message: string): void {
    const clean = this.redactor.redact(message);
    const line = `${new Date().toISOString()} ERROR ${clean}`;
    this.lines.push(line);
    ensureParentDir(this.base);
    appendFileSync(`${this.base}.log`, line + '\n');
    this.hooks.log('error', clean);
  }

  markFailed(error: Record<string, unknown>): void {
    ensureParentDir(this.base);
    writeFileSync(`${this.base}.err`, this.redactor.redact(JSON.stringify(error, null, 2)) + '\n');
  }

  clearFailed(): void {
    rmSync(`${this.base}.err`, { force: true });
  }
}
