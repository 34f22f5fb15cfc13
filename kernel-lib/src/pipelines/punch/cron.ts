/**
 * Cron schedules for the control daemon (punchpipe's `schedule` fields are cron strings read by
 * Prefect, e.g. the cleaner's `*\/5 * * * *`). Five fields (minute hour day-of-month month
 * day-of-week) or six with a leading seconds field; `*`, `a-b`, `*\/n`, `a-b/n` and lists. As in
 * Vixie cron, when both day fields are restricted a day matching either one matches. Times are UTC.
 */
import { StagebookError } from '../../errors/stagebook-error';

export interface CronSchedule {
  readonly source: string;
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly weekdays: ReadonlySet<number>;
  readonly daysRestricted: boolean;
  readonly weekdaysRestricted: boolean;
}

const RANGES: Array<[string, number, number]> = [
  ['second', 0, 59],
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
];

function cronError(source: string, message: string): StagebookError {
  return new StagebookError('E_INVALID_ARGUMENT', `cron '${source}': ${message}`, { where: 'parseCron' });
}

function parseField(source: string, text: string, [name, lo, hi]: [string, number, number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw cronError(source, `bad ${name} field '${part}'`);
    const step = m[4] === undefined ? 1 : Number(m[4]);
    const a = m[1] === '*' ? lo : Number(m[2]);
    const b = m[1] === '*' ? hi : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? hi : a;
    if (step < 1 || a < lo || b > hi || a > b) throw cronError(source, `${name} '${part}' outside ${lo}-${hi}`);
    for (let v = a; v <= b; v += step) out.add(name === 'day of week' && v === 7 ? 0 : v);
  }
  return out;
}

/** Parses a 5- or 6-field cron string (E_INVALID_ARGUMENT naming the field when it does not parse). */
export function parseCron(source: string): CronSchedule {
  const fields = source.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) throw cronError(source, 'needs 5 fields (or 6 with seconds)');
  const all = fields.length === 6 ? fields : ['0', ...fields];
  const [seconds, minutes, hours, days, months, weekdays] = all.map((f, i) => parseField(source, f, RANGES[i]));
  return {
    source,
    seconds,
    minutes,
    hours,
    days,
    months,
    weekdays,
    daysRestricted: all[3] !== '*',
    weekdaysRestricted: all[5] !== '*',
  };
}

function dayMatches(c: CronSchedule, d: Date): boolean {
  const dom = c.days.has(d.getUTCDate());
  const dow = c.weekdays.has(d.getUTCDay());
  if (c.daysRestricted && c.weekdaysRestricted) return dom || dow;
  return dom && dow;
}

/** The first time strictly after `afterMs` (epoch ms) that the schedule fires; searches up to 4 years. */
export function nextCronTime(c: CronSchedule, afterMs: number): number {
  const secondsSorted = [...c.seconds].sort((a, b) => a - b);
  let t = Math.floor(afterMs / 1000) * 1000 + 1000; // next whole second
  const limit = afterMs + 4 * 366 * 86_400_000;
  while (t <= limit) {
    const d = new Date(t);
    if (!c.months.has(d.getUTCMonth() + 1) || !dayMatches(c, d)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
      continue;
    }
    if (!c.hours.has(d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      continue;
    }
    if (c.minutes.has(d.getUTCMinutes())) {
      const s = secondsSorted.find((x) => x >= d.getUTCSeconds());
      if (s !== undefined) return t + (s - d.getUTCSeconds()) * 1000;
    }
    t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes() + 1);
  }
  throw cronError(c.source, 'never fires');
}
