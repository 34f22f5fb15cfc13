// STIX telemetry in: EDDS XML sniffing and streaming, CCSDS/PUS headers, multi-packet assembly,
// and IDB-driven decoding with calibrations (SCOS-2000 MIB tables in SQLite).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eddsXml, readEddsPackets, sniffEddsKind } from '../kernel-lib/src/formats/ccsds/edds-xml';
import { encodeTmPacket, parseTmPacket, SEQ_FLAGS } from '../kernel-lib/src/formats/ccsds/packet';
import { assembleSequences } from '../kernel-lib/src/formats/ccsds/segments';
import { createMibDatabase } from '../kernel-lib/src/formats/idb/mib';
import { Idb } from '../kernel-lib/src/formats/idb/idb';
import { decodeParameters, engineeringValues } from '../kernel-lib/src/formats/idb/decode';
import {
  packetHex,
  simulateStixPackets,
  simulatedIdbRows,
  stixTmXml,
  writeSimulatedIdb,
  SIM_APID_HK,
} from '../kernel-lib/src/testing/stix';
import { isStagebookError } from '../kernel-lib/src/errors/stagebook-error';

const dir = mkdtempSync(path.join(tmpdir(), 'stix-tm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(file: string, chunkBytes?: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const p of readEddsPackets(file, { chunkBytes })) out.push(p.bytes);
  return out;
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isStagebookError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a StagebookError');
}

describe('EDDS XML', () => {
  const packets = simulateStixPackets({
    startScet: 770_000_000,
    durationS: 3600,
    science: [{ scet: 770_000_100, rid: 7, tcSeq: 3, samples: 30, packets: 3 }],
  });
  const tm = path.join(dir, 'a.PktTmRaw.xml');
  writeFileSync(tm, stixTmXml(packets));

  it('sniffs TM, TC and refuses anything else naming the file', async () => {
    expect(await sniffEddsKind(tm)).toBe('TM');
    const tc = path.join(dir, 'tc.xml');
    writeFileSync(
      tc,
      '<?xml version="1.0"?><ns2:ResponsePart><Response><PktTcReportResponse></PktTcReportResponse></Response></ns2:ResponsePart>',
    );
    expect(await sniffEddsKind(tc)).toBe('TC');
    expect((await codeOf(collect(tc))).code).toBe('E_STIX_TM_FORMAT');
    const other = path.join(dir, 'other.xml');
    writeFileSync(other, `<?xml version="1.0"?><root>${' '.repeat(2000)}PktRawResponse</root>`);
    const e = await codeOf(sniffEddsKind(other));
    expect(e.code).toBe('E_STIX_TM_FORMAT');
    expect(e.message).toContain(other);
  });

  it('streams packets with the 76-byte MOC header dropped, whatever the chunk size', async () => {
    const whole = await collect(tm);
    expect(whole.length).toBe(packets.length);
    whole.forEach((b, i) => expect(b.equals(packets[i].bytes)).toBe(true));
    const small = await collect(tm, 97); // tags and packets cut across chunks
    expect(small.map((b) => b.toString('hex'))).toEqual(whole.map((b) => b.toString('hex')));
  });

  it('a file cut inside a <Packet> is an error after the complete packets', async () => {
    const cut = path.join(dir, 'cut.PktTmRaw.xml');
    const text = eddsXml([packetHex(packets[0].bytes), packetHex(packets[1].bytes)]);
    writeFileSync(cut, text.slice(0, text.lastIndexOf('</Packet>') - 10));
    const got: Buffer[] = [];
    const e = await codeOf(
      (async () => {
        for await (const p of readEddsPackets(cut)) got.push(p.bytes);
      })(),
    );
    expect(e.code).toBe('E_STIX_TM_FORMAT');
    expect(got.length).toBe(1);
  });
});

describe('CCSDS packets', () => {
  it('parses the primary and PUS data-field headers', () => {
    const raw = encodeTmPacket({
      apid: 1468,
      seqFlags: SEQ_FLAGS.first,
      seqCount: 16383,
      service: 21,
      subtype: 6,
      coarse: 770_000_123,
      fine: 32768,
      data: Buffer.from([21, 1, 2, 3]),
    });
    const p = parseTmPacket(raw);
    expect(p).toMatchObject({
      apid: 1468,
      seqFlags: 1,
      seqCount: 16383,
      service: 21,
      subtype: 6,
      ssid: 21,
      coarse: 770_000_123,
      fine: 32768,
      dataLength: raw.length - 7,
    });
    expect(p.scet).toBe(770_000_123.5);
    expect(
      parseTmPacket(
        encodeTmPacket({ apid: 1, seqCount: 0, service: 5, subtype: 1, coarse: 0, fine: 0, data: Buffer.from([9]) }),
      ).ssid,
    ).toBeUndefined();
  });

  it('a packet whose length field disagrees with its size is E_STIX_PACKET (bad length)', () => {
    const raw = encodeTmPacket({
      apid: SIM_APID_HK,
      seqCount: 1,
      service: 3,
      subtype: 25,
      coarse: 1,
      fine: 0,
      data: Buffer.alloc(13),
    });
    raw.writeUInt16BE(raw.readUInt16BE(4) + 3, 4);
    expect(() => parseTmPacket(raw, 'f.xml: packet 5')).toThrow(/packet 5: data length field says/);
  });

  it('assembles a segmented report across files, drops duplicates, keeps incomplete ones waiting', () => {
    const pk = simulateStixPackets({
      startScet: 770_000_000,
      durationS: 64,
      science: [{ scet: 770_000_010, rid: 9, tcSeq: 1, samples: 40, packets: 4 }],
    })
      .filter((p) => p.kind === 'sci')
      .map((p) => parseTmPacket(p.bytes));
    expect(pk.map((p) => p.seqFlags)).toEqual([1, 0, 0, 2]);
    const fileA = pk.slice(0, 2);
    const fileB = [pk[1], ...pk.slice(2)]; // packet 1 delivered twice
    const onlyA = assembleSequences(fileA);
    expect(onlyA.complete.length).toBe(0);
    expect(onlyA.incomplete[0].length).toBe(2);
    const both = assembleSequences([...fileB, ...fileA]);
    expect(both.complete.length).toBe(1);
    expect(both.complete[0].map((p) => p.seqCount)).toEqual(pk.map((p) => p.seqCount));
    expect(both.duplicates).toBe(1);
  });
});

describe('IDB (MIB tables in SQLite)', () => {
  const file = path.join(dir, 'idb_2.26.35.sqlite');
  writeSimulatedIdb(file);
  const idb = Idb.open(file);
  afterAll(() => idb.close());
  const pk = simulateStixPackets({ startScet: 770_000_000, durationS: 200 }).map((p) => parseTmPacket(p.bytes));

  it('decodes a fixed HK packet (PLF) and calibrates: CAF curves, TXF text, CUR selection, signed values', () => {
    const hk = pk.filter((p) => p.service === 3);
    const def = idb.packetDef(3, 25, hk[0].apid, hk[0].ssid);
    expect(def.layout).toBe('fixed');
    const d0 = decodeParameters(def, hk[0].raw);
    const d1 = decodeParameters(def, hk[1].raw);
    const temp = d0.values.get('NIX00021')?.[0] as number;
    expect(temp).toBe(Math.round(2000 + 300 * Math.sin(0)));
    expect(engineeringValues(idb, d0, 'NIX00021').values[0]).toBeCloseTo(173.15 + (temp / 4095) * 200, 10);
    expect(engineeringValues(idb, d0, 'NIX00021').unit).toBe('K');
    expect(engineeringValues(idb, d0, 'NIXD0001').values[0]).toBe('NOMINAL');
    // current range 0 -> CIXT0003 (0..100 mA), range 1 -> CIXT0004 (0..1000 mA)
    expect(d0.values.get('NIXD0002')?.[0]).toBe(0);
    expect(engineeringValues(idb, d0, 'NIX00023').values[0]).toBeCloseTo((1000 / 4095) * 100, 10);
    expect(engineeringValues(idb, d1, 'NIX00023').values[0]).toBeCloseTo((1001 / 4095) * 1000, 10);
    expect(d0.values.get('NIX00024')?.[0]).toBe(-1000);
  });

  it('decodes a variable QL packet (VPD with a repeat counter)', () => {
    const ql = pk.find((p) => p.ssid === 30) as ReturnType<typeof parseTmPacket>;
    const d = decodeParameters(idb.packetDef(21, 6, ql.apid, 30), ql.raw);
    expect(d.values.get('NIX00031')).toEqual([32]);
    expect(d.values.get('NIX00032')?.length).toBe(32);
    expect(engineeringValues(idb, d, 'NIX00030').values).toEqual([4]);
  });

  it('an unknown packet and unsupported MIB features are errors naming the table and row', () => {
    expect(() => idb.packetDef(3, 25, SIM_APID_HK, 99)).toThrow(
      /no PID row for service 3, subtype 25, APID 1460, SSID 99/,
    );
    const rows = simulatedIdbRows();
    (rows.PCF as Array<Record<string, unknown>>).find((r) => r.PCF_NAME === 'NIX00022')!.PCF_PTC = 7;
    (rows.VPD as Array<Record<string, unknown>>).find((r) => r.VPD_TPSD === 54115 && r.VPD_POS === 2)!.VPD_CHOICE = 'Y';
    const bad = path.join(dir, 'idb_bad.sqlite');
    createMibDatabase(bad, rows, 'bad');
    const b = Idb.open(bad);
    try {
      expect(() => b.packetDef(3, 25, SIM_APID_HK, 2)).toThrow(/IDB table PCF row NIX00022: PCF_PTC 7/);
      expect(() => b.packetDef(21, 6, 91 * 16 + 12, 21)).toThrow(/IDB table VPD row 54115\/2: VPD_CHOICE Y/);
    } finally {
      b.close();
    }
  });
});
