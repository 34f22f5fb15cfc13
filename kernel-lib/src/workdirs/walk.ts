/**
 * Recursive directory walk shared by input globbing and temp-file sweeping. An unreadable or
 * vanished directory is skipped (a concurrent run may delete it), never an error.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

export interface WalkOptions {
  /** Skip names starting with '.' (files and directories). Default false. */
  skipHidden?: boolean;
}

/** Calls `visit(absolutePath, relativePath, name)` for every regular file below `dir`. */
export function walkFiles(
  dir: string,
  visit: (abs: string, rel: string, name: string) => void,
  options: WalkOptions = {},
): void {
  const walk = (d: string, rel: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (options.skipHidden && e.name.startsWith('.')) continue;
      const abs = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(abs, r);
      else if (e.isFile()) visit(abs, r, e.name);
    }
  };
  walk(dir, '');
}
