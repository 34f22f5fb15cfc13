/**
 * Path confinement: every file the engine (or a stage through its context) writes must lie inside
 * one of the configured write roots. A relative path is resolved against the first root; `..`
 * segments and symlinked ancestors that lead outside every root are refused with E_PATH_ESCAPE.
 * Why symlinks matter: `root/link -> /etc` makes `root/link/passwd` look inside lexically, so the
 * nearest existing ancestor is resolved with realpath before the containment check.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { StagebookError } from '../errors/stagebook-error';

/** Write roots (absolute, normalised) and the checks that keep every write inside them. */
export class PathGuard {
  /** Absolute, realpath-resolved roots (the first is the default base for relative paths). */
  readonly roots: readonly string[];

  /** @param roots one or more directories (need not exist yet); relative ones resolve against `cwd`. */
  constructor(roots: readonly string[], cwd: string = process.cwd()) {
    if (roots.length === 0)
      throw new StagebookError('E_INVALID_ARGUMENT', 'PathGuard: roots: at least one write root is required', {
        where: 'PathGuard',
        field: 'roots',
      });
    this.roots = roots.map((r) => realpathOfNearest(path.resolve(cwd, r)));
  }

  /** Resolves `p` (relative to the first root, or absolute) and throws E_PATH_ESCAPE when it leaves every root. */
  resolve(p: string, where = 'PathGuard.resolve'): string {
    if (typeof p !== 'string' || p.length === 0 || p.includes('\0')) {
      throw new StagebookError('E_PATH_ESCAPE', `${where}: path: empty or invalid path ${JSON.stringify(p)}`, {
        where,
        field: 'path',
      });
    }
    const lexical = path.resolve(this.roots[0], p);
    const real = realpathOfNearest(lexical);
    if (!this.roots.some((root) => isInside(root, real))) {
      throw new StagebookError(
        'E_PATH_ESCAPE',
        `${where}: path ${JSON.stringify(p)} resolves to ${real}, outside the write roots ${this.roots.join(', ')}`,
        { where, field: 'path', path: p, resolved: real, roots: [...this.roots] },
      );
    }
    return real;
  }

  /** True when `p` lies inside a root (no throw). */
  contains(p: string): boolean {
    try {
      this.resolve(p);
      return true;
    } catch {
      return false;
    }
  }

  /** `p` relative to the root that contains it (POSIX separators), for stable ledger keys. */
  relative(p: string): string {
    const abs = this.resolve(p);
    const root = this.roots.find((r) => isInside(r, abs)) as string;
    return path.relative(root, abs).split(path.sep).join('/');
  }
}

/** True when `child` equals `parent` or lies below it (both absolute and normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** realpath of the nearest existing ancestor, with the not-yet-existing tail appended. */
export function realpathOfNearest(abs: string): string {
  let head = abs;
  const tail: string[] = [];
  while (!existsSync(head)) {
    const parent = path.dirname(head);
    if (parent === head) break;
    tail.unshift(path.basename(head));
    head = parent;
  }
  const base = existsSync(head) ? realpathSync(head) : head;
  return path.join(base, ...tail);
}
