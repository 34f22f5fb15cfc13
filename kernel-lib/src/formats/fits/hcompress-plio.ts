/**
 * Host side of the HCOMPRESS_1 and PLIO_1 tile decoders in wasm-core (assembly/fits.ts,
 * common/fits-hbits.ts, fits-hinv.ts, fits-plio.ts; semantics of cfitsio fits_hdecompress.c and
 * pliocomp.c). As for RICE_1, the heap is copied into WASM memory once and every tile is decoded
 * there; each tile comes back as Int32Array values (quantised integers for float images).
 */
import { loadCore } from '../../numeric/wasm/core';
import { fitsError, FitsLocation } from './errors';

interface TileKernels {
  hdecompress(inPtr: number, inLen: number, outPtr: number, nx: number, ny: number, smooth: number): number;
  plioDecode(llPtr: number, nwords: number, outPtr: number, npix: number): number;
  __collect(): void;
}

export interface CodedTile {
  /** Tile number (0-based, for messages and the result map). */
  index: number;
  /** Offset and length in bytes of the tile's compressed data in the heap. */
  offset: number;
  length: number;
  /** Tile shape: `width` along ZTILE1 (fastest), `height` the product of the other axes. */
  width: number;
  height: number;
}

const HCOMPRESS_STATUS: Record<number, string> = {
  1: 'the compressed stream ends early',
  3: 'it does not start with the H-compress magic bytes DD 99',
  4: 'the stream describes another tile shape',
  5: 'a bit-plane code is invalid',
};

function decodeAll(
  heap: Uint8Array,
  tiles: CodedTile[],
  loc: FitsLocation,
  run: (k: TileKernels, inPtr: number, t: CodedTile, outPtr: number) => number,
  what: (status: number, t: CodedTile) => string,
): Map<number, Int32Array> {
  const core = loadCore('fits');
  const k = core.exports as unknown as TileKernels;
  const out = new Map<number, Int32Array>();
  for (const t of tiles) {
    if (t.offset < 0 || t.offset + t.length > heap.length)
      fitsError('E_FITS_TRUNCATED', `tile ${t.index + 1} lies outside the heap`, loc);
  }
  const total = tiles.reduce((s, t) => s + t.width * t.height, 0);
  const flat = core.withArena((arena) => {
    const input = arena.copyIn(heap);
    const output = arena.i32(total);
    let at = 0;
    for (const t of tiles) {
      const status = run(k, input.ptr + t.offset, t, output.ptr + at * 4);
      if (status !== 0) fitsError('E_FITS_FORMAT', `tile ${t.index + 1}: ${what(status, t)}`, loc);
      at += t.width * t.height;
      // Scratch arrays of the decoder are managed objects: free them between tiles.
      k.__collect();
    }
    return output.copyOut();
  }) as Int32Array;
  let at = 0;
  for (const t of tiles) {
    out.set(t.index, flat.subarray(at, at + t.width * t.height));
    at += t.width * t.height;
  }
  return out;
}

/** Decodes HCOMPRESS_1 tiles (SMOOTH from ZNAME/ZVAL, 0 by default as in cfitsio). */
export function hcompressDecodeTiles(
  heap: Uint8Array,
  tiles: CodedTile[],
  smooth: number,
  loc: FitsLocation,
): Map<number, Int32Array> {
  return decodeAll(
    heap,
    tiles,
    loc,
    (k, inPtr, t, outPtr) => k.hdecompress(inPtr, t.length, outPtr, t.height, t.width, smooth),
    (status) => `HCOMPRESS_1 data are corrupt: ${HCOMPRESS_STATUS[status] ?? `status ${status}`}`,
  );
}

/** Decodes PLIO_1 tiles: 16-bit big-endian line-list words, swapped to host order first. */
export function plioDecodeTiles(heap: Uint8Array, tiles: CodedTile[], loc: FitsLocation): Map<number, Int32Array> {
  // Each tile's words are copied out and swapped on their own, so tiles sharing heap bytes stay intact.
  const words = Buffer.alloc(tiles.reduce((s, t) => s + t.length, 0));
  const moved: CodedTile[] = [];
  let at = 0;
  for (const t of tiles) {
    if (t.offset < 0 || t.offset + t.length > heap.length || t.length % 2 !== 0) {
      fitsError(
        'E_FITS_FORMAT',
        `PLIO_1 tile ${t.index + 1}: ${t.length} bytes at heap offset ${t.offset} are not whole 16-bit words inside the heap`,
        loc,
      );
    }
    words.set(heap.subarray(t.offset, t.offset + t.length), at);
    words.subarray(at, at + t.length).swap16();
    moved.push({ ...t, offset: at });
    at += t.length;
  }
  return decodeAll(
    words,
    moved,
    loc,
    (k, inPtr, t, outPtr) => k.plioDecode(inPtr, t.length / 2, outPtr, t.width * t.height),
    () => 'PLIO_1 line list is truncated',
  );
}
