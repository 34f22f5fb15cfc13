/**
 * One publisher at a time per history database: two concurrent runs would take the same decisions
 * and race for the same target names (STIXCore relies on cron never overlapping). The lock is a file
 * `<db>.lock` created exclusively with the owner's pid; a lock whose process is gone (a killed run) is
 * taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { StagebookError } from '../../../errors/stagebook-error';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `fn` holding the publish lock of `dbFile` (E_RUN_LOCKED when a live process holds it). */
export function withPublishLock<T>(dbFile: string, fn: () => T): T {
  const lock = `${path.resolve(dbFile)}.lock`;
  mkdirSync(path.dirname(lock), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const owner = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner))
        throw new StagebookError(
          'E_RUN_LOCKED',
          `stix publish: another publish run (pid ${owner}) holds ${lock}; try again when it has finished`,
          { where: 'withPublishLock', file: lock },
        );
      rmSync(lock, { force: true }); // the owner is gone: a killed run
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
