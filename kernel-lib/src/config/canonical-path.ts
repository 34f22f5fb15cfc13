/**
 * One spelling per directory. The same workspace reached through a symlink (`/data -> /mnt/data`)
 * or from a process whose cwd is the real path (a Jupyter kernel's cwd is always the realpath of the
 * notebook's directory) must give the same unit keys and ledger paths: otherwise a unit run from a
 * notebook (`L1/sim_speckle`) is a different unit from the CLI (`../../mnt/.../sim_speckle`).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

/** `p` made absolute with every symlink of its longest existing prefix resolved. */
export function canonicalPath(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  for (let dir = abs; ; dir = path.dirname(dir)) {
    try {
      return path.join(realpathSync.native(dir), ...rest.reverse());
    } catch {
      if (path.dirname(dir) === dir) return abs;
      rest.push(path.basename(dir));
    }
  }
}
