/**
 * Reports of a publish run (STIXCore `send_mail_report` and the supplement report): counts per
 * result, the mail subject `StixCore TMTC Publishing [ERROR-]Report E n I n S n P n` (I = ignored +
 * blacklisted), the mail body in STIXCore's section order, the run as JSON, and the supplement TSV
 * (`filename basefile comment`, header written once, rows appended).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PublishResultName } from './history';
import type { PublishItem, PublishRun, SupplementLine } from './publish';

export type PublishCounts = Record<PublishResultName, number>;

/** Counts of each result. */
export function publishCounts(run: PublishRun): PublishCounts {
  const c: PublishCounts = { PUBLISHED: 0, IGNORED: 0, MODIFIED: 0, BLACKLISTED: 0, ERROR: 0 };
  for (const i of run.items) c[i.result]++;
  return c;
}

/** `E n I n S n P n` (STIXCore's mail summary). */
export function mailSummary(c: PublishCounts): string {
  return `E ${c.ERROR} I ${c.IGNORED + c.BLACKLISTED} S ${c.MODIFIED} P ${c.PUBLISHED}`;
}

export function mailSubject(c: PublishCounts): string {
  return `StixCore TMTC Publishing ${c.ERROR > 0 ? 'ERROR-' : ''}Report ${mailSummary(c)}`;
}

function section(title: string, items: PublishItem[]): string {
  const lines = items.map((i) => `  ${i.name}: ${i.reason}${i.placedAs ? ` -> ${i.placedAs}` : ''}`);
  return `${title}\n${'*'.repeat(title.length)}\n${lines.join('\n') || '  (none)'}\n`;
}

/** The mail body, sections as STIXCore's. */
export function mailBody(run: PublishRun): string {
  const of = (r: PublishResultName): PublishItem[] => run.items.filter((i) => i.result === r);
  return [
    section('ERRORS (E)', of('ERROR')),
    section('RE-REQUESTED (I)', of('IGNORED')),
    section('SUPPLEMENTS (S)', of('MODIFIED')),
    section('BLACKLISTED (I)', of('BLACKLISTED')),
    section('PUBLISHED (P)', of('PUBLISHED')),
    '\nstagebook\n\n==========================\n\ndo not answer to this mail.\n',
  ].join('\n');
}

/** The run as JSON-ready data (what `--summary-json` writes and the notebook reads). */
export function publishSummary(run: PublishRun): Record<string, unknown> {
  const counts = publishCounts(run);
  return {
    startedAt: run.startedAt,
    dryRun: run.dryRun,
    counts,
    mailSummary: mailSummary(counts),
    candidates: run.candidates.map((c) => ({ name: c.name, selected: c.selected, reason: c.reason })),
    items: run.items.map((i) => ({
      name: i.name,
      result: i.result,
      reason: i.reason,
      placedAs: i.placedAs ?? null,
      bsdComment: i.bsdComment ?? null,
    })),
    supplements: run.supplements,
  };
}

/** Writes the JSON summary atomically. */
export function writeSummaryJson(file: string, run: PublishRun): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(publishSummary(run), null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}

const tsv = (s: string): string => s.replace(/[\t\n\r]/g, ' ');

/**
 * Appends supplements to the TSV report (created with its header when missing), each filename once:
 * the publisher appends a line before it records the supplement, so a run killed in between and rerun
 * neither loses nor repeats the line.
 */
export function appendSupplementReport(file: string, lines: readonly SupplementLine[]): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  if (!existsSync(file)) writeFileSync(file, 'filename\tbasefile\tcomment\n');
  const have = new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.split('\t')[0]),
  );
  const fresh = lines.filter((l) => !have.has(tsv(l.filename)));
  if (fresh.length === 0) return;
  appendFileSync(file, fresh.map((l) => `${tsv(l.filename)}\t${tsv(l.basefile)}\t${tsv(l.comment)}\n`).join(''));
}
