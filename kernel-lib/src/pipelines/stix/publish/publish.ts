/**
 * `stagebook stix publish`: the per-file rules of STIXCore's `publish_fits_to_esa` (`publish.py`,
 * commit 01a7086), with its bugs fixed as listed in docs/stix.md ("Publishing").
 *
 * Crash safety: a file's outcome is decided from the history (read only), its copy is placed
 * atomically, and only then is its history row written, in one transaction: the row is the commit
 * point. A run killed anywhere leaves either no row (the rerun decides again, reaching the same
 * target name because the name depends only on committed rows, and the atomic rename replaces any
 * copy the killed run placed: no loss, no duplicate) or a row whose copy is in place. Source files
 * are never edited; only an incomplete `U` file is renamed (atomically, with its data kept).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { isStagebookError } from '../../../errors/stagebook-error';
import { hduDataIdentical, readFitsHeader, rewritePrimaryHeader, type FitsHeader } from '../../../formats/fits';
import { SCET_EPOCH_MS } from '../products';
import { TimeCorrelation } from '../time-correlation';
import { selectCandidates, type CandidateDecision } from './candidates';
import { PublishHistory, type PublishedRow, type PublishResultName } from './history';
import { completeName, modifiedEsaName, parsePublishName, supplementName } from './names';
import type { PublishOptions } from './options';
import { RidTable } from './rid-table';
import { placeCopy, writeLocalCopy, type PublishTarget } from './target';
import { fileOperation } from './crash-hook';
import { withPublishLock } from './lock';
import { appendSupplementReport } from './report';

/** The outcome of one file. */
export interface PublishItem {
  file: string;
  name: string;
  result: PublishResultName;
  reason: string;
  /** Where the copy went (target, or the overflow folder). */
  placedAs?: string;
  /** The history row written (absent when nothing was recorded, e.g. a future file, an error). */
  row?: PublishedRow;
  /** BSD comment added to the copy. */
  bsdComment?: string;
}

/** A supplement line of the TSV report. */
export interface SupplementLine {
  filename: string;
  basefile: string;
  comment: string;
}

/** What a run did. */
export interface PublishRun {
  startedAt: string;
  dryRun: boolean;
  candidates: CandidateDecision[];
  items: PublishItem[];
  supplements: SupplementLine[];
}

/** The BSD comment of a request file (STIXCore `add_BSD_comment`), '' when the RID is unknown. */
export function bsdComment(rid: number | undefined, table: RidTable): string {
  if (rid === undefined) return '';
  const reason = table.reason(rid);
  return reason === undefined ? '' : `BSD request id: '${rid}' reason: '${reason}'`;
}

/**
 * Start of a file's data: DATE-BEG (ISO UTC). Fix: STIXCore tested `":" not in DATE-BEG`, true for no
 * ISO time, so it always fell back to OBT_BEG; that fallback (SCET seconds, nominal epoch: a few
 * seconds of clock drift do not matter against a 7-day bound) is kept for files without DATE-BEG.
 */
export function dataStartMs(h: FitsHeader): number | undefined {
  const d = h.get('DATE-BEG');
  if (typeof d === 'string' && d.trim() !== '') {
    const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(d) ? d : `${d}Z`);
    if (Number.isFinite(t)) return t;
  }
  const obt = h.get('OBT_BEG');
  return typeof obt === 'number' ? SCET_EPOCH_MS + obt * 1000 : undefined;
}

/** Context of one run. */
interface Ctx {
  o: PublishOptions;
  history: PublishHistory;
  rid: RidTable;
  blacklist: Set<string>;
  target: PublishTarget;
  now: Date;
  supplements: SupplementLine[];
}

const iso = (d: Date): string => d.toISOString().slice(0, 23);

/**
 * Renames an incomplete `…_VnnU` file to its complete name with refreshed headers (STIXCore
 * `update_ephemeris_headers`: HISTORY, FILENAME; here also VERS_TC from the newest time-correlation
 * tables). Fix: an existing complete file is never replaced; when it holds the same data it is the
 * result of an interrupted earlier rename and the U file is removed, otherwise the U file is left.
 */
function completeIncomplete(file: string, ctx: Ctx): { file: string } | { skip: string } {
  const twin = path.join(path.dirname(file), completeName(path.basename(file)));
  if (existsSync(twin)) {
    if (!hduDataIdentical(file, twin, 'DATA'))
      return { skip: `complete file ${path.basename(twin)} exists with other data; not replaced` };
    fileOperation('unlink-incomplete');
    unlinkSync(file);
    return { file: twin };
  }
  const st = statSync(file);
  const tc = ctx.o.timeCorrelationDir ? TimeCorrelation.fromDir(ctx.o.timeCorrelationDir).identity : undefined;
  fileOperation('rename-incomplete');
  // keep the modification time: the waiting period is measured from the data, not from the rename
  const times = { atime: st.atime, mtime: st.mtime };
  rewritePrimaryHeader(
    file,
    twin,
    (h) => {
      h.addHistory(`updated ephemeris header with latest kernel at ${iso(ctx.now)}`);
      h.set('FILENAME', path.basename(twin));
      if (tc) h.set('VERS_TC', tc, 'Time correlation tables used');
    },
    { times },
  );
  fileOperation('unlink-incomplete');
  unlinkSync(file);
  return { file: twin };
}

