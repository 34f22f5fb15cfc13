/**
 * CCSDS telemetry packets with the PUS data-field header as Solar Orbiter/STIX use it
 * (CCSDS 133.0-B primary header; ECSS-E-70-41A data-field header; STIX's `TMPacket` in
 * `stixcore/tmtc/packets.py`):
 * - primary header, 6 bytes: version(3) type(1) dfh flag(1) APID(11) | sequence flags(2)
 *   sequence count(14) | data length(16) = total length - 7;
 * - data-field header, 10 bytes: spare(1) PUS version(3) spare(4) | service | subtype | destination |
 *   SCET coarse (32 bits, seconds) | SCET fine (16 bits, 1/65536 s);
 * - services 3 (housekeeping) and 21 (science) carry the structure id SSID in the first data byte.
 */
import { StagebookError } from '../../errors/stagebook-error';

export const PRIMARY_HEADER_BYTES = 6;
export const DATA_FIELD_HEADER_BYTES = 10;
/** Offset of the application data (and of the SSID). */
export const DATA_OFFSET = PRIMARY_HEADER_BYTES + DATA_FIELD_HEADER_BYTES;

/** Sequence flags of the primary header (segmentation of a logical packet over several packets). */
export const SEQ_FLAGS = { continuation: 0, first: 1, last: 2, standalone: 3 } as const;

/** A decoded TM packet header with its raw bytes. */
export interface TmPacket {
  apid: number;
  seqFlags: number;
  seqCount: number;
  /** Data length field (total length - 7). */
  dataLength: number;
  service: number;
  subtype: number;
  destination: number;
  coarse: number;
  fine: number;
  /** SCET seconds: coarse + fine / 65536. */
  scet: number;
  /** Structure id (services 3 and 21), else undefined. */
  ssid?: number;
  /** The whole packet (primary header included). */
  raw: Buffer;
}

/** Services whose first data byte is the SSID (STIX). */
const SSID_SERVICES = new Set([3, 21]);

/** Parses one packet; E_STIX_PACKET when it is shorter than its headers or its length field disagrees. */
export function parseTmPacket(raw: Buffer, where = 'parseTmPacket'): TmPacket {
  const bad = (why: string): never => {
    throw new StagebookError('E_STIX_PACKET', `${where}: ${why}`, { where });
  };
  if (raw.length < DATA_OFFSET) bad(`${raw.length} bytes, shorter than the ${DATA_OFFSET} header bytes`);
  const word0 = raw.readUInt16BE(0);
  const word1 = raw.readUInt16BE(2);
  const dataLength = raw.readUInt16BE(4);
  if (dataLength + 7 !== raw.length)
    bad(`data length field says ${dataLength + 7} bytes, the packet has ${raw.length} (bad length)`);
  if ((word0 >> 12) & 1) bad('packet type is TC (1), expected TM (0)');
  if (!((word0 >> 11) & 1)) bad('no data-field header (flag 0); STIX TM always has one');
  const service = raw[7];
  const coarse = raw.readUInt32BE(10);
  const fine = raw.readUInt16BE(14);
  return {
    apid: word0 & 0x7ff,
    seqFlags: word1 >> 14,
    seqCount: word1 & 0x3fff,
    dataLength,
    service,
    subtype: raw[8],
    destination: raw[9],
    coarse,
    fine,
    scet: coarse + fine / 65536,
    ssid: SSID_SERVICES.has(service) && raw.length > DATA_OFFSET ? raw[DATA_OFFSET] : undefined,
    raw,
  };
}

/** Fields of a packet to build. */
export interface TmPacketSpec {
  apid: number;
  seqFlags?: number;
  seqCount: number;
  service: number;
  subtype: number;
  destination?: number;
  coarse: number;
  fine: number;
  /** Application data (starting with the SSID for services 3/21). */
  data: Buffer;
}

/** Builds a TM packet (simulator, tests). */
export function encodeTmPacket(s: TmPacketSpec): Buffer {
  const out = Buffer.alloc(DATA_OFFSET + s.data.length);
  out.writeUInt16BE((0 << 13) | (0 << 12) | (1 << 11) | (s.apid & 0x7ff), 0);
  out.writeUInt16BE((((s.seqFlags ?? SEQ_FLAGS.standalone) & 3) << 14) | (s.seqCount & 0x3fff), 2);
  out.writeUInt16BE(out.length - 7, 4);
  out[6] = 0x10; // PUS version 1
  out[7] = s.service;
  out[8] = s.subtype;
  out[9] = s.destination ?? 0;
  out.writeUInt32BE(s.coarse >>> 0, 10);
  out.writeUInt16BE(s.fine & 0xffff, 14);
  s.data.copy(out, DATA_OFFSET);
  return out;
}

/** The `service-subtype[-ssid]` key STIX uses in LB names. */
export function packetTypeKey(p: Pick<TmPacket, 'service' | 'subtype' | 'ssid'>): string {
  return p.ssid === undefined ? `${p.service}-${p.subtype}` : `${p.service}-${p.subtype}-${p.ssid}`;
}
