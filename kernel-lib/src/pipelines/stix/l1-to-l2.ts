/**
 * Stage L1 -> L2: the quick-look light curve in physical units. Counts per energy band over each
 * sample's integration time give count rates (count/s); the band edges go in the header
 * (EBANDn = 'lo-hi keV'). The L2 file takes its parent's date range and `U` state: an L2 from an
 * incomplete L1 is incomplete, and the complete L2 absorbs the earlier `U` one.
 */
import path from 'node:path';
import { defineStage } from '../../engine/stage';
import { col, readProduct, rowCount, type Col, type ProductTables } from './fits-product';
import { writeWithCompleteness } from './daily-files';
import { l1Header, productOfFile } from './l0-to-l1';
import { parseProductName } from './products';
import { TimeCorrelation } from './time-correlation';
import { stixOptionsSchema } from './options';

/** The QL light-curve band parameters (IDB names) and their energy edges (keV), as STIX's 5 QL bands. */
export const QL_BANDS = ['NIX00032', 'NIX00033', 'NIX00034', 'NIX00035', 'NIX00036'];
export const QL_BAND_EDGES_KEV = [4, 10, 15, 25, 50, 84];

/** L2 light-curve tables from L1 tables: counts (5 bands) and rates = counts / timedel. */
export function lightCurveL2(l1: ProductTables): ProductTables {
  const d = l1.data;
  const get = (n: string): Col => d.find((c) => c.name === n) as Col;
  const n = rowCount(d);
  const timedel = get('timedel').values as number[];
  const counts: number[] = [];
  const rates: number[] = [];
  for (let r = 0; r < n; r++) {
    for (const b of QL_BANDS) {
      const c = Number(get(b).values[r]);
      counts.push(c);
      rates.push(c / timedel[r]);
    }
  }
  return {
    control: l1.control,
    data: [
      get('time'),
      get('time_utc'),
      get('timedel'),
      col('counts', 'f64', counts, 'count', QL_BANDS.length),
      col('rate', 'f64', rates, 'count/s', QL_BANDS.length),
    ],
  };
}

export const l1ToL2 = defineStage({
  name: 'l1-to-l2',
  version: 1,
  kind: 'split',
  level: 'L2',
  after: ['l0-to-l1'],
  accepts: '**/solo_L1_stix-ql-lightcurve_*.fits',
  usesCore: false,
  description: 'L1 -> L2: quick-look light curves as count rates per energy band',
  run(ctx) {
    const o = stixOptionsSchema.parse(ctx.options);
    const fitsRoot = path.resolve(ctx.root, o.fitsDir);
    const tc = TimeCorrelation.fromDir(path.resolve(ctx.root, o.timeCorrelationDir));
    const file = ctx.input.path;
    const parsed = parseProductName(path.basename(file));
    const product = productOfFile(file);
    const l1 = readProduct(file);
    const tables = lightCurveL2(l1.tables);
    const complete = path
      .basename(file)
      .replace(/^solo_L1_/, 'solo_L2_')
      .replace(/(_V\d{2})U/, '$1');
    const rel = path.relative(path.join(fitsRoot, 'L1'), path.dirname(file));
    const dir = path.join(fitsRoot, 'L2', rel);
    const h = l1.header;
    const piece = {
      startMs: Date.parse(`${h.getString('DATE-BEG')}Z`),
      endMs: Date.parse(`${h.getString('DATE-END')}Z`),
      incomplete: parsed.incomplete,
    };
    writeWithCompleteness(
      ctx,
      dir,
      complete,
      parsed.incomplete,
      tables,
      (filename, parents) => {
        const cards = l1Header(filename, 'L2', h, piece, parents, tc, undefined, parsed.version);
        QL_BAND_EDGES_KEV.slice(0, -1).forEach((lo, i) =>
          cards.push([
            `EBAND${i + 1}`,
            `${lo}-${QL_BAND_EDGES_KEV[i + 1]} keV`,
            `energy band of counts/rate column element ${i + 1}`,
          ]),
        );
        cards.push(['BUNIT', 'count/s', 'Units of the rate column']);
        return cards;
      },
      {
        raw: String(h.get('RAW_FILE') ?? '')
          .split(';')
          .filter(Boolean),
        parent: [path.basename(file)], // file names, as stixcore writes them (issue 21)
      },
      `${product.type}-${product.name}`,
    );
  },
});
