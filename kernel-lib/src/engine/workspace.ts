/**
 * Workspace identity. A workspace is known by the real path of its root: the same directory
 * reached through a symlink, or typed differently, is one workspace (one lease scope, one set of
 * unit keys), and a copy (`cp -r ws ws2`) is another one. Every path of the config is resolved
 * with realpath (nearest existing ancestor) before a run uses it, so unit keys computed from input
 * paths and output paths (which PathGuard also realpaths) always agree (issue 11 items 1-2).
 */
import type { StagebookConfig } from '../config/schema';
import { isInside, realpathOfNearest } from '../workdirs/confine';

/** The config with root, write roots, inputs dir, log dir and ledger as real paths. */
export function resolveWorkspace(config: StagebookConfig): StagebookConfig {
  const real = (p: string): string => realpathOfNearest(p);
  return {
    ...config,
    root: real(config.root),
    writeRoots: config.writeRoots.map(real),
    ledger: real(config.ledger),
    logDir: real(config.logDir),
    inputs: { ...config.inputs, dir: real(config.inputs.dir) },
  };
}

/** True when every path lies inside one of `roots` (all real paths). */
export function allInside(roots: readonly string[], paths: readonly string[]): boolean {
  return paths.every((p) => roots.some((r) => isInside(r, p)));
}
