/**
 * Minimal glob matching (Node 20 has no fs.glob / path.matchesGlob): `*` within a segment, `**`
 * across segments, `?`, and `{a,b}` alternatives. Paths use `/`.
 */
import path from 'node:path';
import { walkFiles } from '../workdirs/walk';

/** Compiles a glob to an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) re += '\\{';
      else {
        re += `(?:${glob
          .slice(i + 1, close)
          .split(',')
          .map(escapeRe)
          .join('|')})`;
        i = close;
      }
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(s: string): string {
  return s.replace(/[.+^$()|[\]\\{}*?]/g, '\\$&');
}

/** True when `relPath` matches `glob` (a glob without `/` is matched against the base name). */
export function matchesGlob(relPath: string, glob: string): boolean {
  const p = relPath.split(path.sep).join('/');
  return globToRegExp(glob).test(glob.includes('/') ? p : path.posix.basename(p));
}

/** Files under `dir` whose path relative to `dir` matches `glob`, sorted; hidden names skipped. */
export function globFiles(dir: string, glob: string): string[] {
  const re = globToRegExp(glob);
  const out: string[] = [];
  walkFiles(
    dir,
    (abs, rel) => {
      if (re.test(rel)) out.push(abs);
    },
    { skipHidden: true },
  );
  return out.sort();
}
