/**
 * A STIX-like telemetry simulator: housekeeping every 64 s, quick-look light curves (5 bands, 4 s
 * samples, 32 per packet) with a flare, and segmented science reports, on a continuous SCET clock;
 * gaps; EDDS XML files (76-byte MOC header + hex packet) that may overlap (duplicated packets across
 * files), cut a science sequence between two files, or hold a corrupt packet; delivery the way rsync
 * delivers (a dot-temp name in the target folder, then a rename).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eddsXml, MOC_HEADER_BYTES } from '../../formats/ccsds/edds-xml';
import { encodeTmPacket, SEQ_FLAGS } from '../../formats/ccsds/packet';
import { seededRandom } from '../../simulate/random';
import { SIM_APID_HK, SIM_APID_SCIENCE, SIM_SSID } from './sim-idb';

/** A simulated packet: its SCET and bytes. */
export interface SimPacket {
  scet: number;
  kind: 'hk' | 'ql' | 'sci';
  bytes: Buffer;
}

/** One science request: a report of `samples` samples sent as `packets` packets. */
export interface SimScienceRequest {
  scet: number;
  rid: number;
  tcSeq: number;
  samples: number;
  packets: number;
}

export interface StixTelemetryOptions {
  /** SCET (s) of the first sample. */
  startScet: number;
  durationS: number;
  /** [from, to) SCET ranges without any packet (telemetry gaps). */
  gaps?: Array<[number, number]>;
  science?: SimScienceRequest[];
  /** SCET of a flare peak in the quick-look light curves (default: middle of the span). */
  flareScet?: number;
  seed?: number;
}

export const HK_CADENCE_S = 64;
export const QL_INTEGRATION_DS = 40;
export const QL_SAMPLES_PER_PACKET = 32;

function fine(scet: number): number {
  return Math.round((scet - Math.floor(scet)) * 65536) & 0xffff;
}

function inGap(scet: number, gaps: Array<[number, number]>): boolean {
  return gaps.some(([a, b]) => scet >= a && scet < b);
}

function hkPacket(scet: number, seq: number, i: number): Buffer {
  const d = Buffer.alloc(13);
  d[0] = SIM_SSID.hk;
  d[1] = i % 50 === 7 ? 2 : 1; // mostly NOMINAL, the odd BOOT
  d[2] = i % 2; // current range alternates: exercises the CUR selection
  d.writeUInt16BE(Math.round(2000 + 300 * Math.sin(i / 20)), 3);
  d.writeUInt16BE(Math.round(3000 + 20 * Math.cos(i / 7)), 5);
  d.writeUInt16BE(1000 + (i % 400), 7);
  d.writeInt32BE(i - 1000, 9);
  return encodeTmPacket({
    apid: SIM_APID_HK,
    seqCount: seq,
    service: 3,
    subtype: 25,
    coarse: Math.floor(scet),
    fine: fine(scet),
    data: d,
  });
}

function qlPacket(scet: number, seq: number, counts: number[][]): Buffer {
  const d = Buffer.alloc(4 + counts.length * 20);
  d[0] = SIM_SSID.ql;
  d[1] = QL_INTEGRATION_DS;
  d.writeUInt16BE(counts.length, 2);
  counts.forEach((row, k) => row.forEach((c, b) => d.writeUInt32BE(c, 4 + k * 20 + b * 4)));
  return encodeTmPacket({
    apid: SIM_APID_SCIENCE,
    seqCount: seq,
    service: 21,
    subtype: 6,
    coarse: Math.floor(scet),
    fine: fine(scet),
    data: d,
  });
}

function sciPackets(req: SimScienceRequest, seq0: number, rnd: () => number): Buffer[] {
  const per = Math.ceil(req.samples / req.packets);
  const out: Buffer[] = [];
  for (let k = 0; k < req.packets; k++) {
    const n = Math.min(per, req.samples - k * per);
    const d = Buffer.alloc(9 + n * 6);
    d[0] = SIM_SSID.sci;
    d.writeUInt32BE(req.rid, 1);
    d.writeUInt16BE(req.tcSeq, 5);
    d.writeUInt16BE(n, 7);
    for (let s = 0; s < n; s++) {
      d.writeUInt16BE(500, 9 + s * 6);
      d.writeUInt32BE(Math.floor(100 + 50 * rnd()), 11 + s * 6);
    }
    const flags =
      req.packets === 1
        ? SEQ_FLAGS.standalone
        : k === 0
          ? SEQ_FLAGS.first
          : k === req.packets - 1
            ? SEQ_FLAGS.last
            : SEQ_FLAGS.continuation;
    const t = req.scet + k; // each segment leaves the instrument a second later
    out.push(
      encodeTmPacket({
        apid: SIM_APID_SCIENCE,
        seqFlags: flags,
        seqCount: (seq0 + k) & 0x3fff,
        service: 21,
        subtype: 6,
        coarse: Math.floor(t),
        fine: fine(t),
        data: d,
      }),
    );
  }
  return out;
}

