/**
 * L0 tables built from the IDB, not from hand-written parsers: the columns are the packet
 * definition's parameters (raw values). A fixed packet gives one DATA row per packet; a variable
 * packet gives one CONTROL row per packet (its top-level parameters) and one DATA row per
 * repetition of its group (a sample). Sample times follow STIX: a light-curve packet starts at its
 * SCET and steps by the integration time; a science report's samples run on from the first packet
 * of its sequence by each sample's own duration.
 */
import type { TmPacket } from '../../formats/ccsds/packet';
import { decodeParameters } from '../../formats/idb/decode';
import type { Idb, PacketDef } from '../../formats/idb/idb';
import { StagebookError } from '../../errors/stagebook-error';
import { col, type Col, type ProductTables } from './fits-product';

/** How sample times are derived for a variable packet type. */
export interface SampleTiming {
  /** Parameter giving the sample duration. */
  param: string;
  /** Raw value -> seconds. */
  scale: number;
  /** The duration is per sample (in the group) rather than per packet. */
  perSample: boolean;
}

/** Timing rules by packet type key (STIX QL: integration time in 0.1 s; science: per-sample ms). */
export const SAMPLE_TIMING: Record<string, SampleTiming> = {
  '21-6-30': { param: 'NIX00030', scale: 0.1, perSample: false },
  '21-6-21': { param: 'NIX00043', scale: 0.001, perSample: true },
};

/** Names of the parameters inside repeat groups of a variable layout. */
export function groupMembers(def: PacketDef): Set<string> {
  const inside = new Set<string>();
  def.items.forEach((it, i) => {
    for (let k = 1; k <= (it.groupSize ?? 0); k++) inside.add(def.items[i + k].param.name);
  });
  return inside;
}

function kindOf(idb: Idb, name: string): 'f64' | 'i64' {
  return idb.param(name).type === 'float' ? 'f64' : 'i64';
}

/** L0 tables of logical reports (one packet each for daily types, a packet sequence for science). */
export function l0Tables(
  idb: Idb,
  reports: readonly TmPacket[][],
  typeKey: string,
): { tables: ProductTables; def: PacketDef; start: number; end: number } {
  const first = reports[0][0];
  const def = idb.packetDef(first.service, first.subtype, first.apid, first.ssid);
  const inGroup = groupMembers(def);
  const top = def.items.filter((it) => !inGroup.has(it.param.name)).map((it) => it.param.name);
  const grouped = def.items.filter((it) => inGroup.has(it.param.name)).map((it) => it.param.name);
  const ctl: Record<string, number[]> = { time: [], scet_coarse: [], scet_fine: [], seq_count: [] };
  for (const n of top) ctl[n] = [];
  const dat: Record<string, number[]> = { time: [], timedel: [] };
  for (const n of def.layout === 'fixed' ? top : grouped) dat[n] = [];
  const timing = SAMPLE_TIMING[typeKey];
  if (def.layout === 'variable' && !timing) {
    throw new StagebookError(
      'E_STIX_IDB',
      `l0Tables: no sample timing rule for variable packet type ${typeKey} (SPID ${def.spid})`,
      { where: 'l0Tables', field: typeKey },
    );
  }
  let end = -Infinity;
  for (const report of reports) {
    let t = report[0].scet;
    for (const p of report) {
      const d = decodeParameters(def, p.raw, `SPID ${def.spid} packet at SCET ${p.scet.toFixed(3)}`);
      ctl.time.push(p.scet);
      ctl.scet_coarse.push(p.coarse);
      ctl.scet_fine.push(p.fine);
      ctl.seq_count.push(p.seqCount);
      for (const n of top) ctl[n].push((d.values.get(n) as number[])[0]);
      if (def.layout === 'fixed') {
        dat.time.push(p.scet);
        dat.timedel.push(0);
        for (const n of top) dat[n].push((d.values.get(n) as number[])[0]);
        end = Math.max(end, p.scet);
        continue;
      }
      const tim = timing as SampleTiming;
      const samples = grouped.length > 0 ? (d.values.get(grouped[0]) ?? []).length : 0;
      if (!tim.perSample) t = p.scet;
      for (let k = 0; k < samples; k++) {
        const dur =
          (tim.perSample ? (d.values.get(tim.param) as number[])[k] : (d.values.get(tim.param) as number[])[0]) *
          tim.scale;
        dat.time.push(t);
        dat.timedel.push(dur);
        for (const n of grouped) dat[n].push((d.values.get(n) as number[])[k]);
        t += dur;
      }
      end = Math.max(end, t);
    }
  }
  const builtin: Record<string, Col['kind']> = {
    time: 'f64',
    timedel: 'f64',
    scet_coarse: 'u32',
    scet_fine: 'u32',
    seq_count: 'u32',
  };
  const cols = (rec: Record<string, number[]>): Col[] =>
    Object.entries(rec).map(([n, v]) => {
      if (builtin[n]) return col(n, builtin[n], v, n.startsWith('time') ? 's' : undefined);
      return col(n, kindOf(idb, n), v, idb.param(n).unit || undefined);
    });
  return { tables: { control: cols(ctl), data: cols(dat) }, def, start: first.scet, end };
}
