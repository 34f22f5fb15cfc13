/**
 * Resource faults a user can act on (issue 11 item 12): a full disk, a read-only or forbidden
 * output directory, a ledger locked by another process, a corrupt ledger. They used to surface as
 * "internal error" with a stack (or as E_STAGE_FAILED "ENOENT mkdir"); each now has its own code,
 * names the path and says what to do. Every code has its own CLI exit code (docs/cli.md).
 */
import { StagebookError, isStagebookError, type StagebookErrorCode } from '../errors/stagebook-error';

/** Errno / SQLite codes per resource fault (policy as data). */
const KINDS: { code: StagebookErrorCode; errnos: readonly string[]; hint: string }[] = [
  {
    code: 'E_DISK_FULL',
    errnos: ['ENOSPC', 'EDQUOT', 'SQLITE_FULL'],
    hint: 'free space (or raise the quota) on that file system, then `stagebook resume <run-id>` continues where it stopped',
  },
  {
    code: 'E_READ_ONLY',
    errnos: ['EACCES', 'EPERM', 'EROFS', 'SQLITE_READONLY', 'SQLITE_CANTOPEN'],
    hint: 'make the directory writable (or point root/writeRoots/ledger elsewhere), then `stagebook resume <run-id>`',
  },
  {
    code: 'E_LEDGER_LOCKED',
    errnos: ['SQLITE_BUSY', 'SQLITE_LOCKED'],
    hint: 'another process holds the ledger lock longer than engine.busyTimeoutMs: wait for it (or raise busyTimeoutMs) and retry',
  },
  {
    code: 'E_LEDGER_CORRUPT',
    errnos: ['SQLITE_CORRUPT', 'SQLITE_NOTADB'],
    hint: 'restore the ledger from a backup, or move it away: a new ledger starts empty and re-hashes existing outputs',
  },
];

/** The errno (`ENOSPC`) or SQLite code (`SQLITE_FULL`, extended codes folded) of `e` or of its causes. */
export function faultCode(
  e: unknown,
): { code: string; error: { message?: string; path?: string; dest?: string } } | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 8; cur = (cur as { cause?: unknown }).cause, depth++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string' && (c.startsWith('E') || c.startsWith('SQLITE_')) && !c.startsWith('E_')) {
      const base = c.startsWith('SQLITE_') ? c.replace(/^(SQLITE_[A-Z]+?)(_[A-Z_]+)?$/, '$1') : c;
      const known = KINDS.some((k) => k.errnos.includes(base));
      if (known) return { code: base, error: cur as { message?: string; path?: string; dest?: string } };
    }
  }
  return undefined;
}

/**
 * The resource error `e` stands for (or undefined when it is none): `where` says what was being
 * done, `file` the path at fault when the OS error does not carry one (a ledger).
 */
export function resourceError(e: unknown, where: string, file?: string): StagebookError | undefined {
  if (isStagebookError(e) && KINDS.some((k) => k.code === e.code)) return e;
  const f = faultCode(e);
  if (!f) return undefined;
  const kind = KINDS.find((k) => k.errnos.includes(f.code)) as (typeof KINDS)[number];
  // copyfile/rename errors carry the source in `path` and the target in `dest`: the target is at fault
  const at = f.error.dest ?? f.error.path ?? file;
  const what = f.error.message ?? f.code;
  return new StagebookError(
    kind.code,
    `${where}: ${at ? `${at}: ` : ''}${what} (${f.code}): ${kind.hint}`,
    { where, file: at, errno: f.code },
    { cause: e },
  );
}

/** True for a resource error code: the run stops whatever `onError` says (the next unit would fail the same way). */
export function isResourceCode(code: string): boolean {
  return KINDS.some((k) => k.code === code);
}
