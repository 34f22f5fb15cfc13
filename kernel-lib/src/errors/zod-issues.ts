/**
 * zod's own notation for validation problems, used everywhere a schema fails (issue 12, point 7: no
 * hand-written "path: message" formatters). Paths use `z.core.toDotPath` (`a[0].b`, `["x-y"]`), the
 * notation `z.prettifyError` prints; a path prefix says where the validated value sits in a larger
 * document (a stage's params inside a config, a policy inside options).
 */
import { z } from 'zod';

type Path = ReadonlyArray<PropertyKey>;

/** zod's dotted path of `prefix` + `path`; `(root)` for the whole value. */
export function issuePath(path: Path, prefix: Path = []): string {
  const full = [...prefix, ...path];
  return full.length === 0 ? '(root)' : z.core.toDotPath(full as PropertyKey[]);
}

/** What `z.prettifyError` reads of an issue (zod's own issues, or a `SchemaLike`'s). */
export interface IssueLike {
  readonly path: Path;
  readonly message: string;
}

/** `z.prettifyError` of the issues, their paths prefixed (one `✖ message` / `→ at path` pair each). */
export function prettifyIssues(issues: ReadonlyArray<IssueLike>, prefix: Path = []): string {
  const moved = issues.map((i) => ({ ...i, path: [...prefix, ...i.path] }) as unknown as z.core.$ZodIssue);
  return z.prettifyError(new z.ZodError(moved));
}
