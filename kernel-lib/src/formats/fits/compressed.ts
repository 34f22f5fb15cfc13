/**
 * Reading tile-compressed images (FITS standard 4.0 section 10; `.fits.fz` from fpack, astropy
 * CompImageHDU, LCO's archive). A BINTABLE with ZIMAGE = T holds one row per tile; the image
 * header is rebuilt from the table header like astropy's CompImageHeader (Z keywords mapped back,
 * table and compression keywords dropped). Supported: RICE_1, HCOMPRESS_1, PLIO_1 (wasm-core), GZIP_1, GZIP_2
 * (byte-shuffled), NOCOMPRESS, lossless GZIP_COMPRESSED_DATA / UNCOMPRESSED_DATA fallback tiles,
 * quantised floats (ZSCALE/ZZERO, NO_DITHER and SUBTRACTIVE_DITHER_1/2 with ZDITHER0).
 */
import { decodeNumeric, readFixedColumn } from './bintable';
import { QuantizeMethod } from './dither';
import { fitsError, FitsLocation } from './errors';
import { FitsHeader } from './header';
import { Bitpix, checkBitpix, FitsImageData } from './image';
import { ColumnInfo, TformCode } from './table-format';

const DROPPED = new Set([
  'TFIELDS',
  'THEAP',
  'ZIMAGE',
  'ZCMPTYPE',
  'ZBITPIX',
  'ZNAXIS',
  'ZMASKCMP',
  'ZSIMPLE',
  'ZTENSION',
  'ZEXTEND',
  'ZBLOCKED',
  'ZPCOUNT',
  'ZGCOUNT',
  'ZHECKSUM',
  'ZDATASUM',
  'ZQUANTIZ',
  'XTENSION',
  'SIMPLE',
  'BITPIX',
  'NAXIS',
  'PCOUNT',
  'GCOUNT',
  'EXTEND',
]);
const DROPPED_INDEXED = /^(TTYPE|TFORM|TUNIT|TNULL|TSCAL|TZERO|TDISP|TBCOL|TDIM|ZNAXIS|ZTILE|ZNAME|ZVAL|NAXIS)\d+$/;

/** The image header described by a compressed-image table header (astropy CompImageHeader). */
export function compressedImageHeader(table: FitsHeader): FitsHeader {
  const out = new FitsHeader();
  const primary = table.has('ZSIMPLE');
  if (primary) out.set('SIMPLE', table.get('ZSIMPLE') ?? true, table.getCard('ZSIMPLE')?.comment);
  else out.set('XTENSION', 'IMAGE', table.getCard('ZTENSION')?.comment ?? 'Image extension');
  out.set('BITPIX', table.getNumber('ZBITPIX'), table.getCard('ZBITPIX')?.comment);
  const naxis = table.getNumber('ZNAXIS');
  out.set('NAXIS', naxis, table.getCard('ZNAXIS')?.comment);
  for (let i = 1; i <= naxis; i++)
    out.set(`NAXIS${i}`, table.getNumber(`ZNAXIS${i}`), table.getCard(`ZNAXIS${i}`)?.comment);
  if (!primary) {
    out.set('PCOUNT', table.getNumber('ZPCOUNT', 0), table.getCard('ZPCOUNT')?.comment);
    out.set('GCOUNT', table.getNumber('ZGCOUNT', 1), table.getCard('ZGCOUNT')?.comment);
  }
  for (const card of table.cards) {
    if (card.kind !== 'commentary' && (DROPPED.has(card.key) || DROPPED_INDEXED.test(card.key))) continue;
    if (card.key === 'EXTNAME' && card.value === 'COMPRESSED_IMAGE') continue;
    // Whole card, so the original kind (a float 1.0 stays a float) and image are kept.
    out.appendCard(card);
  }
  // astropy's order: EXTEND is set like any new keyword (Header.append(bottom=False)), i.e. after the
  // last non-commentary card, before trailing HISTORY/COMMENT; ZDITHER0 stays (its reserved-name
  // pattern does not match a trailing 0).
  if (table.has('ZEXTEND'))
    out.insertBeforeTrailingCommentary('EXTEND', table.get('ZEXTEND') ?? true, table.getCard('ZEXTEND')?.comment);
  // Like astropy: the table's own CHECKSUM/DATASUM cards stay in place and take the Z values.
  if (table.has('ZHECKSUM')) out.set('CHECKSUM', table.get('ZHECKSUM') ?? '', table.getCard('ZHECKSUM')?.comment);
  if (table.has('ZDATASUM')) out.set('DATASUM', table.get('ZDATASUM') ?? '', table.getCard('ZDATASUM')?.comment);
  return out;
}

export interface CompressionInfo {
  zbitpix: Bitpix;
  /** ZNAXISn in FITS order (fastest axis first). */
  axes: number[];
  tile: number[];
  cmptype: string;
  blocksize: number;
  bytepix: number;
  quantize: QuantizeMethod | 'NONE';
  ditherSeed: number;
  /** HCOMPRESS_1 SMOOTH parameter (0: no smoothing, cfitsio's default). */
  smooth: number;
}

function zparam(h: FitsHeader, name: string): number | undefined {
  for (let i = 1; h.has(`ZNAME${i}`); i++) {
    if (String(h.get(`ZNAME${i}`)).toUpperCase() === name) return h.getNumber(`ZVAL${i}`);
  }
  return undefined;
}

