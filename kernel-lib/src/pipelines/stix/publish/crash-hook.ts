/**
 * A deterministic crash point for tests of crash safety: with `STAGEBOOK_STIX_PUBLISH_KILL_AT=k` in the
 * environment the process SIGKILLs itself just before its k-th file operation (placing a copy, writing
 * a history row, renaming or removing a `U` file), so a test can kill a real publishing child at every
 * point it chooses (from a seed) without racing it. Without the variable this only counts.
 */
let count = 0;

/** Counts a file operation; kills the process when the configured one is reached. */
export function fileOperation(label: string): void {
  count++;
  const at = Number(process.env.STAGEBOOK_STIX_PUBLISH_KILL_AT ?? 0);
  if (at > 0 && count === at) {
    process.stderr.write(`stagebook: crash hook: SIGKILL before file operation ${count} (${label})\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}

/** File operations counted so far in this process. */
export function fileOperationCount(): number {
  return count;
}
