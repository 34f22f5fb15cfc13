/**
 * Multi-packet assembly: a logical STIX science report longer than one packet is sent as a
 * sequence (flags first, continuation..., last) with consecutive 14-bit sequence counts. The
 * sequences are rebuilt from any set of packets, in whatever order and from however many files
 * they came (STIXCore collects them per request in LB and combines them in `LevelB`/L0). A
 * sequence missing a piece stays `incomplete` until the rest arrives; duplicates are dropped.
 */
import { SEQ_FLAGS, type TmPacket } from './packet';

/** Packets grouped into logical reports. */
export interface AssembledSequences {
  complete: TmPacket[][];
  incomplete: TmPacket[][];
  duplicates: number;
}

/** Identity of a packet for de-duplication (same header time, count and length = the same packet). */
export function packetIdentity(p: TmPacket): string {
  return `${p.apid}:${p.coarse}:${p.fine}:${p.seqCount}:${p.raw.length}`;
}

/** Removes duplicate packets (first kept); returns them in (SCET, sequence count) order. */
export function uniquePackets(packets: Iterable<TmPacket>): { packets: TmPacket[]; duplicates: number } {
  const seen = new Map<string, TmPacket>();
  let duplicates = 0;
  for (const p of packets) {
    const id = packetIdentity(p);
    if (seen.has(id)) duplicates++;
    else seen.set(id, p);
  }
  const list = [...seen.values()].sort((a, b) => a.coarse - b.coarse || a.fine - b.fine || a.seqCount - b.seqCount);
  return { packets: list, duplicates };
}

/** Groups packets into sequences. Standalone packets are complete one-packet sequences. */
export function assembleSequences(all: Iterable<TmPacket>): AssembledSequences {
  const { packets, duplicates } = uniquePackets(all);
  const complete: TmPacket[][] = [];
  const incomplete: TmPacket[][] = [];
  let open: TmPacket[] | undefined;
  const flush = (): void => {
    if (open) incomplete.push(open);
    open = undefined;
  };
  for (const p of packets) {
    switch (p.seqFlags) {
      case SEQ_FLAGS.standalone:
        complete.push([p]);
        break;
      case SEQ_FLAGS.first:
        flush();
        open = [p];
        break;
      case SEQ_FLAGS.continuation:
      case SEQ_FLAGS.last: {
        const prev = open?.[open.length - 1];
        if (!open || !prev || p.seqCount !== ((prev.seqCount + 1) & 0x3fff) || p.apid !== prev.apid) {
          flush();
          incomplete.push([p]);
          break;
        }
        open.push(p);
        if (p.seqFlags === SEQ_FLAGS.last) {
          complete.push(open);
          open = undefined;
        }
        break;
      }
    }
  }
  flush();
  return { complete, incomplete, duplicates };
}
