/**
 * SOC/EDDS XML telemetry files, as delivered to STIX by ESA's ground segment:
 * `<ns2:ResponsePart ...><Response><PktRawResponse><PktRawResponseElement packetID="n"><Packet>HEX</Packet>...`.
 * The kind is sniffed from the first 1000 characters like STIXCore's `SOCPacketFile`
 * (`stixcore/io/soc/manager.py`): `PktRawResponse` is TM, `PktTcReportResponse` is TC, anything else
 * is refused. Files reach hundreds of MB, so the packets are streamed: the file is read in chunks and
 * each `<Packet>` element is hex-decoded as soon as its closing tag has arrived; memory stays bounded
 * by the chunk size plus one packet.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { StagebookError } from '../../errors/stagebook-error';

/** Bytes of the MOC (mission operations centre) header in front of every CCSDS packet in EDDS XML. */
export const MOC_HEADER_BYTES = 76;

/** STIXCore's TM file pattern (`TM_REGEX = .*PktTmRaw.*.xml$`). */
export const TM_FILE_PATTERN = /PktTmRaw.*\.xml$/;

export type EddsKind = 'TM' | 'TC';

/** One packet as read from the XML: its position and its CCSDS bytes (MOC header removed). */
export interface EddsPacket {
  /** 0-based index of the `<Packet>` element in the file. */
  index: number;
  bytes: Buffer;
}

/** A packet element that could not be decoded (reported, never silently dropped). */
export interface EddsPacketError {
  index: number;
  error: StagebookError;
}

const SNIFF_CHARS = 1000;
const OPEN = '<Packet>';
const CLOSE = '</Packet>';

/** Reads the first 1000 characters and classifies the file (E_STIX_TM_FORMAT naming the file otherwise). */
export async function sniffEddsKind(file: string): Promise<EddsKind> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_CHARS);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_CHARS, 0);
    return classifyHead(buf.subarray(0, bytesRead).toString('latin1'), file);
  } finally {
    await fh.close();
  }
}

/** Classifies the head of an EDDS file (exported for tests). */
export function classifyHead(head: string, file: string): EddsKind {
  if (head.includes('PktRawResponse')) return 'TM';
  if (head.includes('PktTcReportResponse')) return 'TC';
  throw new StagebookError(
    'E_STIX_TM_FORMAT',
    `${file}: not an EDDS TM/TC file (neither PktRawResponse nor PktTcReportResponse in its first ${SNIFF_CHARS} characters)`,
    { where: 'sniffEddsKind', file },
  );
}

/** Decodes the hex text of one `<Packet>` and drops the MOC header. */
export function decodePacketHex(hex: string, index: number, file: string): Buffer {
  const text = hex.trim();
  const bad = (why: string): never => {
    throw new StagebookError('E_STIX_PACKET', `${file}: packet ${index}: ${why}`, {
      where: 'decodePacketHex',
      file,
      index,
    });
  };
  if (text.length % 2 !== 0) bad(`odd number of hex digits (${text.length})`);
  const bytes = Buffer.from(text, 'hex');
  // Buffer.from stops at the first non-hex pair without complaint: compare lengths to catch it.
  if (bytes.length * 2 !== text.length) bad(`invalid hex digit at character ${bytes.length * 2}`);
  if (bytes.length <= MOC_HEADER_BYTES)
    bad(`${bytes.length} bytes, not more than the ${MOC_HEADER_BYTES}-byte MOC header`);
  return bytes.subarray(MOC_HEADER_BYTES);
}

/** Options of `readEddsPackets`. */
export interface ReadEddsOptions {
  /** Read chunk size in bytes (default 4 MiB). */
  chunkBytes?: number;
  /** Called for a packet element whose hex cannot be decoded; reading continues. */
  onPacketError?(e: EddsPacketError): void;
}

/**
 * Streams the packets of an EDDS TM file. Refuses TC and unknown files (sniffed first). A file that
 * ends inside a `<Packet>` element is an E_STIX_TM_FORMAT error (an rsync temp file never renamed
 * is the usual cause); packets before that point have already been yielded.
 */
export async function* readEddsPackets(file: string, options: ReadEddsOptions = {}): AsyncGenerator<EddsPacket> {
  const kind = await sniffEddsKind(file);
  if (kind !== 'TM') {
    throw new StagebookError('E_STIX_TM_FORMAT', `${file}: is a TC report file (PktTcReportResponse), not telemetry`, {
      where: 'readEddsPackets',
      file,
    });
  }
  const stream = createReadStream(file, { encoding: 'latin1', highWaterMark: options.chunkBytes ?? 4 << 20 });
  let pending = '';
  let index = 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    pending = pending.length === 0 ? chunk : pending + chunk;
    let from = 0;
    for (;;) {
      const open = pending.indexOf(OPEN, from);
      if (open < 0) break;
      const close = pending.indexOf(CLOSE, open + OPEN.length);
      if (close < 0) {
        from = open;
        break;
      }
      const i = index++;
      try {
        yield { index: i, bytes: decodePacketHex(pending.slice(open + OPEN.length, close), i, file) };
      } catch (e) {
        if (!(e instanceof StagebookError) || !options.onPacketError) throw e;
        options.onPacketError({ index: i, error: e });
      }
      from = close + CLOSE.length;
    }
    // keep only the tail that may hold a partial tag or an unfinished packet
    pending =
      pending.indexOf(OPEN, from) >= 0
        ? pending.slice(pending.indexOf(OPEN, from))
        : pending.slice(Math.max(from, pending.length - OPEN.length));
  }
  if (pending.includes(OPEN)) {
    throw new StagebookError(
      'E_STIX_TM_FORMAT',
      `${file}: the file ends inside <Packet> element ${index} (truncated or still being written)`,
      { where: 'readEddsPackets', file, index },
    );
  }
}

/** Writes the EDDS XML envelope around hex packets (used by the simulator and tests). */
export function eddsXml(packetsHex: readonly string[], firstId = 0): string {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<ns2:ResponsePart xmlns:ns2="http://edds.egos.esa/model"><Response><PktRawResponse>\n',
  ];
  packetsHex.forEach((hex, i) =>
    parts.push(`<PktRawResponseElement packetID="${firstId + i}"><Packet>${hex}</Packet></PktRawResponseElement>\n`),
  );
  parts.push('</PktRawResponse></Response></ns2:ResponsePart>\n');
  return parts.join('');
}
