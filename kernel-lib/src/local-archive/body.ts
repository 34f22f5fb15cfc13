/**
 * Serving a byte source with HTTP semantics the downloader relies on (RFC 9110): strong ETag,
 * Last-Modified, `Accept-Ranges: bytes`, single `Range: bytes=a-[b]` requests answered with 206 +
 * Content-Range, 416 for an unsatisfiable range, and `If-Range` (a range is honoured only when the
 * validator matches; otherwise the full representation with 200). Faults are applied while sending.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRule } from './faults';

/** Something that can be served. */
export interface ByteSource {
  size: number;
  etag: string;
  lastModified: string;
  contentType: string;
  /** Buffers covering [start, end). */
  slice(start: number, end: number): Buffer[];
}

/** Counters of what was sent. */
export interface SendStats {
  bytes: number;
}

function parseRange(h: string | undefined, size: number): { start: number; end: number } | 'invalid' | undefined {
  if (!h) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size : Math.min(size, Number(m[2]) + 1);
  }
  if (start >= size || start >= end) return 'invalid';
  return { start, end };
}

function waitDrain(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Responds with `src` (honouring Range/If-Range) and applies `fault` (slow/truncate/reset/corrupt). */
export async function sendSource(
  req: IncomingMessage,
  res: ServerResponse,
  src: ByteSource,
  fault: FaultRule | undefined,
  counters: SendStats[],
): Promise<number> {
  const ifRange = req.headers['if-range'];
  const rangeOk = !ifRange || ifRange === src.etag || ifRange === src.lastModified;
  const range = rangeOk ? parseRange(req.headers.range, src.size) : undefined;
  const common = {
    etag: src.etag,
    'last-modified': src.lastModified,
    'accept-ranges': 'bytes',
    'content-type': src.contentType,
  };
  if (range === 'invalid') {
    res.writeHead(416, { ...common, 'content-range': `bytes */${src.size}` }).end();
    return 416;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? src.size;
  const status = range ? 206 : 200;
  if (fault?.kind === 'reset' && (fault.at ?? 0) === 0) {
    req.socket.destroy();
    return 0;
  }
  res.writeHead(status, {
    ...common,
    'content-length': String(end - start),
    ...(range ? { 'content-range': `bytes ${start}-${end - 1}/${src.size}` } : {}),
  });
  const cutAt =
    fault && (fault.kind === 'truncate' || fault.kind === 'reset')
      ? start + Math.floor((end - start) * (fault.at ?? 0.5))
      : Infinity;
  const corruptAt = fault?.kind === 'corrupt' ? start + Math.floor((end - start) / 2) : -1;
  const rate = fault?.kind === 'slow' ? (fault.bytesPerSecond ?? 65_536) : 0;
  let pos = start;
  const t0 = Date.now();
  for (const buf of src.slice(start, end)) {
    for (let off = 0; off < buf.length;) {
      let piece = buf.subarray(
        off,
        Math.min(buf.length, off + (rate ? Math.max(1024, Math.floor(rate / 10)) : 1 << 20)),
      );
      if (pos + piece.length > cutAt) piece = piece.subarray(0, Math.max(0, cutAt - pos));
      if (corruptAt >= pos && corruptAt < pos + piece.length) {
        piece = Buffer.from(piece);
        piece[corruptAt - pos] ^= 0xff;
      }
      if (piece.length > 0 && !res.write(piece)) await waitDrain(res);
      pos += piece.length;
      off += piece.length;
      for (const c of counters) c.bytes += piece.length;
      if (pos >= cutAt) {
        // The announced Content-Length is never reached. The bytes before the cut are handed to the
        // socket first (write callback; a 20 ms timer here was a race on a busy machine), then
        // truncate closes the connection cleanly (FIN) and reset tears it down.
        await new Promise<void>((r) => res.write(Buffer.alloc(0), () => r()));
        if (fault?.kind === 'truncate') req.socket.end();
        else req.socket.destroy();
        return status;
      }
      if (res.destroyed) return status;
      if (rate) {
        const due = t0 + ((pos - start) / rate) * 1000;
        if (due > Date.now()) await new Promise<void>((r) => setTimeout(r, due - Date.now()));
      }
    }
  }
  res.end();
  return status;
}