function record(ctx: Ctx, file: string, result: PublishResultName, modified?: string): PublishedRow {
  fileOperation('history-record');
  return ctx.history.record({
    file,
    pDate: ctx.now,
    mDate: statSync(file).mtimeMs / 1000,
    result,
    modifiedEsaName: modified,
  });
}

function historyEdit(name: string, ctx: Ctx, comment: string, extra?: (h: FitsHeader) => void) {
  return (h: FitsHeader): void => {
    if (comment) h.addComment(comment);
    extra?.(h);
    h.addHistory(`published to ESA SOAR as '${name}' on ${iso(ctx.now)}`);
  };
}

/** Earlier files of the ESA name with the same DATA (a re-request); missing files are noted. */
function sameDataAs(file: string, rows: PublishedRow[]): { same?: PublishedRow; missing: string[] } {
  const missing: string[] = [];
  for (const r of rows) {
    const other = path.join(r.path, r.name);
    if (!existsSync(other)) {
      missing.push(r.name);
      continue;
    }
    if (hduDataIdentical(file, other, 'DATA')) return { same: r, missing };
  }
  return { missing };
}

/** SAME_ESA_NAME: re-request (IGNORED), supplement 1 or 2 (MODIFIED) or overflow (ERROR). */
function publishConflicting(file: string, rows: PublishedRow[], comment: string, ctx: Ctx): PublishItem {
  const name = path.basename(file);
  const base = { file, name, bsdComment: comment || undefined };
  const { same, missing } = sameDataAs(file, rows);
  const note = missing.length ? ` (earlier file(s) missing, not compared: ${missing.join(', ')})` : '';
  if (same) {
    // Fix: STIXCore reported IGNORED but left the new row's result NULL.
    return {
      ...base,
      result: 'IGNORED',
      reason: `re-request: DATA identical to ${same.name}`,
      row: record(ctx, file, 'IGNORED'),
    };
  }
  const supNr = rows.filter((r) => r.modified_esaname).length + 1;
  if (supNr > 2) {
    const dest = path.join(ctx.o.sameEsaNameDir, name);
    fileOperation('place-overflow');
    writeLocalCopy(file, dest);
    // Fix: STIXCore reported ERROR but stored IGNORED; the row now says what the report says.
    return {
      ...base,
      result: 'ERROR',
      reason: `max supplement error${note}`,
      placedAs: dest,
      row: record(ctx, file, 'ERROR'),
    };
  }
  const supName = supplementName(name, supNr);
  const parentComment = `supplement data product combine with: ${rows[0].name}. Orig filename of this supplement was ${name}.`;
  fileOperation('place-supplement');
  const placed = placeCopy(
    ctx.target,
    file,
    supName,
    historyEdit(supName, ctx, comment, (h) => {
      h.addComment(parentComment);
      h.set('FILENAME', supName);
    }),
  );
  const line = { filename: supName, basefile: rows[0].name, comment };
  ctx.supplements.push(line);
  // the report line before the row (exactly once across a kill and rerun: appendSupplementReport dedupes)
  fileOperation('supplement-report');
  appendSupplementReport(ctx.o.supplementReport, [line]);
  const row = record(ctx, file, 'MODIFIED', modifiedEsaName(supName));
  return {
    ...base,
    result: 'MODIFIED',
    reason: `supplement ${supNr} of ${rows[0].name}${note}`,
    placedAs: placed,
    row,
  };
}

/** The rules for one selected file. */
function publishOne(file0: string, ctx: Ctx): PublishItem {
  let file = file0;
  const n0 = parsePublishName(file);
  const isFits = n0.ext === '.fits';
  const comment = isFits ? bsdComment(n0.rid, ctx.rid) : '';
  if (n0.incomplete) {
    const c = completeIncomplete(file, ctx);
    if ('skip' in c) return { file, name: n0.name, result: 'IGNORED', reason: c.skip };
    file = c.file;
  }
  const name = path.basename(file);
  const { conflict, rows } = ctx.history.conflictOf(file);
  if (isFits) {
    const start = dataStartMs(readFitsHeader(file));
    if (start !== undefined && start > ctx.now.getTime() + ctx.o.futureDays * 86_400_000)
      // Fix: no row, so the file is reconsidered once its start is near (STIXCore never looked again).
      return {
        file,
        name,
        result: 'IGNORED',
        reason: `starts ${new Date(start).toISOString()}, more than ${ctx.o.futureDays} d ahead`,
      };
  }
  if (conflict === 'SAME_EXISTS') return { file, name, result: 'IGNORED', reason: 'already in the history' };
  if (ctx.blacklist.has(name))
    return { file, name, result: 'BLACKLISTED', reason: 'in the blacklist', row: record(ctx, file, 'BLACKLISTED') };
  if (conflict === 'ADDED') {
    fileOperation('place-copy');
    const placed = placeCopy(ctx.target, file, name, isFits ? historyEdit(name, ctx, comment) : undefined);
    return {
      file,
      name,
      result: 'PUBLISHED',
      reason: 'new ESA name',
      placedAs: placed,
      row: record(ctx, file, 'PUBLISHED'),
      bsdComment: comment || undefined,
    };
  }
  if (isFits) return publishConflicting(file, rows, comment, ctx);
  // Fix: a conflicting svg got a NULL row and no result in STIXCore; here it is compared byte for byte.
  return publishConflictingSvg(file, rows, ctx);
}

