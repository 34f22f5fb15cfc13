/**
 * Stage L0 -> L1: engineering values through the IDB calibrations (CAF/CAP curves, TXF/TXP texts,
 * CUR selection) and UTC times through the time correlation. Daily products are split by UTC day
 * (an SCET day straddles two UTC days); a day file with rows that only the predicted correlation
 * covers is "incomplete" and carries the `U` marker, and is reprocessed into the complete name once
 * a definitive correlation covers it.
 */
import path from 'node:path';
import { z } from 'zod';
import { applyNumerical, applyTextual } from '../../formats/idb/calibrate';
import type { Idb, PacketDef } from '../../formats/idb/idb';
import { defineStage } from '../../engine/stage';
import { StagebookError } from '../../errors/stagebook-error';
import { fitsCreationDate } from '../../formats/fits/creation-date';
import { col, extent, readProduct, rowCount, type Col, type ProductTables } from './fits-product';
import { writeWithCompleteness } from './daily-files';
import { idbParamsSchema, openStageIdb } from './lb-to-l0';
import { stixOptionsSchema } from './options';
import { l1FileName, parseProductName, PRODUCT_TYPES, type ProductType } from './products';
import { TimeCorrelation } from './time-correlation';

export const l1ParamsSchema = idbParamsSchema.extend({
  timeCorrelation: z
    .string()
    .optional()
    .describe('Identity of the time-correlation tables in force (part of the cache key; set by runStix)'),
});

/** The product type of a product file name. */
export function productOfFile(file: string): ProductType {
  const parsed = parseProductName(path.basename(file));
  const p = PRODUCT_TYPES.find((t) => `${t.type}-${t.name}` === parsed.product);
  if (!p)
    throw new StagebookError('E_INVALID_ARGUMENT', `${path.basename(file)}: no STIX product type ${parsed.product}`, {
      where: 'productOfFile',
      file,
    });
  return p;
}

const BUILTIN = new Set(['time', 'timedel', 'scet_coarse', 'scet_fine', 'seq_count']);

/** Calibrates the parameter columns of a table, row by row (CUR looks at the same row's raw values). */
export function calibrateColumns(idb: Idb, cols: readonly Col[]): Col[] {
  const n = rowCount(cols);
  const byName = new Map(cols.map((c) => [c.name, c]));
  return cols.map((c) => {
    if (BUILTIN.has(c.name)) return c;
    const param = idb.param(c.name);
    const values: Array<number | string> = new Array(n);
    let unit = c.unit;
    let textual = false;
    for (let r = 0; r < n; r++) {
      const cal = idb.calibrationOf(param, (name) => {
        const other = byName.get(name);
        return other ? Number(other.values[r]) : undefined;
      });
      const raw = Number(c.values[r]);
      if (!cal) values[r] = raw;
      else if (cal.kind === 'textual') {
        textual = true;
        values[r] = applyTextual(cal, raw, c.name);
      } else {
        unit = cal.unit || unit;
        values[r] = applyNumerical(cal, raw, c.name);
      }
    }
    return col(c.name, textual ? 'str' : 'f64', values, textual ? undefined : unit);
  });
}

/** Adds `time_utc` (ISO, ms) after `time`. */
function withUtc(cols: Col[], tc: TimeCorrelation): Col[] {
  const t = cols.find((c) => c.name === 'time') as Col;
  const utc = col(
    'time_utc',
    'str',
    (t.values as number[]).map((s) => new Date(Math.round(tc.toUtcMs(s))).toISOString().slice(0, 23)),
  );
  return [t, utc, ...cols.filter((c) => c !== t)];
}

/** Rows of a table whose index passes `keep`. */
export function selectRows(cols: readonly Col[], keep: (r: number) => boolean): Col[] {
  const n = rowCount(cols);
  const rows = Array.from({ length: n }, (_, r) => r).filter(keep);
  return cols.map((c) => {
    const k = c.repeat ?? 1;
    return { ...c, values: rows.flatMap((r) => c.values.slice(r * k, (r + 1) * k)) };
  });
}

function dayOf(ms: number): number {
  return Math.floor(ms / 86_400_000) * 86_400_000;
}

/** The L1 tables of one L0 file, split into output files (UTC day for daily products). */
export function l1Pieces(
  idb: Idb,
  l0: ProductTables,
  product: ProductType,
  tc: TimeCorrelation,
): Array<{ dayMs: number; startMs: number; endMs: number; tables: ProductTables; incomplete: boolean }> {
  const data = withUtc(calibrateColumns(idb, l0.data), tc);
  const control = withUtc(calibrateColumns(idb, l0.control), tc);
  const utc = (cols: Col[], r: number): number => tc.toUtcMs(Number(cols[0].values[r]));
  const days = product.daily
    ? [...new Set(Array.from({ length: rowCount(data) }, (_, r) => dayOf(utc(data, r))))]
    : [NaN];
  return days.map((day) => {
    const inDay =
      (cols: Col[]) =>
      (r: number): boolean =>
        !product.daily || dayOf(utc(cols, r)) === day;
    const d = selectRows(data, inDay(data));
    const c = selectRows(control, inDay(control));
    const [t0, t1] = extent(d[0].values);
    const incomplete = (d[0].values as number[]).some((s) => !tc.isDefinitive(s));
    return { dayMs: day, startMs: tc.toUtcMs(t0), endMs: tc.toUtcMs(t1), tables: { control: c, data: d }, incomplete };
  });
}

