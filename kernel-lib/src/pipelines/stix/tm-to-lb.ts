/**
 * Stage TM -> LB (STIXCore `TMTCtoLB.py`): stream the packets of one EDDS XML telemetry file,
 * parse their CCSDS/PUS headers, and file them into LB products per packet type and SCET day (or
 * science request), merging into existing LB files. A corrupt packet (bad hex, bad length) is
 * logged as an ERROR naming the file and packet, and the other packets go on (the service turns
 * any ERROR into `<tm>.log.err`).
 */
import path from 'node:path';
import { z } from 'zod';
import { readEddsPackets } from '../../formats/ccsds/edds-xml';
import { parseTmPacket, type TmPacket } from '../../formats/ccsds/packet';
import { defineStage } from '../../engine/stage';
import { StagebookError } from '../../errors/stagebook-error';
import { commonHeader, existingProduct, extent, mergedList, writeProduct } from './fits-product';
import { lbTables, lbTargetOf, mergeLb, type LbTarget } from './lb-files';
import { stixOptionsSchema } from './options';
import { parseProductName } from './products';

/** A TM file's packets, grouped by LB target and handed over in bounded batches. */
export interface TmBatch {
  groups: Map<string, { target: LbTarget; packets: TmPacket[] }>;
}

/**
 * Streams a TM file's packets grouped by LB target; whenever `maxBuffered` packets are held, the
 * groups are handed to `flush` and dropped, so memory stays bounded for any file size. Corrupt
 * packets go to `onError`. Returns the totals.
 */
export async function streamTmGroups(
  file: string,
  onError: (message: string) => void,
  flush: (batch: TmBatch) => void | Promise<void>,
  maxBuffered = 50_000,
): Promise<{ total: number; corrupt: number }> {
  let groups = new Map<string, { target: LbTarget; packets: TmPacket[] }>();
  let held = 0;
  let total = 0;
  let corrupt = 0;
  const name = path.basename(file);
  const report = (e: StagebookError): void => {
    corrupt++;
    total++;
    onError(`${e.code}: ${e.message}`);
  };
  for await (const pkt of readEddsPackets(file, { onPacketError: ({ error }) => report(error) })) {
    let p: TmPacket;
    try {
      p = parseTmPacket(pkt.bytes, `${name}: packet ${pkt.index}`);
    } catch (e) {
      if (e instanceof StagebookError) {
        report(e);
        continue;
      }
      throw e;
    }
    total++;
    const target = lbTargetOf(p);
    const g = groups.get(target.relPath);
    if (g) g.packets.push(p);
    else groups.set(target.relPath, { target, packets: [p] });
    if (++held >= maxBuffered) {
      await flush({ groups });
      groups = new Map();
      held = 0;
    }
  }
  if (held > 0) await flush({ groups });
  return { total, corrupt };
}

/** All packets of a TM file grouped by LB target (small files, notebooks). */
export async function readTmGroups(
  file: string,
  onError: (message: string) => void,
): Promise<{ groups: Map<string, { target: LbTarget; packets: TmPacket[] }>; total: number; corrupt: number }> {
  const groups = new Map<string, { target: LbTarget; packets: TmPacket[] }>();
  const r = await streamTmGroups(
    file,
    onError,
    (b) => {
      for (const [k, g] of b.groups) {
        const have = groups.get(k);
        if (have) have.packets.push(...g.packets);
        else groups.set(k, g);
      }
    },
    Infinity,
  );
  return { groups, ...r };
}

export const tmToLb = defineStage({
  name: 'tm-to-lb',
  version: 1,
  kind: 'split',
  level: 'LB',
  product: 'stix-lb',
  accepts: '*PktTmRaw*.xml',
  usesCore: false,
  params: z.strictObject({
    maxBufferedPackets: z
      .number()
      .int()
      .min(100)
      .default(50_000)
      .describe('Packets held in memory before they are merged into their LB files (bounds memory for big TM files)'),
  }),
  description:
    'EDDS XML telemetry -> LB FITS (raw packets per type and SCET day / science request), merged into existing files',
  async run(ctx) {
    const o = stixOptionsSchema.parse(ctx.options);
    const fitsRoot = path.resolve(ctx.root, o.fitsDir);
    const tm = ctx.input.path;
    // LB files written by this unit: later batches merge into the unit's temp file, not the final one
    const temps = new Map<string, string>();
    const flush = (batch: TmBatch): void => {
      for (const { target, packets } of batch.groups.values()) {
        const final = path.join(fitsRoot, target.relPath);
        const tmp = temps.get(final);
        const existing = existingProduct(tmp ?? final);
        const merged = mergeLb(existing?.tables, lbTables(packets));
        const coarse = merged.tables.control[0].values as number[];
        const first = packets[0];
        const header = commonHeader({
          filename: target.name,
          level: 'LB',
          version: parseProductName(target.name).version,
          service: first.service,
          subtype: first.subtype,
          ssid: first.ssid,
          rawFiles: mergedList(existing?.header, 'RAW_FILE', [tm]),
          parents: mergedList(existing?.header, 'PARENT', [tm]),
          obtBeg: extent(coarse)[0],
          obtEnd: extent(coarse)[1],
          rid: target.rid,
          tcSeq: target.tcSeq,
        });
        header.push(['TIMESYS', 'OBT', 'System used for time keywords']);
        const out = tmp ?? ctx.output(final);
        temps.set(final, out);
        writeProduct(out, header, merged.tables);
        ctx.log.info(
          `${target.name}: ${packets.length} packet(s), ${merged.added} new, ${merged.duplicates} duplicate(s) dropped${existing ? ' (merged)' : ''}`,
        );
      }
      ctx.progress(temps.size, temps.size, `${temps.size} LB file(s)`);
    };
    const { total, corrupt } = await streamTmGroups(tm, (m) => ctx.log.error(m), flush, ctx.params.maxBufferedPackets);
    ctx.log.info(`${path.basename(tm)}: ${total} packet(s) read, ${corrupt} corrupt, ${temps.size} LB file(s)`);
  },
});