export function compressionInfo(h: FitsHeader, loc: FitsLocation): CompressionInfo {
  const zbitpix = checkBitpix(h.get('ZBITPIX'), loc, 'ZBITPIX');
  const naxis = h.getNumber('ZNAXIS');
  const axes: number[] = [];
  const tile: number[] = [];
  for (let i = 1; i <= naxis; i++) {
    axes.push(h.getNumber(`ZNAXIS${i}`));
    tile.push(h.getNumber(`ZTILE${i}`, i === 1 ? axes[0] : 1));
  }
  const cmptype = h.getString('ZCMPTYPE').trim().toUpperCase();
  const q = h.getString('ZQUANTIZ', 'NO_DITHER').toUpperCase();
  const quantize = (q === 'NONE' ? 'NONE' : q) as CompressionInfo['quantize'];
  if (!['NONE', 'NO_DITHER', 'SUBTRACTIVE_DITHER_1', 'SUBTRACTIVE_DITHER_2'].includes(quantize)) {
    fitsError('E_FITS_UNSUPPORTED', `ZQUANTIZ = ${q} is not supported`, loc);
  }
  const defaultBytepix = zbitpix > 0 ? zbitpix / 8 : 4;
  return {
    zbitpix,
    axes,
    tile,
    cmptype,
    blocksize: zparam(h, 'BLOCKSIZE') ?? 32,
    bytepix: zparam(h, 'BYTEPIX') ?? Math.min(defaultBytepix, 4),
    quantize,
    ditherSeed: h.getNumber('ZDITHER0', 1),
    smooth: zparam(h, 'SMOOTH') ?? 0,
  };
}

/** Origin and size of every tile, in table-row order (first axis varies fastest). */
export function tileGrid(axes: number[], tile: number[]): { origin: number[]; size: number[] }[] {
  const counts = axes.map((n, i) => Math.ceil(n / tile[i]));
  const total = counts.reduce((a, b) => a * b, 1);
  const out: { origin: number[]; size: number[] }[] = [];
  for (let t = 0; t < total; t++) {
    let rest = t;
    const origin: number[] = [];
    const size: number[] = [];
    for (let d = 0; d < axes.length; d++) {
      const k = rest % counts[d];
      rest = Math.floor(rest / counts[d]);
      origin.push(k * tile[d]);
      size.push(Math.min(tile[d], axes[d] - k * tile[d]));
    }
    out.push({ origin, size });
  }
  return out;
}

export interface TableAccess {
  columns: ColumnInfo[];
  rows: Buffer;
  rowBytes: number;
  heap: Buffer;
  loc: FitsLocation;
}

function columnByName(t: TableAccess, name: string): ColumnInfo | undefined {
  return t.columns.find((c) => c.name.toUpperCase() === name);
}

/** Per-tile numeric values of an optional scalar column (ZSCALE, ZZERO, ZBLANK). */
function perTile(t: TableAccess, nrows: number, name: string): ArrayLike<number | bigint> | undefined {
  const col = columnByName(t, name);
  if (!col) return undefined;
  return readFixedColumn(col, t.rows, nrows, t.rowBytes).data as ArrayLike<number | bigint>;
}

function descriptor(t: TableAccess, col: ColumnInfo, row: number): { count: number; offset: number } {
  const p = row * t.rowBytes + col.offset;
  if (col.format.code === 'Q')
    return { count: Number(t.rows.readBigInt64BE(p)), offset: Number(t.rows.readBigInt64BE(p + 8)) };
  return { count: t.rows.readInt32BE(p), offset: t.rows.readInt32BE(p + 4) };
}

function heapSlice(t: TableAccess, offset: number, length: number, tileIndex: number): Buffer {
  if (offset + length > t.heap.length)
    fitsError('E_FITS_TRUNCATED', `tile ${tileIndex + 1} lies outside the heap`, t.loc);
  const out = Buffer.from(new ArrayBuffer(length));
  t.heap.copy(out, 0, offset, offset + length);
  return out;
}

/** Reorders GZIP_2 byte-shuffled data (all most-significant bytes first) back to whole elements. */
function unshuffle(bytes: Buffer, size: number): Buffer {
  const n = bytes.length / size;
  const out = Buffer.from(new ArrayBuffer(bytes.length));
  for (let j = 0; j < size; j++) for (let i = 0; i < n; i++) out[i * size + j] = bytes[j * n + i];
  return out;
}

/** Typed values of one tile stored as big-endian bytes whose element size is inferred from the length. */
function bigEndianValues(
  bytes: Buffer,
  npix: number,
  float: boolean,
  loc: FitsLocation,
  tileIndex: number,
): FitsImageData {
  const size = npix > 0 ? bytes.length / npix : 0;
  const code: Record<number, TformCode> = float ? { 4: 'E', 8: 'D' } : { 1: 'B', 2: 'I', 4: 'J', 8: 'K' };
  if (!Number.isInteger(size) || !code[size]) {
    return fitsError('E_FITS_FORMAT', `tile ${tileIndex + 1} holds ${bytes.length} bytes for ${npix} pixels`, loc);
  }
  return decodeNumeric(bytes, code[size], npix);
}

export { heapSlice, descriptor, columnByName, unshuffle, bigEndianValues, perTile };
