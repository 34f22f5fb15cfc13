/**
 * Stage LB -> L0 (STIXCore `LBtoL0.py`): decode the packets of one LB file with the IDB into L0
 * tables (raw parameter values, SCET times), merged into the existing L0 file. Daily types make one
 * L0 file per SCET day; science packets are first assembled into complete sequences (which may
 * have come from several TM files, see `assembleSequences`), one L0 file per complete report; an
 * incomplete sequence waits, logged, until the LB file gains its missing packets.
 */
import path from 'node:path';
import { z } from 'zod';
import { assembleSequences, uniquePackets } from '../../formats/ccsds/segments';
import { packetTypeKey, type TmPacket } from '../../formats/ccsds/packet';
import { Idb } from '../../formats/idb/idb';
import type { FitsHeader } from '../../formats/fits';
import { defineStage, type StageContext } from '../../engine/stage';
import {
  commonHeader,
  existingProduct,
  extent,
  mergedList,
  mergeRows,
  readProduct,
  writeProduct,
  type ProductTables,
} from './fits-product';
import { packetsOfLb } from './lb-files';
import { l0Tables } from './l0-tables';
import { stixOptionsSchema } from './options';
import { l0FileName, productOf, productVersion, scetDayStart, type ProductType } from './products';
import { newestIdb } from './resources';

/** Parameters: the IDB in force (set by `runStix`, so a new IDB re-runs L0); default: the newest in idbDir. */
export const idbParamsSchema = z.strictObject({
  idbFile: z
    .string()
    .min(1)
    .optional()
    .describe('IDB SQLite file (default: the newest idb_<version>.sqlite of options.idbDir)'),
  idbVersion: z.string().optional().describe('IDB version (part of the cache key)'),
});

/** The IDB a stage uses. */
export function openStageIdb(ctx: StageContext<z.output<typeof idbParamsSchema>>): Idb {
  const o = stixOptionsSchema.parse(ctx.options);
  return Idb.open(ctx.params.idbFile ?? newestIdb(path.resolve(ctx.root, o.idbDir)).file);
}

/** Merges fresh L0/L1 tables into an existing product's (CONTROL by packet, DATA by time). */
export function mergeProductTables(
  existing: ProductTables | undefined,
  fresh: ProductTables,
): { tables: ProductTables; added: number; duplicates: number } {
  if (!existing) return { tables: fresh, added: fresh.data[0].values.length, duplicates: 0 };
  const c = mergeRows(existing.control, fresh.control, ['scet_coarse', 'scet_fine', 'seq_count']);
  const d = mergeRows(existing.data, fresh.data, ['time']);
  return { tables: { control: c.cols, data: d.cols }, added: d.added, duplicates: d.duplicates };
}

function writeL0(
  ctx: StageContext<unknown>,
  idb: Idb,
  product: ProductType,
  reports: TmPacket[][],
  lbFile: string,
  lbHeader: FitsHeader,
  fitsRoot: string,
  version: number,
): void {
  const first = reports[0][0];
  const { tables, start, end } = l0Tables(idb, reports, product.key);
  const rid = product.daily ? undefined : first.raw.readUInt32BE(17);
  const tcSeq = product.daily ? undefined : first.raw.readUInt16BE(21);
  const name = l0FileName(
    product,
    version,
    product.daily ? { day: scetDayStart(first.coarse) } : { start: Math.floor(start), end: Math.floor(end) },
    rid,
    tcSeq,
  );
  const final = path.join(fitsRoot, 'L0', String(first.service), String(first.subtype), String(first.ssid ?? ''), name);
  const existing = existingProduct(final);
  const merged = mergeProductTables(existing?.tables, tables);
  const times = merged.tables.data[0].values as number[];
  const header = commonHeader({
    filename: name,
    level: 'L0',
    version,
    service: first.service,
    subtype: first.subtype,
    ssid: first.ssid,
    rawFiles: mergedList(
      existing?.header,
      'RAW_FILE',
      String(lbHeader.get('RAW_FILE') ?? '')
        .split(';')
        .filter(Boolean),
    ),
    parents: mergedList(existing?.header, 'PARENT', [path.basename(lbFile)]),
    obtBeg: extent(times)[0],
    obtEnd: Math.max(end, extent(times)[1]),
    rid,
    tcSeq,
  });
  header.push(
    ['TIMESYS', 'OBT', 'System used for time keywords'],
    ['APID', first.apid, 'Application process id'],
    ['VERS_IDB', idb.version, 'Version of the IDB used'],
    ['PRODUCT', `${product.type}-${product.name}`, 'STIX product'],
  );
  writeProduct(ctx.output(final, { product: `${product.type}-${product.name}` }), header, merged.tables);
  ctx.log.info(
    `${name}: ${merged.added} new row(s), ${merged.duplicates} duplicate(s) dropped${existing ? ' (merged)' : ''}`,
  );
}

export const lbToL0 = defineStage({
  name: 'lb-to-l0',
  version: 1,
  kind: 'split',
  level: 'L0',
  after: ['tm-to-lb'],
  usesCore: false,
  params: idbParamsSchema,
  description: 'LB -> L0: IDB-driven decoding (raw values, SCET), multi-packet assembly, merged into existing L0 files',
  run(ctx) {
    const o = stixOptionsSchema.parse(ctx.options);
    const fitsRoot = path.resolve(ctx.root, o.fitsDir);
    const lb = readProduct(ctx.input.path);
    const packets = uniquePackets(packetsOfLb(lb.tables, path.basename(ctx.input.path))).packets;
    if (packets.length === 0) return;
    const key = packetTypeKey(packets[0]);
    const product = productOf(key);
    if (!product) {
      ctx.log.info(`${path.basename(ctx.input.path)}: packet type ${key} has no L0 product; kept in LB only`);
      return;
    }
    const idb = openStageIdb(ctx);
    try {
      const version = productVersion(product);
      if (product.daily) {
        writeL0(
          ctx,
          idb,
          product,
          packets.map((p) => [p]),
          ctx.input.path,
          lb.header,
          fitsRoot,
          version,
        );
        return;
      }
      const seqs = assembleSequences(packets);
      for (const s of seqs.complete) writeL0(ctx, idb, product, [s], ctx.input.path, lb.header, fitsRoot, version);
      for (const s of seqs.incomplete) {
        ctx.log.info(
          `${path.basename(ctx.input.path)}: sequence from count ${s[0].seqCount} has ${s.length} packet(s) and is incomplete; waiting for the rest`,
        );
      }
    } finally {
      idb.close();
    }
  },
});
