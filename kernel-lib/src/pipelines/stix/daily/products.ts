/**
 * Products of the daily pipeline (STIXCore `pipeline_daily.py`: `AspectANC` makes ANC aspect files from
 * L1 housekeeping, `LL03QL` quick-look light curves and their plots from L1 QL light curves):
 * - `solo_ANC_stix-asp-ephemeris_YYYYMMDD_VNN.fits`: one row per HK sample, its time and the HK
 *   parameters (a structural stand-in: the simulator has no SAS signals, so no aspect solution);
 * - `solo_LL03_stix-ql-lightcurve_YYYYMMDD_VNN.fits`: the summed counts of the 5 QL bands per sample,
 *   and the day's plot `solo_LL03_stix-ql-lightcurve_YYYYMMDD_VNNC.svg`.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { col, readProduct, rowCount, writeProduct, type Col, type ProductTables } from '../fits-product';
import type { FitsCardInput } from '../../../formats/fits/header';
import { QL_BANDS } from '../l1-to-l2';

/** A daily product kind, keyed by the L1 input it is made from. */
export interface DailyKind {
  /** Matches the input's base name. */
  input: RegExp;
  level: 'ANC' | 'LL03';
  type: 'asp' | 'ql';
  name: string;
  /** Output folder below the output root. */
  folder: string;
}

export const DAILY_KINDS: readonly DailyKind[] = [
  { input: /^solo_L1_stix-hk-maxi_(\d{8})_V\d{2}\.fits$/, level: 'ANC', type: 'asp', name: 'ephemeris', folder: 'ANC' },
  {
    input: /^solo_L1_stix-ql-lightcurve_(\d{8})_V\d{2}\.fits$/,
    level: 'LL03',
    type: 'ql',
    name: 'lightcurve',
    folder: 'LL',
  },
];

/** The output name of a kind for a day. */
export function dailyName(k: DailyKind, day: string, version: number, ext = '.fits'): string {
  const v = String(version).padStart(2, '0');
  return `solo_${k.level}_stix-${k.type}-${k.name}_${day}_V${v}${ext === '.svg' ? 'C' : ''}${ext}`;
}

const get = (cols: readonly Col[], n: string): Col | undefined => cols.find((c) => c.name === n);

/** ANC tables: the HK rows' time and parameters. */
function aspectTables(l1: ProductTables): ProductTables {
  const keep = l1.data.filter((c) => c.name !== 'control_index');
  return { control: l1.control, data: keep };
}

/** LL03 tables: time, timedel and the total counts over the QL bands. */
function quicklookTables(l1: ProductTables): { tables: ProductTables; time: number[]; total: number[] } {
  const n = rowCount(l1.data);
  const total: number[] = [];
  for (let r = 0; r < n; r++) total.push(QL_BANDS.reduce((s, b) => s + Number(get(l1.data, b)?.values[r] ?? 0), 0));
  const time = (get(l1.data, 'time')?.values ?? []) as number[];
  const data = [get(l1.data, 'time'), get(l1.data, 'time_utc'), get(l1.data, 'timedel')].filter(
    (c): c is Col => c !== undefined,
  );
  data.push(col('counts', 'f64', total, 'count'));
  return { tables: { control: l1.control, data }, time, total };
}

/** A small SVG line plot of the day's total counts (no plotting library: a polyline). */
export function lightCurveSvg(title: string, time: readonly number[], total: readonly number[]): string {
  const W = 600;
  const H = 200;
  const t0 = Math.min(...time);
  const t1 = Math.max(...time, t0 + 1);
  const c1 = Math.max(...total, 1);
  const pts = time.map((t, i) => `${((W * (t - t0)) / (t1 - t0)).toFixed(1)},${(H - (H * total[i]) / c1).toFixed(1)}`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 20}" viewBox="0 -20 ${W} ${H + 20}">` +
    `<text x="4" y="-6" font-size="12">${title}</text>` +
    `<polyline fill="none" stroke="black" stroke-width="1" points="${pts.join(' ')}"/></svg>\n`
  );
}

function atomicWrite(file: string, write: (tmp: string) => void): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.daily.tmp`);
  write(tmp);
  renameSync(tmp, file);
}

/** Makes the product(s) of `kind` for `day` (YYYYMMDD) from one L1 input (a `U` name too); returns the files (FITS first). */
export function makeDailyProduct(
  kind: DailyKind,
  input: string,
  day: string,
  outRoot: string,
  version: number,
  now: Date,
): string[] {
  const l1 = readProduct(input);
  const dir = path.join(outRoot, kind.folder, day.slice(0, 4), day.slice(4, 6), day.slice(6, 8));
  const name = dailyName(kind, day, version);
  const header: FitsCardInput[] = [
    ['FILENAME', name, 'FITS filename'],
    ['DATE', now.toISOString().slice(0, 23), 'FITS file creation date in UTC'],
    ['LEVEL', kind.level, 'Data processing level'],
    ['CREATOR', 'stagebook', 'FITS creation software'],
    ['VERSION', String(version).padStart(2, '0'), 'Version of data product'],
    ['PARENT', path.basename(input), 'Source file current data product'],
  ];
  for (const k of ['DATE-BEG', 'DATE-END', 'OBT_BEG', 'OBT_END', 'VERS_TC']) {
    const v = l1.header.get(k);
    if (typeof v === 'string' || typeof v === 'number')
      header.push([k, v, String(l1.header.getCard(k)?.comment ?? '')]);
  }
  const out = path.join(dir, name);
  if (kind.type === 'asp') {
    atomicWrite(out, (tmp) => writeProduct(tmp, header, aspectTables(l1.tables)));
    return [out];
  }
  const q = quicklookTables(l1.tables);
  atomicWrite(out, (tmp) => writeProduct(tmp, header, q.tables));
  const svg = path.join(dir, dailyName(kind, day, version, '.svg'));
  atomicWrite(svg, (tmp) => writeFileSync(tmp, lightCurveSvg(`STIX QL light curve ${day}`, q.time, q.total)));
  return [out, svg];
}
