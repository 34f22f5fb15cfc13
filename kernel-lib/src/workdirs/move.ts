/**
 * Moving a file so that afterwards it exists at `dst` only. rename(2) alone does not promise that:
 * POSIX says that when the source and the destination are links to the same file (one inode, as the
 * downloader's hard links into its cache are), rename "shall return successfully and perform no
 * other action", so the source stays. A rejected LCO frame moved to `unused/` on a rerun therefore
 * came back in `incoming/` next to its `unused/` copy. Across file systems (EXDEV) the file is copied
 * to a temp name beside `dst`, renamed into place, and only then the source is removed.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { tempPathFor } from './atomic';

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([fsp.stat(a), fsp.stat(b)]);
    return x.ino === y.ino && x.dev === y.dev;
  } catch {
    return false;
  }
}

/** Moves `src` to `dst` (replacing it; creating its directory); afterwards `src` no longer exists. */
export async function moveFile(src: string, dst: string): Promise<void> {
  await fsp.mkdir(path.dirname(dst), { recursive: true });
  if (await sameFile(src, dst)) {
    await fsp.rm(src, { force: true }); // already there: rename would be a no-op and leave src behind
    return;
  }
  try {
    await fsp.rename(src, dst);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    const tmp = tempPathFor(dst);
    try {
      await fsp.copyFile(src, tmp);
      await fsp.rename(tmp, dst);
    } catch (copyError) {
      await fsp.rm(tmp, { force: true });
      throw copyError;
    }
    await fsp.rm(src, { force: true });
  }
}
