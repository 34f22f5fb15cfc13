/**
 * SCET -> UTC time correlation. STIX converts on-board time with SPICE clock kernels: a *predicted*
 * kernel is available at once, the *definitive* one later; a daily product made with the predicted
 * correlation only is "incomplete" and gets the `U` marker (STIXCore PRs #353/#356). Stagebook's
 * stand-in for the SPICE kernels is a JSON table of (SCET s, UTC ms) points per kind and version,
 * `solo_time_correlation_{predicted|definitive}_V{NN}.json`, linearly interpolated (and extrapolated
 * from the last two points). A time is `definitive` when a definitive table covers it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StagebookError } from '../../errors/stagebook-error';

const tableSchema = z.strictObject({
  kind: z.enum(['predicted', 'definitive']).describe('predicted (available at once) or definitive (delivered later)'),
  version: z.number().int().min(1).describe('Version; a higher version replaces a lower one of the same kind'),
  points: z
    .array(z.tuple([z.number(), z.number()]))
    .min(2)
    .describe('[SCET seconds, UTC milliseconds since 1970] pairs, SCET increasing'),
});
export type TimeCorrelationTable = z.output<typeof tableSchema>;

export const TIME_CORRELATION_FILE = /^solo_time_correlation_(predicted|definitive)_V(\d+)\.json$/;

/** File name of a table. */
export function timeCorrelationFileName(kind: TimeCorrelationTable['kind'], version: number): string {
  return `solo_time_correlation_${kind}_V${String(version).padStart(2, '0')}.json`;
}

function interpolate(points: Array<[number, number]>, scet: number): number {
  let i = 0;
  if (scet >= points[points.length - 1][0]) i = points.length - 2;
  else while (i < points.length - 2 && scet > points[i + 1][0]) i++;
  const [x0, y0] = points[i];
  const [x1, y1] = points[i + 1];
  return y0 + ((scet - x0) * (y1 - y0)) / (x1 - x0);
}

/** The correlation in force: the newest predicted and definitive tables of a folder. */
export class TimeCorrelation {
  constructor(
    readonly predicted: TimeCorrelationTable | undefined,
    readonly definitive: TimeCorrelationTable | undefined,
    readonly files: string[],
  ) {
    if (!predicted && !definitive)
      throw new StagebookError('E_STIX_TIMECORR', 'TimeCorrelation: no predicted or definitive table', {
        where: 'TimeCorrelation',
      });
  }

  /** Loads the newest table of each kind from `dir`. */
  static fromDir(dir: string): TimeCorrelation {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (cause) {
      throw new StagebookError(
        'E_STIX_TIMECORR',
        `TimeCorrelation.fromDir: cannot list ${dir}`,
        { where: 'TimeCorrelation.fromDir', file: dir },
        { cause },
      );
    }
    const newest: Partial<Record<'predicted' | 'definitive', { version: number; file: string }>> = {};
    for (const n of names) {
      const m = TIME_CORRELATION_FILE.exec(n);
      if (!m) continue;
      const kind = m[1] as 'predicted' | 'definitive';
      const version = Number(m[2]);
      if (!newest[kind] || (newest[kind] as { version: number }).version < version)
        newest[kind] = { version, file: path.join(dir, n) };
    }
    const load = (k: 'predicted' | 'definitive'): TimeCorrelationTable | undefined => {
      const f = newest[k];
      return f ? readTable(f.file) : undefined;
    };
    if (!newest.predicted && !newest.definitive) {
      throw new StagebookError(
        'E_STIX_TIMECORR',
        `TimeCorrelation.fromDir: no solo_time_correlation_*.json in ${dir}`,
        { where: 'TimeCorrelation.fromDir', file: dir },
      );
    }
    return new TimeCorrelation(
      load('predicted'),
      load('definitive'),
      [newest.predicted?.file, newest.definitive?.file].filter((f): f is string => !!f),
    );
  }

  /** Whether a definitive table covers `scet`. */
  isDefinitive(scet: number): boolean {
    const d = this.definitive;
    return !!d && scet >= d.points[0][0] && scet <= d.points[d.points.length - 1][0];
  }

  /** UTC milliseconds of `scet` (definitive where it covers, else predicted, else definitive extrapolated). */
  toUtcMs(scet: number): number {
    const table = this.isDefinitive(scet) ? this.definitive : (this.predicted ?? this.definitive);
    return interpolate((table as TimeCorrelationTable).points, scet);
  }

  /** A short identity of the tables in force (part of the L1 stage's cache key). */
  get identity(): string {
    const id = (t?: TimeCorrelationTable): string => (t ? `${t.kind}-V${t.version}` : 'none');
    return `${id(this.predicted)}+${id(this.definitive)}`;
  }
}

/** Reads and validates one table file. */
export function readTable(file: string): TimeCorrelationTable {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new StagebookError('E_STIX_TIMECORR', `${file}: not readable JSON`, { where: 'readTable', file }, { cause });
  }
  const r = tableSchema.safeParse(raw);
  if (!r.success)
    throw new StagebookError(
      'E_STIX_TIMECORR',
      `${file}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      { where: 'readTable', file },
    );
  for (let i = 1; i < r.data.points.length; i++) {
    if (!(r.data.points[i][0] > r.data.points[i - 1][0]))
      throw new StagebookError('E_STIX_TIMECORR', `${file}: points[${i}]: SCET not increasing`, {
        where: 'readTable',
        file,
        field: `points.${i}`,
      });
  }
  return r.data;
}
