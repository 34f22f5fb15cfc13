/**
 * BINTABLE reading. Values follow astropy.io.fits.FITS_rec (_convert_other, _convert_x, _convert_p):
 * L -> booleans ('T' is true), X -> booleans (most significant bit first), A -> strings (NUL ends
 * the string, trailing blanks dropped), numeric codes -> typed arrays (C/M complex as interleaved
 * re, im). TSCAL/TZERO: the unsigned convention (I/J/K with TZERO 2^15/2^31/2^63) gives
 * Uint16/Uint32/BigUint64 arrays; any other scaling (TZERO -128 on B included: astropy 5.2 has no
 * int8 case for tables) gives Float64Array (stored * TSCAL + TZERO in double, as astropy). TNULL is reported, not applied
 * (astropy leaves integer nulls in place too).
 */
import { fitsError, FitsLocation } from './errors';
import { FitsImageData } from './image';
import { ColumnInfo, TformCode } from './table-format';

/** One row of a variable-length array column. */
export type FitsVlaValue = FitsImageData | string | boolean[];
export type FitsColumnValues = FitsImageData | string[] | boolean[] | FitsVlaValue[];

export interface FitsColumn {
  name: string;
  /** The TFORM as written in the header. */
  tform: string;
  unit?: string;
  nullValue?: number | bigint | string;
  /** [nrows] for scalars, [nrows, ...TDIM reversed or repeat]; complex columns end in 2 (re, im). */
  shape: number[];
  data: FitsColumnValues;
}

export interface FitsTable {
  nrows: number;
  /** Index of the first row read (for partial reads). */
  firstRow: number;
  columns: FitsColumn[];
  /** Columns by name (upper-cased names too). */
  byName: Record<string, FitsColumn>;
}

/** Copies the bytes of one column out of row-major table rows into an aligned buffer. */
function gather(rows: Buffer, nrows: number, rowBytes: number, offset: number, width: number): Buffer {
  const out = Buffer.from(new ArrayBuffer(nrows * width));
  if (width <= 16) {
    for (let r = 0, o = 0; r < nrows; r++) {
      const s = r * rowBytes + offset;
      for (let k = 0; k < width; k++) out[o++] = rows[s + k];
    }
  } else {
    for (let r = 0; r < nrows; r++) rows.copy(out, r * width, r * rowBytes + offset, r * rowBytes + offset + width);
  }
  return out;
}

/** Decodes `count` big-endian elements of `code` held in `bytes` (owned, aligned: swapped in place). */
export function decodeNumeric(bytes: Buffer, code: TformCode, count: number): FitsImageData {
  const { buffer: ab, byteOffset: off } = bytes;
  switch (code) {
    case 'B':
      return new Uint8Array(ab, off, count);
    case 'I':
      bytes.swap16();
      return new Int16Array(ab, off, count);
    case 'J':
      bytes.swap32();
      return new Int32Array(ab, off, count);
    case 'K':
      bytes.swap64();
      return new BigInt64Array(ab, off, count);
    case 'E':
      bytes.swap32();
      return new Float32Array(ab, off, count);
    case 'C':
      bytes.swap32();
      return new Float32Array(ab, off, count * 2);
    case 'D':
      bytes.swap64();
      return new Float64Array(ab, off, count);
    case 'M':
      bytes.swap64();
      return new Float64Array(ab, off, count * 2);
    default:
      throw new RangeError(`not a numeric TFORM code: ${code}`);
  }
}

function decodeLogical(bytes: Uint8Array): boolean[] {
  const out = new Array<boolean>(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] === 0x54; // 'T'
  return out;
}

function decodeBits(bytes: Uint8Array, nrows: number, width: number, repeat: number): boolean[] {
  const out = new Array<boolean>(nrows * repeat);
  for (let r = 0; r < nrows; r++) {
    for (let k = 0; k < repeat; k++) out[r * repeat + k] = ((bytes[r * width + (k >> 3)] >> (7 - (k & 7))) & 1) === 1;
  }
  return out;
}

/** A FITS character field: NUL ends it, trailing blanks are not significant. */
export function decodeString(bytes: Uint8Array, start: number, end: number): string {
  let stop = start;
  while (stop < end && bytes[stop] !== 0) stop++;
  while (stop > start && bytes[stop - 1] === 0x20) stop--;
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, stop - start).toString('latin1');
}

function decodeStrings(bytes: Uint8Array, count: number, width: number): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = decodeString(bytes, i * width, (i + 1) * width);
  return out;
}

/** Applies TSCAL/TZERO like astropy (see the file comment). */
export function scaleColumn(raw: FitsImageData, code: TformCode, scale: number, zero: number | bigint): FitsImageData {
  const z = typeof zero === 'bigint' ? zero : Number.isInteger(zero) ? BigInt(zero) : null;
  if (scale === 1 && z === 0n) return raw;
  if (scale === 1 && z !== null) {
    const pseudo = unsignedView(raw, code, z);
    if (pseudo) return pseudo;
  }
  const out = new Float64Array(raw.length);
  const zn = Number(zero);
  for (let i = 0; i < raw.length; i++) out[i] = Number(raw[i]) * scale + zn;
  return out;
}

