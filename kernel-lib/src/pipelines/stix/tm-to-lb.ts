/**
 * Stage TM -> LB (STIXCore `TMTCtoLB.py`): stream the packets of one EDDS XML telemetry file,
 * parse their CCSDS/PUS headers, and file them into LB products per packet type and SCET day (or
 * science request), merging into existing LB files. A corrupt packet (bad hex, bad length) is
 * logged as an ERROR naming the file and packet, and the other packets go on (the service turns
 * any ERROR into `<tm>.log.err`).
 */
import path from 'node:path';
import { readEddsPackets } from '../../formats/ccsds/edds-xml';
import { parseTmPacket, type TmPacket } from '../../formats/ccsds/packet';
import { defineStage } from '../../engine/stage';
import { StagebookError } from '../../errors/stagebook-error';
import { commonHeader, existingProduct, extent, mergedList, writeProduct } from './fits-product';
import { lbTables, lbTargetOf, mergeLb, type LbTarget } from './lb-files';
import { stixOptionsSchema } from './options';
import { parseProductName } from './products';

/** Reads the packets of a TM file, grouped by LB target; corrupt packets are reported to `onError`. */
export async function readTmGroups(file: string, onError: (message: string) => void): Promise<{ groups: Map<string, { target: LbTarget; packets: TmPacket[] }>; total: number; corrupt: number }> {
  const groups = new Map<string, { target: LbTarget; packets: TmPacket[] }>();
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
  }
  return { groups, total, corrupt };
}

export const tmToLb = defineStage({
  name: 'tm-to-lb',
  version: 1,
  kind: 'split',
  level: 'LB',
  product: 'stix-lb',
  accepts: '*PktTmRaw*.xml',
  usesCore: false,
  description: 'EDDS XML telemetry -> LB FITS (raw packets per type and SCET day / science request), merged into existing files',
  async run(ctx) {
    const o = stixOptionsSchema.parse(ctx.options);
    const fitsRoot = path.resolve(ctx.root, o.fitsDir);
    const tm = ctx.input.path;
    const { groups, total, corrupt } = await readTmGroups(tm, (m) => ctx.log.error(m));
    let n = 0;
    for (const { target, packets } of groups.values()) {
      ctx.progress(++n, groups.size, target.name);
      const final = path.join(fitsRoot, target.relPath);
      const existing = existingProduct(final);
      const merged = mergeLb(existing?.tables, lbTables(packets));
      const coarse = merged.tables.control[0].values as number[];
      const first = packets[0];
      const header = commonHeader({
        filename: target.name, level: 'LB', version: parseProductName(target.name).version,
        service: first.service, subtype: first.subtype, ssid: first.ssid,
        rawFiles: mergedList(existing?.header, 'RAW_FILE', [tm]), parents: mergedList(existing?.header, 'PARENT', [tm]),
        obtBeg: extent(coarse)[0], obtEnd: extent(coarse)[1], rid: target.rid, tcSeq: target.tcSeq,
      });
      header.push(['TIMESYS', 'OBT', 'System used for time keywords']);
      writeProduct(ctx.output(final), header, merged.tables);
      ctx.log.info(`${target.name}: ${packets.length} packet(s), ${merged.added} new, ${merged.duplicates} duplicate(s) dropped${existing ? ' (merged into the existing file)' : ''}`);
    }
    ctx.log.info(`${path.basename(tm)}: ${total} packet(s) read, ${corrupt} corrupt, ${groups.size} LB file(s)`);
  },
});
