/**
 * Atomic writes: content goes to a temporary sibling (`.<name>.sbtmp-<pid>-<random>`), and only a
 * rename (atomic within one file system, POSIX rename(2)) gives it its final name. A process killed
 * mid-write therefore leaves at most a temp file, never a half-written file under the real name.
 * Temp names are recognisable so a resumed run can sweep the ones left by dead processes.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { walkFiles } from './walk';

/** Marker inside every temp name the engine creates. */
export const TEMP_MARKER = '.sbtmp-';

/** A fresh temp path next to `finalPath` (same directory: rename stays on one file system). */
export function tempPathFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  return path.join(dir, `.${path.basename(finalPath)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** True for names produced by `tempPathFor`. */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARKER);
}

/** Renames a finished temp file to its final name (creating the directory), replacing any old file. */
export async function commitTemp(tmpPath: string, finalPath: string): Promise<void> {
  await fsp.mkdir(path.dirname(finalPath), { recursive: true });
  await fsp.rename(tmpPath, finalPath);
}

/** Writes `data` to `finalPath` atomically (temp + rename). */
export async function atomicWriteFile(finalPath: string, data: string | Uint8Array): Promise<void> {
  await fsp.mkdir(path.dirname(finalPath), { recursive: true });
  const tmp = tempPathFor(finalPath);
  try {
    await fsp.writeFile(tmp, data);
    await fsp.rename(tmp, finalPath);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/** Creates the directory of `p` (sync; used before handing a temp path to a stage). */
export function ensureParentDir(p: string): void {
  ensureDirSync(path.dirname(p));
}

/**
 * `mkdir -p`, one level at a time. Node's recursive mkdirSync loops forever (100 % CPU, deaf to
 * SIGTERM) on some paths it cannot create, such as `/proc/x/y`; this fails with the first error.
 */
export function ensureDirSync(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !existsSync(d); d = path.dirname(d)) {
    if (path.dirname(d) === d) break;
    missing.unshift(d);
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** True when the process that created temp `name` is gone (its pid is in the name). */
export function tempWriterIsDead(name: string): boolean {
  const m = /\.sbtmp-(\d+)-/.exec(name);
  if (!m) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes engine temp files under `dir` (recursively) whose writer process no longer exists;
 * returns the paths removed. Runs when a run starts or resumes, so half-written outputs of a
 * killed run disappear and are never mistaken for results.
 */
export function sweepTempFiles(dir: string, isStale: (name: string) => boolean = tempWriterIsDead): string[] {
  const removed: string[] = [];
  walkFiles(dir, (abs, _rel, name) => {
    if (isTempName(name) && isStale(name)) {
      rmSync(abs, { force: true });
      removed.push(abs);
    }
  });
  return removed;
}
