/**
 * IDB-driven decoding of a TM packet's parameters (raw values), and their engineering values. A
 * fixed packet reads each PLF parameter at its bit offset; a variable packet walks the VPD list
 * sequentially after the data-field header, where a parameter with VPD_GRPSIZE n > 0 is a counter:
 * the following n entries repeat `value` times (STIX's `stixcore/tmtc/parser.py` does the same).
 * Repeated parameters collect one value per repetition, in packet order.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { applyNumerical, applyTextual } from './calibrate';
import type { Idb, LayoutItem, PacketDef, ParameterDef } from './idb';

/** Raw parameter values of one packet (every parameter as an array: one value, or one per repetition). */
export interface DecodedPacket {
  def: PacketDef;
  values: Map<string, number[]>;
}

/** Data-field start in bytes (6-byte primary + 10-byte PUS header). */
const VARIABLE_START_BITS = 16 * 8;

function readBits(buf: Buffer, bitOffset: number, p: ParameterDef, where: string): number {
  const end = bitOffset + p.bits;
  if (end > buf.length * 8) {
    throw new StagebookError(
      'E_STIX_PACKET',
      `${where}: parameter ${p.name} needs bits ${bitOffset}..${end} but the packet has ${buf.length * 8}`,
      { where, field: p.name },
    );
  }
  if (p.type === 'float') {
    if (bitOffset % 8 !== 0)
      throw new StagebookError('E_STIX_IDB', `${where}: float parameter ${p.name} is not byte aligned`, {
        where,
        field: p.name,
      });
    return p.bits === 32 ? buf.readFloatBE(bitOffset / 8) : buf.readDoubleBE(bitOffset / 8);
  }
  if ((bitOffset & 7) === 0) {
    // byte-aligned 8/16/32-bit fields (nearly all STIX parameters): one read instead of a bit loop
    const at = bitOffset >> 3;
    if (p.bits === 8) return p.type === 'signed' ? buf.readInt8(at) : buf[at];
    if (p.bits === 16) return p.type === 'signed' ? buf.readInt16BE(at) : buf.readUInt16BE(at);
    if (p.bits === 32) return p.type === 'signed' ? buf.readInt32BE(at) : buf.readUInt32BE(at);
  }
  let v = 0;
  for (let b = bitOffset; b < end;) {
    const byte = buf[b >> 3];
    const inByte = b & 7;
    const take = Math.min(8 - inByte, end - b);
    const bits = (byte >> (8 - inByte - take)) & ((1 << take) - 1);
    v = v * 2 ** take + bits;
    b += take;
  }
  if (p.type === 'signed' && v >= 2 ** (p.bits - 1)) v -= 2 ** p.bits;
  return v;
}

/** Decodes the raw parameter values of `packet` (its full bytes) with definition `def`. */
export function decodeParameters(def: PacketDef, packet: Buffer, where = `SPID ${def.spid}`): DecodedPacket {
  const values = new Map<string, number[]>();
  const push = (name: string, v: number): void => {
    const list = values.get(name);
    if (list) list.push(v);
    else values.set(name, [v]);
  };
  if (def.layout === 'fixed') {
    for (const it of def.items) push(it.param.name, readBits(packet, it.bitOffset as number, it.param, where));
    return { def, values };
  }
  let bit = VARIABLE_START_BITS;
  const walk = (items: readonly LayoutItem[], from: number, to: number): void => {
    for (let i = from; i < to;) {
      const it = items[i];
      const v = readBits(packet, bit, it.param, where);
      bit += it.param.bits;
      push(it.param.name, v);
      const g = it.groupSize ?? 0;
      if (g > 0) {
        if (i + 1 + g > to)
          throw new StagebookError(
            'E_STIX_IDB',
            `VPD of SPID ${def.spid}: group of ${it.param.name} (VPD_GRPSIZE ${g}) runs past the end of its enclosing list`,
            { where, field: it.param.name },
          );
        for (let k = 0; k < v; k++) walk(items, i + 1, i + 1 + g);
        i += 1 + g;
      } else i++;
    }
  };
  walk(def.items, 0, def.items.length);
  const bytes = Math.ceil(bit / 8);
  if (bytes !== packet.length) {
    throw new StagebookError(
      'E_STIX_PACKET',
      `${where}: the VPD layout used ${bytes} bytes but the packet has ${packet.length}`,
      { where },
    );
  }
  return { def, values };
}

/** Engineering values of one parameter of a decoded packet (numbers, or texts for textual calibrations). */
export function engineeringValues(
  idb: Idb,
  decoded: DecodedPacket,
  name: string,
): { values: Array<number | string>; unit: string } {
  const raw = decoded.values.get(name);
  if (!raw)
    throw new StagebookError('E_STIX_IDB', `SPID ${decoded.def.spid}: no parameter ${name} in this packet`, {
      where: 'engineeringValues',
      field: name,
    });
  const param = idb.param(name);
  const first = (n: string): number | undefined => decoded.values.get(n)?.[0];
  const cal = idb.calibrationOf(param, first);
  if (!cal) return { values: raw, unit: param.unit };
  if (cal.kind === 'textual') return { values: raw.map((v) => applyTextual(cal, v, name)), unit: '' };
  return { values: raw.map((v) => applyNumerical(cal, v, name)), unit: cal.unit || param.unit };
}