/** Quick-look counts of one 4 s sample in 5 bands: background plus a flare (Poisson). */
export function qlExpectedCounts(scet: number, flareScet: number): number[] {
  const flare = Math.exp(-0.5 * ((scet - flareScet) / 300) ** 2);
  return [400, 200, 80, 20, 5].map((bg, b) => bg + bg * 20 * flare * Math.exp(-b * 0.6));
}

/** Generates the packets of a span, sorted by SCET. */
export function simulateStixPackets(o: StixTelemetryOptions): SimPacket[] {
  const rng = seededRandom(o.seed ?? 1);
  const gaps = o.gaps ?? [];
  const flareScet = o.flareScet ?? o.startScet + o.durationS / 2;
  const out: SimPacket[] = [];
  let hkSeq = 0;
  let sciSeq = 0;
  const end = o.startScet + o.durationS;
  for (let t = o.startScet, i = 0; t < end; t += HK_CADENCE_S, i++) {
    if (!inGap(t, gaps)) out.push({ scet: t, kind: 'hk', bytes: hkPacket(t, hkSeq++ & 0x3fff, i) });
  }
  const qlSpan = (QL_SAMPLES_PER_PACKET * QL_INTEGRATION_DS) / 10;
  for (let t = o.startScet; t + qlSpan <= end; t += qlSpan) {
    if (inGap(t, gaps)) continue;
    const counts = Array.from({ length: QL_SAMPLES_PER_PACKET }, (_, k) =>
      qlExpectedCounts(t + k * 4, flareScet).map((m) => rng.poisson(m)),
    );
    // a QL packet leaves the instrument when its last sample closes
    out.push({ scet: t, kind: 'ql', bytes: qlPacket(t, sciSeq++ & 0x3fff, counts) });
  }
  for (const req of o.science ?? []) {
    const pkts = sciPackets(req, sciSeq, () => rng.uniform());
    sciSeq += pkts.length;
    pkts.forEach((b, k) => out.push({ scet: req.scet + k, kind: 'sci', bytes: b }));
  }
  return out.sort((a, b) => a.scet - b.scet);
}

/** The 76-byte MOC header put in front of each packet by the ground segment (content unused by STIX). */
function mocHeader(i: number): Buffer {
  const h = Buffer.alloc(MOC_HEADER_BYTES);
  h.write('SOLMOC', 0, 'latin1');
  h.writeUInt32BE(i >>> 0, 8);
  return h;
}

/** Hex text of a packet with its MOC header. */
export function packetHex(bytes: Buffer, i = 0): string {
  return Buffer.concat([mocHeader(i), bytes])
    .toString('hex')
    .toUpperCase();
}

/** Makes a packet corrupt: its length field claims 3 bytes more than it has (a "bad length" packet). */
export function corruptLength(bytes: Buffer): Buffer {
  const b = Buffer.from(bytes);
  b.writeUInt16BE(b.readUInt16BE(4) + 3, 4);
  return b;
}

/** EDDS XML text of packets (optionally corrupting the packet at `corruptIndex`). */
export function stixTmXml(packets: readonly SimPacket[], corruptIndex?: number): string {
  return eddsXml(packets.map((p, i) => packetHex(i === corruptIndex ? corruptLength(p.bytes) : p.bytes, i)));
}

/** A realistic EDDS TM file name, e.g. `BatchRequest.PktTmRaw.SOL.0.2024.135.10.00.00.000.sim1@2024.135.10.00.00.000.1.xml`. */
export function tmFileName(utc: Date, tag: string): string {
  const doy = Math.floor((utc.getTime() - Date.UTC(utc.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  const p2 = (n: number, w = 2): string => String(n).padStart(w, '0');
  const stamp = `${utc.getUTCFullYear()}.${p2(doy, 3)}.${p2(utc.getUTCHours())}.${p2(utc.getUTCMinutes())}.${p2(utc.getUTCSeconds())}.000`;
  return `BatchRequest.PktTmRaw.SOL.0.${stamp}.${tag}@${stamp}.1.xml`;
}

/** Writes `text` as rsync does: a `.name.XXXXXX` temp file in `dir`, then (unless `rename: false`) renamed. */
export function deliverLikeRsync(
  dir: string,
  name: string,
  text: string,
  options: { rename?: boolean } = {},
): { temp: string; final: string } {
  mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${name}.${Math.random().toString(36).slice(2, 8)}`);
  const final = path.join(dir, name);
  writeFileSync(temp, text);
  if (options.rename !== false) renameSync(temp, final);
  return { temp, final };
}
