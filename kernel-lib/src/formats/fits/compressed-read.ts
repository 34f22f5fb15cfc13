/**
 * Decoding the tiles of a compressed image (see compressed.ts) into the stored image values:
 * integers of ZBITPIX for integer images (BSCALE/BZERO are applied later, as for any image), or
 * floats for quantised / lossless floating-point images. Only the tiles that overlap the requested
 * rows are decoded.
 */
import { gunzipSync } from 'node:zlib';
import {
  bigEndianValues,
  columnByName,
  CompressionInfo,
  descriptor,
  heapSlice,
  perTile,
  TableAccess,
  tileGrid,
  unshuffle,
} from './compressed';
import { unquantizeTile } from './dither';
import { fitsError } from './errors';
import { FitsHeader } from './header';
import { FitsImageData } from './image';
import { hcompressDecodeTiles, plioDecodeTiles, CodedTile } from './hcompress-plio';
import { riceDecodeTiles, RiceTile } from './rice';
import { ELEMENT_BYTES } from './table-format';

type Tile = { index: number; origin: number[]; size: number[]; npix: number };

function allocate(zbitpix: number, n: number): FitsImageData {
  switch (zbitpix) {
    case 8:
      return new Uint8Array(n);
    case 16:
      return new Int16Array(n);
    case 32:
      return new Int32Array(n);
    case 64:
      return new BigInt64Array(n);
    case -32:
      return new Float32Array(n);
    default:
      return new Float64Array(n);
  }
}

/** Tiles with at least one line inside rows [start, start + count) (rows = lines along axis 1). */
function tilesForRows(info: CompressionInfo, start: number, count: number): Tile[] {
  const out: Tile[] = [];
  tileGrid(info.axes, info.tile).forEach((g, index) => {
    const npix = g.size.reduce((a, b) => a * b, 1);
    if (lineRows(info.axes, g).some((r) => r >= start && r < start + count)) out.push({ index, ...g, npix });
  });
  return out;
}

/** Global row index of each line of a tile, in tile order. */
function lineRows(axes: number[], g: { origin: number[]; size: number[] }): number[] {
  const rows: number[] = [0];
  let stride = 1;
  for (let d = 1; d < axes.length; d++) {
    const next: number[] = [];
    for (let k = 0; k < g.size[d]; k++) for (const r of rows) next.push(r + (g.origin[d] + k) * stride);
    rows.splice(0, rows.length, ...next);
    stride *= axes[d];
  }
  return rows;
}

/** Raw per-tile values before quantisation is undone: integers, or floats for lossless tiles. */
type TileValues = { values: FitsImageData; lossless: boolean };

