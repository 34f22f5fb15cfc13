/**
 * The one boundary for names that come from an archive (file names, basenames): every such name is
 * checked here before it becomes a path, and escaped here before it reaches a log line.
 *
 * Refused (never sanitised, so the name in the ledger is always the archive's own): empty, `.`, `..`,
 * any `/` or `\`, NUL and every other control character (C0, DEL, C1), the Unicode line and paragraph
 * separators, and the bidirectional formatting characters (U+202A-U+202E embeddings/overrides,
 * U+2066-U+2069 isolates, U+200E/U+200F/U+061C marks), which make `evil\u202Ezf.stif.fits` display
 * as a different name (CVE-2021-42574, "Trojan Source"). Names longer than 255 UTF-8 bytes are refused
 * too (NAME_MAX on Linux file systems), so the failure is ours and explicit, not an ENAMETOOLONG later.
 * Why `.` matters: `dest: '.'` resolves to the data root itself, and the downloader then created its
 * temporary hard link in the root's parent and left it there.
 */
import { StagebookError } from '../errors/stagebook-error';

/** Control characters, line/paragraph separators and bidi formatting characters. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
// eslint-disable-next-line no-control-regex
const FORBIDDEN_ALL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const NAME_MAX_BYTES = 255;

/** Why `name` is not a safe single file name from an archive, or undefined when it is. */
export function archiveNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'empty name';
  if (name === '.' || name === '..') return `'${name}' is not a file name`;
  if (name.includes('/') || name.includes('\\')) return 'contains a path separator';
  const bad = FORBIDDEN.exec(name);
  if (bad)
    return `contains the control or bidi character U+${(bad[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
  if (Buffer.byteLength(name, 'utf8') > NAME_MAX_BYTES) return `longer than ${NAME_MAX_BYTES} bytes`;
  return undefined;
}

/** Returns `name` when it is a safe archive file name; throws E_UNSAFE_NAME (name escaped) otherwise. */
export function checkArchiveName(name: unknown, where: string, field = 'filename'): string {
  const problem = archiveNameProblem(name);
  if (problem !== undefined) {
    throw new StagebookError('E_UNSAFE_NAME', `${where}: ${field} ${quoteName(name)} refused: ${problem}`, {
      where,
      field,
      name: quoteName(name),
    });
  }
  return name as string;
}

/**
 * Why a relative destination path (segments joined by `/`) is unsafe, or undefined. Every segment is
 * an archive-style name: so `.`, `./x`, `a//b`, `..` and absolute paths are refused, as are control
 * and bidi characters anywhere.
 */
export function relativePathProblem(p: unknown): string | undefined {
  if (typeof p !== 'string' || p.length === 0) return 'empty path';
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\')) return 'absolute path';
  for (const seg of p.split('/')) {
    const problem = archiveNameProblem(seg);
    if (problem !== undefined) return `segment ${quoteName(seg)}: ${problem}`;
  }
  return undefined;
}

/**
 * Text safe for one log line: control, separator and bidi characters become `\n`, `\t`, `\r`, `\0`
 * or `\u{XXXX}`, so a name can neither end a line nor forge the next one, nor reorder what the
 * terminal shows. Idempotent (backslashes are left alone), so a message that already holds an escaped
 * name can be escaped again as a whole.
 */
export function escapeForLog(text: string): string {
  return text.replace(FORBIDDEN_ALL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    if (c === '\0') return '\\0';
    return `\\u{${(c.codePointAt(0) as number).toString(16).toUpperCase()}}`;
  });
}

/**
 * A directory name made from an archive-supplied label that is not a file name (an LCO target such as
 * `OGLE-2025-BLG-0042` or `NGC 1234`, a filter, a night). Such labels are sanitised, not refused:
 * every run of characters outside `[A-Za-z0-9._+-]` becomes `_`, leading dots become `_` (no `.`,
 * `..` or hidden names), an empty result is `unknown`, and the result is cut to 200 characters. The
 * mapping is deterministic; callers keep the original label next to the directory (LCO: `target`
 * and `dataset` in lco_frames).
 */
export function sanitizeSegment(label: string): string {
  const cleaned = String(label)
    .trim()
    .replace(/[^A-Za-z0-9._+-]+/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 200);
  return cleaned.length > 0 ? cleaned : 'unknown';
}

/** A name in quotes for messages, escaped (non-strings shown as their type). */
export function quoteName(name: unknown): string {
  return typeof name === 'string' ? `"${escapeForLog(name)}"` : `<${name === null ? 'null' : typeof name}>`;
}