function publishConflictingSvg(file: string, rows: PublishedRow[], ctx: Ctx): PublishItem {
  const name = path.basename(file);
  const bytes = readFileSync(file);
  const same = rows.find(
    (r) => existsSync(path.join(r.path, r.name)) && bytes.equals(readFileSync(path.join(r.path, r.name))),
  );
  if (same)
    return {
      file,
      name,
      result: 'IGNORED',
      reason: `re-request: same image as ${same.name}`,
      row: record(ctx, file, 'IGNORED'),
    };
  const dest = path.join(ctx.o.sameEsaNameDir, name);
  fileOperation('place-overflow');
  writeLocalCopy(file, dest);
  return {
    file,
    name,
    result: 'ERROR',
    reason: `svg with the ESA name of ${rows[0].name}: no supplements for images`,
    placedAs: dest,
    row: record(ctx, file, 'ERROR'),
  };
}

/** Reads the blacklist (one file name a line; STIXCore ignored lines of one character). */
export function readBlacklist(file: string | undefined): Set<string> {
  if (!file) return new Set();
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 1),
  );
}

/** Temp files of our atomic writes: `.{name}.{pid}.{hdr|copy}.tmp`. */
const TEMP = /^\.(.+)\.(\d+)\.(hdr|copy)\.tmp$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp files a killed run left in `dir` (only those of processes no longer alive). */
export function sweepStaleTemps(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const n of readdirSync(dir)) {
    const m = TEMP.exec(n);
    if (m && Number(m[2]) !== process.pid && !alive(Number(m[2]))) {
      rmSync(path.join(dir, n), { force: true });
      removed.push(n);
    }
  }
  return removed;
}

/** Runs one publish (or, with `dryRun`, only the candidate decisions). */
export function publishStix(o: PublishOptions, opts: { now?: Date; dryRun?: boolean } = {}): PublishRun {
  // a dry run reads the history without creating it; a publish holds the lock of its history
  if (opts.dryRun) return publishLocked(o, opts, existsSync(o.dbFile) ? o.dbFile : ':memory:');
  return withPublishLock(o.dbFile, () => publishLocked(o, opts, o.dbFile));
}

function publishLocked(o: PublishOptions, opts: { now?: Date; dryRun?: boolean }, dbFile: string): PublishRun {
  const now = opts.now ?? new Date();
  const history = PublishHistory.open(dbFile);
  const run: PublishRun = {
    startedAt: now.toISOString(),
    dryRun: opts.dryRun === true,
    candidates: [],
    items: [],
    supplements: [],
  };
  try {
    run.candidates = selectCandidates(o, history, now);
    for (const c of run.candidates.filter((d) => d.badName))
      run.items.push({ file: c.file, name: c.name, result: 'ERROR', reason: c.reason });
    if (opts.dryRun) return run;
    if (o.targetHost === 'localhost') mkdirSync(o.targetDir, { recursive: true });
    mkdirSync(o.sameEsaNameDir, { recursive: true });
    // a killed run may have left temps: in the target, the overflow folder, and beside renamed U files
    const dirs = new Set([o.sameEsaNameDir, ...run.candidates.map((c) => path.dirname(c.file))]);
    if (o.targetHost === 'localhost') dirs.add(o.targetDir);
    for (const d of dirs) sweepStaleTemps(d);
    const ctx: Ctx = {
      o,
      history,
      rid: o.ridLutFile ? RidTable.read(o.ridLutFile) : new RidTable([]),
      blacklist: readBlacklist(o.blacklistFiles),
      target: { dir: o.targetDir, host: o.targetHost, scpCommand: o.scpCommand, sshCommand: o.sshCommand },
      now,
      supplements: run.supplements,
    };
    for (const c of run.candidates.filter((d) => d.selected)) {
      try {
        run.items.push(publishOne(c.file, ctx));
      } catch (e) {
        // one file's failure is reported and the batch goes on (STIXCore: except Exception per file)
        if (!isStagebookError(e) && !(e instanceof Error)) throw e;
        run.items.push({ file: c.file, name: c.name, result: 'ERROR', reason: (e as Error).message });
      }
    }
    return run;
  } finally {
    history.close();
  }
}