function decodeTile(
  info: CompressionInfo,
  t: TableAccess,
  tile: Tile,
  wasmOut: Map<number, FitsImageData>,
  quantised: boolean,
): TileValues {
  const float = info.zbitpix < 0;
  const comp = columnByName(t, 'COMPRESSED_DATA');
  const d = comp ? descriptor(t, comp, tile.index) : { count: 0, offset: 0 };
  if (d.count > 0) {
    const decoded = wasmOut.get(tile.index);
    if (decoded) return { values: decoded, lossless: false };
    const bytes = heapSlice(t, d.offset, d.count, tile.index);
    const lossless = float && !quantised;
    switch (info.cmptype) {
      case 'GZIP_1':
        return { values: bigEndianValues(gunzip(bytes, t, tile), tile.npix, lossless, t.loc, tile.index), lossless };
      case 'GZIP_2': {
        const raw = gunzip(bytes, t, tile);
        return {
          values: bigEndianValues(unshuffle(raw, raw.length / tile.npix), tile.npix, lossless, t.loc, tile.index),
          lossless,
        };
      }
      case 'NOCOMPRESS':
        return { values: bigEndianValues(bytes, tile.npix, lossless, t.loc, tile.index), lossless };
      default:
        return fitsError(
          'E_FITS_UNSUPPORTED',
          `ZCMPTYPE = ${info.cmptype} is not supported (RICE_1, GZIP_1, GZIP_2, HCOMPRESS_1, PLIO_1, NOCOMPRESS are)`,
          t.loc,
        );
    }
  }
  // Tiles that could not be quantised are stored losslessly (cfitsio 3.28+: GZIP_COMPRESSED_DATA).
  const gz = columnByName(t, 'GZIP_COMPRESSED_DATA');
  const g = gz ? descriptor(t, gz, tile.index) : { count: 0, offset: 0 };
  if (g.count > 0)
    return {
      values: bigEndianValues(
        gunzip(heapSlice(t, g.offset, g.count, tile.index), t, tile),
        tile.npix,
        float,
        t.loc,
        tile.index,
      ),
      lossless: true,
    };
  const un = columnByName(t, 'UNCOMPRESSED_DATA');
  const u = un ? descriptor(t, un, tile.index) : { count: 0, offset: 0 };
  if (u.count > 0 && un) {
    const size = ({ B: 1, I: 2, J: 4, K: 8, E: 4, D: 8 } as Record<string, number>)[un.format.vla?.code ?? 'B'];
    return {
      values: bigEndianValues(heapSlice(t, u.offset, u.count * size, tile.index), tile.npix, float, t.loc, tile.index),
      lossless: true,
    };
  }
  return fitsError('E_FITS_FORMAT', `tile ${tile.index + 1} has no data`, t.loc);
}

function gunzip(bytes: Buffer, t: TableAccess, tile: Tile): Buffer {
  try {
    const raw = gunzipSync(bytes);
    const out = Buffer.from(new ArrayBuffer(raw.length));
    raw.copy(out);
    return out;
  } catch (cause) {
    return fitsError(
      'E_FITS_FORMAT',
      `tile ${tile.index + 1}: gzip data is corrupt (${(cause as Error).message})`,
      t.loc,
      cause,
    );
  }
}

/** Decodes every RICE_1 tile in one pass through wasm-core. */
function riceTiles(info: CompressionInfo, t: TableAccess, tiles: Tile[]): Map<number, FitsImageData> {
  const out = new Map<number, FitsImageData>();
  const comp = columnByName(t, 'COMPRESSED_DATA');
  if (!comp || (info.cmptype !== 'RICE_1' && info.cmptype !== 'RICE_ONE')) return out;
  const jobs: RiceTile[] = [];
  for (const tile of tiles) {
    const d = descriptor(t, comp, tile.index);
    if (d.count > 0) jobs.push({ offset: d.offset, length: d.count, npix: tile.npix, index: tile.index });
  }
  const bp = info.bytepix;
  const bytes = riceDecodeTiles(t.heap, jobs, info.blocksize, bp, t.loc);
  let at = 0;
  for (const j of jobs) {
    const off = bytes.byteOffset + at * bp;
    out.set(
      j.index,
      bp === 4
        ? new Int32Array(bytes.buffer, off, j.npix)
        : bp === 2
          ? new Int16Array(bytes.buffer, off, j.npix)
          : new Uint8Array(bytes.buffer, off, j.npix),
    );
    at += j.npix;
  }
  return out;
}

/** Decodes every HCOMPRESS_1 or PLIO_1 tile in one pass through wasm-core. */
function codedTiles(info: CompressionInfo, t: TableAccess, tiles: Tile[]): Map<number, FitsImageData> {
  const comp = columnByName(t, 'COMPRESSED_DATA');
  if (!comp || (info.cmptype !== 'HCOMPRESS_1' && info.cmptype !== 'PLIO_1')) return new Map();
  // Descriptors count elements of the column's type (bytes for 1PB, 16-bit words for PLIO's 1PI).
  const elem = ELEMENT_BYTES[comp.format.vla?.code ?? 'B'];
  const jobs: CodedTile[] = [];
  for (const tile of tiles) {
    const d = descriptor(t, comp, tile.index);
    const height = tile.size.slice(1).reduce((a, b) => a * b, 1);
    if (d.count > 0)
      jobs.push({ index: tile.index, offset: d.offset, length: d.count * elem, width: tile.size[0], height });
  }
  return info.cmptype === 'PLIO_1'
    ? plioDecodeTiles(t.heap, jobs, t.loc)
    : hcompressDecodeTiles(t.heap, jobs, info.smooth, t.loc);
}