function unsignedView(raw: FitsImageData, code: TformCode, zero: bigint): FitsImageData | null {
  const { buffer, byteOffset, length } = raw;
  if (code === 'I' && zero === 32768n) {
    const u = new Uint16Array(buffer, byteOffset, length);
    for (let i = 0; i < u.length; i++) u[i] ^= 0x8000;
    return u;
  }
  if (code === 'J' && zero === 2147483648n) {
    const u = new Uint32Array(buffer, byteOffset, length);
    for (let i = 0; i < u.length; i++) u[i] ^= 0x80000000;
    return u;
  }
  if (code === 'K' && zero === 9223372036854775808n) {
    const u = new Uint32Array(buffer, byteOffset, length * 2);
    for (let i = 1; i < u.length; i += 2) u[i] ^= 0x80000000;
    return new BigUint64Array(buffer, byteOffset, length);
  }
  return null;
}

function shapeOf(col: ColumnInfo, nrows: number): number[] {
  const { code, repeat } = col.format;
  const tail = code === 'C' || code === 'M' ? [2] : [];
  if (code === 'A') {
    const w = col.dim && col.dim.length > 1 ? col.dim[0] : repeat;
    const n = Math.max(1, Math.floor(repeat / w));
    return n > 1 ? [nrows, ...(col.dim ?? []).slice(1).reverse(), ...tail] : [nrows];
  }
  if (col.dim && col.dim.reduce((a, b) => a * b, 1) === repeat && col.dim.length > 1)
    return [nrows, ...[...col.dim].reverse(), ...tail];
  return repeat === 1 ? [nrows, ...tail] : [nrows, repeat, ...tail];
}

/** Decodes a fixed-width column from `nrows` rows. */
export function readFixedColumn(col: ColumnInfo, rows: Buffer, nrows: number, rowBytes: number): FitsColumn {
  const { code, repeat, width } = col.format;
  const bytes = gather(rows, nrows, rowBytes, col.offset, width);
  const base = {
    name: col.name,
    tform: col.tform,
    unit: col.unit,
    nullValue: col.nullValue,
    shape: shapeOf(col, nrows),
  };
  if (code === 'L') return { ...base, data: decodeLogical(bytes) };
  if (code === 'X') return { ...base, data: decodeBits(bytes, nrows, width, repeat) };
  if (code === 'A') {
    const w = col.dim && col.dim.length > 1 ? col.dim[0] : repeat;
    const per = Math.max(1, Math.floor(repeat / Math.max(1, w)));
    return { ...base, data: per > 1 ? decodeStrings(bytes, nrows * per, w) : decodeStrings(bytes, nrows, repeat) };
  }
  const raw = decodeNumeric(bytes, code, nrows * repeat);
  return { ...base, data: code === 'C' || code === 'M' ? raw : scaleColumn(raw, code, col.scale, col.zero) };
}

/** Reads heap bytes [offset, offset + length) (heap-relative). */
export type HeapReader = (offset: number, length: number) => Buffer;

/** Decodes a P/Q (variable-length array) column: one value per row from the heap. */
export function readVlaColumn(
  col: ColumnInfo,
  rows: Buffer,
  nrows: number,
  rowBytes: number,
  heap: HeapReader,
  loc: FitsLocation,
): FitsColumn {
  const vla = col.format.vla as { code: TformCode };
  const wide = col.format.code === 'Q';
  const out: FitsVlaValue[] = new Array(nrows);
  for (let r = 0; r < nrows; r++) {
    const p = r * rowBytes + col.offset;
    const count = wide ? Number(rows.readBigInt64BE(p)) : rows.readInt32BE(p);
    const offset = wide ? Number(rows.readBigInt64BE(p + 8)) : rows.readInt32BE(p + 4);
    if (count < 0 || offset < 0)
      fitsError('E_FITS_FORMAT', `column ${col.name}: negative array descriptor in row ${r}`, loc);
    out[r] = decodeVlaElement(col, vla.code, count, offset, heap);
  }
  return { name: col.name, tform: col.tform, unit: col.unit, nullValue: col.nullValue, shape: [nrows], data: out };
}

function decodeVlaElement(
  col: ColumnInfo,
  code: TformCode,
  count: number,
  offset: number,
  heap: HeapReader,
): FitsVlaValue {
  if (code === 'X') {
    const bytes = heap(offset, Math.ceil(count / 8));
    return decodeBits(bytes, 1, bytes.length, count);
  }
  const size =
    code === 'C'
      ? 8
      : code === 'M'
        ? 16
        : ({ L: 1, B: 1, A: 1, I: 2, J: 4, K: 8, E: 4, D: 8 } as Record<string, number>)[code];
  const bytes = heap(offset, count * size);
  if (code === 'L') return decodeLogical(bytes);
  if (code === 'A') return decodeString(bytes, 0, bytes.length);
  const raw = decodeNumeric(bytes, code, count);
  return code === 'C' || code === 'M' ? raw : scaleColumn(raw, code, col.scale, col.zero);
}
