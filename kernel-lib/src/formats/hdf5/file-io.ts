/**
 * File helpers shared by the IMM and HDF5 formats: open with StagebookError mapping, and the
 * write-to-temp-then-rename protocol so a failure halfway never leaves a partial file at the
 * target path (rename(2) is atomic within one directory).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StagebookError } from '../../errors/stagebook-error';

/** Maps a Node fs error into a StagebookError naming the function and file. */
export function fsError(where: string, file: string, err: unknown, action: string): StagebookError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const sbCode = code === 'ENOENT' ? 'E_FILE_NOT_FOUND' : 'E_IO';
  const msg = (err as Error)?.message ?? String(err);
  return new StagebookError(
    sbCode,
    `${where}: cannot ${action} ${file}: ${msg}`,
    { where, file, errno: code },
    { cause: err },
  );
}

/** Opens `file` read-only, returning the fd and its size. */
export function openForRead(where: string, file: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw fsError(where, file, e, 'open');
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new StagebookError('E_IO', `${where}: ${file} is not a regular file`, { where, file });
    return { fd, size: st.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e instanceof StagebookError ? e : fsError(where, file, e, 'stat');
  }
}

/** A unique temporary sibling of `target` (same directory, so rename stays atomic). */
export function tempSibling(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(
    dir,
    `.${base}.tmp-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  );
}

/**
 * Runs `write(tempPath)` then renames the temp file onto `target`. Any failure (including a
 * throw from `write`) removes the temp file and leaves `target` untouched. Errors that are not
 * StagebookErrors become E_WRITE_FAILED naming the target.
 */
export async function writeAtomically<T>(
  where: string,
  target: string,
  write: (tempPath: string) => T | Promise<T>,
): Promise<T> {
  const abs = path.resolve(target);
  const tmp = tempSibling(abs);
  try {
    const out = await write(tmp);
    fs.renameSync(tmp, abs);
    return out;
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* best effort: the original error matters more */
    }
    if (e instanceof StagebookError) throw e;
    throw new StagebookError(
      'E_WRITE_FAILED',
      `${where}: writing ${abs} failed (nothing written): ${(e as Error)?.message ?? e}`,
      { where, file: abs },
      { cause: e },
    );
  }
}
