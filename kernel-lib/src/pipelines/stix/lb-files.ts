/**
 * Level-binary (LB) files: the raw packets of one packet type (service-subtype-SSID) per SCET day,
 * or of one science request, as STIXCore's `FitsLBProcessor` writes them: CONTROL holds one row per
 * packet (SCET coarse/fine, sequence count and flags, data length, APID), DATA the packet as hex.
 * Merging an existing LB file drops packets already in it (same APID, SCET, count and length).
 */
import path from 'node:path';
import { parseTmPacket, packetTypeKey, type TmPacket } from '../../formats/ccsds/packet';
import { col, mergeRows, rowCount, type Col, type ProductTables } from './fits-product';
import { lbFileName, productOf, productVersion, PRODUCT_PROCESSING_VERSION, scetDayStart } from './products';

/** STIX science SSIDs (service 21): their reports are filed per request, not per day. */
export const SCIENCE_SSIDS = new Set([20, 21, 22, 23, 24]);

/** Where a packet goes: its LB file (relative to the FITS root) and the group attributes. */
export interface LbTarget {
  relPath: string;
  name: string;
  key: string;
  rid?: number;
  tcSeq?: number;
}

/** The LB file of a packet. Science packets carry the request id (bytes 17-20) and TC sequence (21-22). */
export function lbTargetOf(p: TmPacket): LbTarget {
  const science = p.service === 21 && p.ssid !== undefined && SCIENCE_SSIDS.has(p.ssid) && p.raw.length >= 23;
  // memoised: one target per (type, day) or (type, request), asked once per packet
  const memo = `${p.service}-${p.subtype}-${p.ssid}|${science ? `${p.raw.readUInt32BE(17)}-${p.raw.readUInt16BE(21)}` : scetDayStart(p.coarse)}`;
  let t = TARGETS.get(memo);
  if (!t) {
    if (TARGETS.size > 10_000) TARGETS.clear();
    t = computeTarget(p);
    TARGETS.set(memo, t);
  }
  return t;
}

const TARGETS = new Map<string, LbTarget>();

function computeTarget(p: TmPacket): LbTarget {
  const key = packetTypeKey(p);
  const product = productOf(key);
  const version = product ? productVersion(product) : PRODUCT_PROCESSING_VERSION;
  const dir = path.posix.join('LB', String(p.service), String(p.subtype), p.ssid === undefined ? '' : String(p.ssid));
  if (p.service === 21 && p.ssid !== undefined && SCIENCE_SSIDS.has(p.ssid) && p.raw.length >= 23) {
    const rid = p.raw.readUInt32BE(17);
    const tcSeq = p.raw.readUInt16BE(21);
    const name = lbFileName(key, version, undefined, rid, tcSeq);
    return { relPath: path.posix.join(dir, name), name, key, rid, tcSeq };
  }
  const name = lbFileName(key, version, scetDayStart(p.coarse));
  return { relPath: path.posix.join(dir, name), name, key };
}

const CONTROL_COLS = ['scet_coarse', 'scet_fine', 'seq_count', 'seq_flags', 'data_length', 'apid'];

/** The LB tables of packets (one combined row per packet; split into CONTROL and DATA on write). */
export function lbTables(packets: readonly TmPacket[]): ProductTables {
  return {
    control: [
      col(
        'scet_coarse',
        'u32',
        packets.map((p) => p.coarse),
      ),
      col(
        'scet_fine',
        'u16',
        packets.map((p) => p.fine),
      ),
      col(
        'seq_count',
        'u16',
        packets.map((p) => p.seqCount),
      ),
      col(
        'seq_flags',
        'u8',
        packets.map((p) => p.seqFlags),
      ),
      col(
        'data_length',
        'u16',
        packets.map((p) => p.dataLength),
      ),
      col(
        'apid',
        'u16',
        packets.map((p) => p.apid),
      ),
    ],
    data: [
      col(
        'control_index',
        'u32',
        packets.map((_, i) => i),
      ),
      col(
        'data',
        'str',
        packets.map((p) => p.raw.toString('hex')),
      ),
    ],
  };
}

/** Merges new packets into existing LB tables; returns the merged tables and counts. */
export function mergeLb(
  existing: ProductTables | undefined,
  fresh: ProductTables,
): { tables: ProductTables; added: number; duplicates: number } {
  const combine = (t: ProductTables): Col[] => [...t.control, t.data[1]];
  const base = existing
    ? combine(existing)
    : combine({
        control: fresh.control.map((c) => ({ ...c, values: [] })),
        data: fresh.data.map((c) => ({ ...c, values: [] })),
      });
  const m = mergeRows(base, combine(fresh), ['scet_coarse', 'scet_fine', 'seq_count', 'data_length', 'apid']);
  const n = rowCount(m.cols);
  const control = m.cols.filter((c) => CONTROL_COLS.includes(c.name));
  const data = [
    col(
      'control_index',
      'u32',
      Array.from({ length: n }, (_, i) => i),
    ),
    m.cols[m.cols.length - 1],
  ];
  return { tables: { control, data }, added: m.added, duplicates: m.duplicates };
}

/** The packets stored in LB tables. */
export function packetsOfLb(t: ProductTables, where: string): TmPacket[] {
  const hex = t.data.find((c) => c.name === 'data') as Col;
  return (hex.values as string[]).map((h, i) => parseTmPacket(Buffer.from(h, 'hex'), `${where} row ${i}`));
}