/**
 * Decodes rows [start, start + count) (lines along the first axis, all higher axes flattened) of a
 * compressed image. Returns stored values (integer ZBITPIX) or physical floats (quantised/lossless).
 */
export function decodeCompressedRows(
  info: CompressionInfo,
  t: TableAccess,
  tableHeader: FitsHeader,
  start: number,
  count: number,
): FitsImageData {
  const width = info.axes[0] ?? 0;
  const tiles = tilesForRows(info, start, count);
  const out = allocate(info.zbitpix, count * width);
  const nrows = tableHeader.getNumber('NAXIS2');
  const zscale = perTile(t, nrows, 'ZSCALE');
  const zzero = perTile(t, nrows, 'ZZERO');
  const zblank = perTile(t, nrows, 'ZBLANK');
  const rice =
    info.cmptype === 'HCOMPRESS_1' || info.cmptype === 'PLIO_1'
      ? codedTiles(info, t, tiles)
      : riceTiles(info, t, tiles);
  const quantised = info.zbitpix < 0 && info.quantize !== 'NONE' && (zscale !== undefined || tableHeader.has('ZSCALE'));
  for (const tile of tiles) {
    const decoded = decodeTile(info, t, tile, rice, quantised);
    const values =
      quantised && !decoded.lossless
        ? unquantize(info, tile, decoded.values, tableHeader, { zscale, zzero, zblank })
        : decoded.values;
    place(out, values, tile, info.axes, start, count);
  }
  return out;
}

function unquantize(
  info: CompressionInfo,
  tile: Tile,
  values: FitsImageData,
  h: FitsHeader,
  cols: {
    zscale?: ArrayLike<number | bigint>;
    zzero?: ArrayLike<number | bigint>;
    zblank?: ArrayLike<number | bigint>;
  },
): FitsImageData {
  const ints = values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
  const out = info.zbitpix === -32 ? new Float32Array(ints.length) : new Float64Array(ints.length);
  const blank = cols.zblank ? Number(cols.zblank[tile.index]) : h.has('ZBLANK') ? h.getNumber('ZBLANK') : undefined;
  unquantizeTile(
    ints,
    {
      method: info.quantize === 'NONE' ? 'NO_DITHER' : info.quantize,
      scale: cols.zscale ? Number(cols.zscale[tile.index]) : h.getNumber('ZSCALE'),
      zero: cols.zzero ? Number(cols.zzero[tile.index]) : h.getNumber('ZZERO', 0),
      blank,
      tile: tile.index,
      ditherSeed: info.ditherSeed,
    },
    out,
    0,
  );
  return out;
}

/** Copies a tile's lines into the row-range output. */
function place(
  out: FitsImageData,
  values: FitsImageData,
  tile: Tile,
  axes: number[],
  start: number,
  count: number,
): void {
  const width = axes[0];
  const line = tile.size[0];
  const rows = lineRows(axes, tile);
  const bigOut = out instanceof BigInt64Array;
  const bigIn = values instanceof BigInt64Array || values instanceof BigUint64Array;
  rows.forEach((r, k) => {
    if (r < start || r >= start + count) return;
    const dst = (r - start) * width + tile.origin[0];
    const src = values.subarray(k * line, (k + 1) * line);
    if (bigOut === bigIn) (out as { set(a: ArrayLike<unknown>, o: number): void }).set(src as ArrayLike<unknown>, dst);
    else if (bigOut) for (let i = 0; i < line; i++) (out as BigInt64Array)[dst + i] = BigInt(src[i] as number);
    else for (let i = 0; i < line; i++) (out as Float64Array)[dst + i] = Number(src[i]);
  });
}
