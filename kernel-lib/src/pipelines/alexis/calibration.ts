/**
 * AIA calibration tables the user supplies as CSV (aiapy downloads them from JSOC; here they are
 * data you give): degradation `channel,time,factor` (aiapy `correct_degradation` divides by the
 * factor at T_OBS, linearly interpolated in time here) and effective area `channel,eff_area,dn_gain`
 * (ALEXIS: flux = DN/s / (EFF_AREA * DN_GAIN)). The simulator ships neutral tables, labelled as such.
 */
import { readFileSync } from 'node:fs';
import { StagebookError } from '../../errors/stagebook-error';

/** Degradation factors per channel, sorted by time. */
export type DegradationTable = Map<string, Array<{ timeMs: number; factor: number }>>;
/** Effective area (cm^2) and gain (DN per photon) per channel. */
export type EffectiveAreaTable = Map<string, { effArea: number; dnGain: number }>;

function csvRows(file: string, columns: string[]): Array<{ line: number; cells: Record<string, string> }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new StagebookError(
      'E_FILE_NOT_FOUND',
      `calibration table ${file} cannot be read`,
      { where: 'readCalibrationCsv', file },
      { cause },
    );
  }
  const lines = text.split(/\r?\n/);
  const header = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  const names = (lines[header] ?? '').split(',').map((s) => s.trim());
  for (const c of columns)
    if (!names.includes(c))
      throw new StagebookError(
        'E_FORMAT',
        `${file}:${header + 1}: missing column ${c} (expected ${columns.join(',')})`,
        { where: 'readCalibrationCsv', file, field: c, line: header + 1 },
      );
  const out: Array<{ line: number; cells: Record<string, string> }> = [];
  for (let i = header + 1; i < lines.length; i++) {
    if (lines[i].trim() === '' || lines[i].startsWith('#')) continue;
    const v = lines[i].split(',').map((s) => s.trim());
    out.push({ line: i + 1, cells: Object.fromEntries(names.map((n, k) => [n, v[k] ?? ''])) });
  }
  return out;
}

function num(file: string, line: number, field: string, s: string): number {
  const v = Number(s);
  if (s === '' || !Number.isFinite(v))
    throw new StagebookError('E_FORMAT', `${file}:${line}: ${field}: ${JSON.stringify(s)} is not a number`, {
      where: 'readCalibrationCsv',
      file,
      field,
      line,
    });
  return v;
}

/** Reads a degradation CSV (channel,time,factor). */
export function readDegradationTable(file: string): DegradationTable {
  const t: DegradationTable = new Map();
  for (const { line, cells } of csvRows(file, ['channel', 'time', 'factor'])) {
    const timeMs = Date.parse(/Z$/.test(cells.time) ? cells.time : `${cells.time}Z`);
    if (!Number.isFinite(timeMs))
      throw new StagebookError('E_FORMAT', `${file}:${line}: time: ${JSON.stringify(cells.time)} is not an ISO time`, {
        where: 'readDegradationTable',
        file,
        field: 'time',
        line,
      });
    const factor = num(file, line, 'factor', cells.factor);
    if (!(factor > 0))
      throw new StagebookError('E_FORMAT', `${file}:${line}: factor must be > 0`, {
        where: 'readDegradationTable',
        file,
        field: 'factor',
        line,
      });
    (t.get(cells.channel) ?? t.set(cells.channel, []).get(cells.channel)!).push({ timeMs, factor });
  }
  for (const v of t.values()) v.sort((a, b) => a.timeMs - b.timeMs);
  return t;
}

/** Reads an effective-area CSV (channel,eff_area,dn_gain). */
export function readEffectiveAreaTable(file: string): EffectiveAreaTable {
  const t: EffectiveAreaTable = new Map();
  for (const { line, cells } of csvRows(file, ['channel', 'eff_area', 'dn_gain'])) {
    t.set(cells.channel, {
      effArea: num(file, line, 'eff_area', cells.eff_area),
      dnGain: num(file, line, 'dn_gain', cells.dn_gain),
    });
  }
  return t;
}

/** The degradation factor of a channel at a time (linear between entries, constant outside); undefined = no entry. */
export function degradationFactor(t: DegradationTable, channel: string, timeMs: number): number | undefined {
  const v = t.get(channel);
  if (!v || v.length === 0) return undefined;
  if (timeMs <= v[0].timeMs) return v[0].factor;
  for (let i = 1; i < v.length; i++) {
    if (timeMs <= v[i].timeMs) {
      const a = v[i - 1];
      const b = v[i];
      return a.factor + ((b.factor - a.factor) * (timeMs - a.timeMs)) / (b.timeMs - a.timeMs);
    }
  }
  return v[v.length - 1].factor;
}