export const l0ToL1 = defineStage({
  name: 'l0-to-l1',
  version: 1,
  kind: 'split',
  level: 'L1',
  after: ['lb-to-l0'],
  usesCore: false,
  params: l1ParamsSchema,
  description:
    'L0 -> L1: engineering values (IDB calibrations), UTC from the time correlation, U marker while predicted',
  run(ctx) {
    const o = stixOptionsSchema.parse(ctx.options);
    const fitsRoot = path.resolve(ctx.root, o.fitsDir);
    const tc = TimeCorrelation.fromDir(path.resolve(ctx.root, o.timeCorrelationDir));
    const l0 = readProduct(ctx.input.path);
    const product = productOfFile(ctx.input.path);
    const name0 = parseProductName(path.basename(ctx.input.path));
    const h = l0.header;
    const idb = openStageIdb(ctx);
    try {
      idb.packetDef(h.getNumber('STYPE'), h.getNumber('SSTYPE'), h.getNumber('APID'), h.getNumber('SSID'));
      for (const piece of l1Pieces(idb, l0.tables, product, tc)) {
        const incomplete = product.daily && piece.incomplete;
        const name = l1FileName('L1', product, name0.version, piece, false, name0.rid, name0.tcSeq);
        const day = new Date(product.daily ? piece.dayMs : piece.startMs).toISOString().slice(0, 10).split('-');
        const dir = path.join(fitsRoot, 'L1', ...day, product.type.toUpperCase());
        writeWithCompleteness(
          ctx,
          dir,
          name,
          incomplete,
          piece.tables,
          (filename, parents) => l1Header(filename, 'L1', h, piece, parents, tc, idb, name0.version),
          {
            raw: String(h.get('RAW_FILE') ?? '')
              .split(';')
              .filter(Boolean),
            // file names, as stixcore writes them: a product must not depend on where the tree lives (issue 21)
            parent: [path.basename(ctx.input.path)],
          },
          `${product.type}-${product.name}`,
        );
      }
    } finally {
      idb.close();
    }
  },
});

/** Primary header of an L1/L2 file (UTC keywords added to the common ones of the parent). */
export function l1Header(
  filename: string,
  level: string,
  parent: ReturnType<typeof readProduct>['header'],
  piece: { startMs: number; endMs: number; incomplete: boolean },
  parents: { raw: string[]; parent: string[] },
  tc: TimeCorrelation,
  idb: Idb | undefined,
  version: number,
): Array<[string, string | number, string]> {
  const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 23);
  const keep = ['STYPE', 'SSTYPE', 'SSID', 'APID', 'SCI_RID', 'SCI_TCC', 'OBT_BEG', 'OBT_END', 'PRODUCT'];
  const cards: Array<[string, string | number, string]> = [
    ['FILENAME', filename, 'FITS filename'],
    ['RAW_FILE', parents.raw.join(';'), 'Raw filename(s)'],
    ['PARENT', parents.parent.join(';'), 'Source file current data product'],
    ['DATE', fitsCreationDate(), 'FITS file creation date in UTC'],
    ['LEVEL', level, 'Data processing level'],
    ['ORIGIN', 'stagebook', 'Processing site'],
    ['CREATOR', 'stagebook', 'FITS creation software'],
    ['VERSION', String(version).padStart(2, '0'), 'Version of data product'],
    ['OBSRVTRY', 'Solar Orbiter', 'Satellite name'],
    ['TELESCOP', 'SOLO/STIX', 'Telescope/Sensor name'],
    ['INSTRUME', 'STIX', 'Instrument name'],
  ];
  for (const k of keep) {
    const v = parent.get(k);
    if (v !== undefined && (typeof v === 'string' || typeof v === 'number'))
      cards.push([k, v, String(parent.getCard(k)?.comment ?? '')]);
  }
  cards.push(
    ['TIMESYS', 'UTC', 'System used for time keywords'],
    ['DATE-BEG', iso(piece.startMs), 'Start time of observation'],
    ['DATE-END', iso(piece.endMs), 'End time of observation'],
    ['VERS_TC', tc.identity, 'Time correlation tables used'],
    ['COMPLETE', piece.incomplete ? 'U' : 'C', 'U: predicted time correlation only'],
  );
  if (idb) cards.push(['VERS_IDB', idb.version, 'Version of the IDB used']);
  return cards;
}
