/**
 * Host side of the RICE_1 codec in wasm-core (assembly/fits.ts). The compressed heap is copied
 * into WASM memory once and every tile is decoded there into one output block, so a 4096x4096
 * image costs one copy in and one copy out.
 */
import { loadCore } from '../../numeric/wasm/core';
import { fitsError, FitsLocation } from './errors';

interface FitsKernels {
  riceDecode(inPtr: number, inLen: number, outPtr: number, n: number, blocksize: number, bytepix: number): number;
  riceEncode(inPtr: number, n: number, blocksize: number, bytepix: number, outPtr: number, cap: number): number;
}

function kernels(): FitsKernels {
  return loadCore('fits').exports as unknown as FitsKernels;
}

export interface RiceTile {
  /** Offset and length of the tile's compressed bytes in the heap. */
  offset: number;
  length: number;
  /** Pixels in the tile. */
  npix: number;
  /** Tile number (for error messages). */
  index: number;
}

/**
 * Decodes `tiles` (compressed in `heap`) one after another into a single buffer of
 * sum(npix) * bytepix bytes (host-order integers, signed for bytepix 2/4, unsigned for 1).
 */
export function riceDecodeTiles(
  heap: Uint8Array,
  tiles: RiceTile[],
  blocksize: number,
  bytepix: number,
  loc: FitsLocation,
): Uint8Array {
  const total = tiles.reduce((s, t) => s + t.npix, 0);
  const core = loadCore('fits');
  const k = kernels();
  return core.withArena((arena) => {
    const input = arena.copyIn(heap);
    const output = arena.u8(total * bytepix);
    let at = 0;
    for (const t of tiles) {
      if (t.offset + t.length > heap.length)
        fitsError('E_FITS_TRUNCATED', `tile ${t.index + 1} lies outside the heap`, loc);
      const status = k.riceDecode(
        input.ptr + t.offset,
        t.length,
        output.ptr + at * bytepix,
        t.npix,
        blocksize,
        bytepix,
      );
      if (status === 1)
        fitsError('E_FITS_FORMAT', `RICE_1 tile ${t.index + 1} ends before its ${t.npix} pixels are decoded`, loc);
      if (status !== 0)
        fitsError(
          'E_FITS_FORMAT',
          `RICE_1 tile ${t.index + 1}: bad parameters (BYTEPIX ${bytepix}, BLOCKSIZE ${blocksize})`,
          loc,
        );
      at += t.npix;
    }
    return output.copyOut();
  });
}

/**
 * Rice-encodes consecutive tiles of `tilePixels` pixels from `values` (bytepix-sized signed
 * integers in host order). Returns the concatenated compressed bytes and each tile's length.
 */
export function riceEncodeTiles(
  values: Uint8Array,
  tileSizes: number[],
  blocksize: number,
  bytepix: number,
): { heap: Buffer; lengths: number[] } {
  const core = loadCore('fits');
  const k = kernels();
  return core.withArena((arena) => {
    const input = arena.copyIn(values);
    const caps = tileSizes.map((n) => n * bytepix + Math.ceil(n / blocksize) + bytepix + 16);
    const output = arena.u8(caps.reduce((a, b) => a + b, 0));
    const lengths: number[] = [];
    let inAt = 0;
    let outAt = 0;
    tileSizes.forEach((n, i) => {
      const len = k.riceEncode(input.ptr + inAt, n, blocksize, bytepix, output.ptr + outAt, caps[i]);
      if (len < 0) fitsError('E_INTERNAL' as never, `RICE_1 encoder overflowed tile ${i + 1}`);
      lengths.push(len);
      inAt += n * bytepix;
      outAt += len;
    });
    const view = output.view();
    return { heap: Buffer.from(view.slice(0, outAt)), lengths };
  });
}
