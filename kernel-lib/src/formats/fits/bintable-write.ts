/**
 * BINTABLE encoding for writeFits. Column types follow astropy's choices for numpy dtypes:
 * float64 -> D, float32 -> E, int16/32/64 -> I/J/K, uint8 -> B, unsigned 16/32/64 -> I/J/K with
 * TZERO 2^15/2^31/2^63, int8 -> B with TZERO -128, strings -> A(max length), booleans -> L
 * (or X when asked), interleaved complex -> C/M, arrays of arrays -> variable-length P columns.
 */
import { invalidArgument } from '../../errors/stagebook-error';
import { FitsCardInput } from './header';
import { FitsImageData, storageOf, toStoredBytes } from './image';
import { ELEMENT_BYTES, TformCode } from './table-format';

/** One column to write. `data` holds nrows * repeat values (row-major), or one array per row for variable-length columns. */
export interface FitsColumnInput {
  name: string;
  data: FitsImageData | string[] | boolean[] | Array<FitsImageData | string>;
  /** Values per row (default 1; for strings the width comes from the longest string). */
  repeat?: number;
  /** Force a code: 'X' for bit columns (boolean data), 'C'/'M' for complex (interleaved re, im). */
  code?: 'X' | 'C' | 'M' | 'L';
  unit?: string;
  /** TDIM in C order (slowest first), like numpy shapes. */
  dim?: number[];
  /** TNULL for integer columns. */
  nullValue?: number | bigint;
}

interface Encoded {
  tform: string;
  width: number;
  cards: FitsCardInput[];
  /** Writes row r of this column at buffer offset `at`. */
  write(out: Buffer, r: number, at: number): void;
}

const BIG_ZERO: Record<string, bigint> = {
  Int8Array: -128n,
  Uint16Array: 32768n,
  Uint32Array: 2147483648n,
  BigUint64Array: 9223372036854775808n,
};

function codeOfTyped(data: FitsImageData): TformCode {
  const { bitpix } = storageOf(data);
  return ({ 8: 'B', 16: 'I', 32: 'J', 64: 'K', [-32]: 'E', [-64]: 'D' } as Record<number, TformCode>)[bitpix];
}

function fixedNumeric(col: FitsColumnInput, data: FitsImageData, nrows: number): Encoded {
  let code = codeOfTyped(data);
  let per = col.repeat ?? 1;
  if (col.code === 'C' || col.code === 'M') {
    if (!(data instanceof Float32Array || data instanceof Float64Array))
      invalidArgument('writeFits', `column ${col.name}`, 'complex columns need Float32Array or Float64Array data');
    code = data instanceof Float32Array ? 'C' : 'M';
  }
  const elem = ELEMENT_BYTES[code];
  const bytes = toStoredBytes(data);
  const width = per * elem;
  if (bytes.length !== nrows * width)
    invalidArgument(
      'writeFits',
      `column ${col.name}`,
      `has ${data.length} values, expected ${nrows} rows x ${per}${code === 'C' || code === 'M' ? ' x 2' : ''}`,
    );
  const cards: FitsCardInput[] = [];
  const zero = BIG_ZERO[data.constructor.name];
  if (zero !== undefined) cards.push(['TZERO', zero]);
  if (col.nullValue !== undefined) cards.push(['TNULL', col.nullValue]);
  per = Math.max(per, 1);
  return {
    tform: `${per}${code}`,
    width,
    cards,
    write: (out, r, at) => {
      bytes.copy(out, at, r * width, (r + 1) * width);
    },
  };
}

function strings(col: FitsColumnInput, data: string[]): Encoded {
  const width = Math.max(1, col.repeat ?? 0, ...data.map((s) => s.length));
  for (const s of data)
    if (!/^[\x20-\x7e]*$/.test(s))
      invalidArgument('writeFits', `column ${col.name}`, `strings must be printable ASCII: ${JSON.stringify(s)}`);
  return {
    tform: `${width}A`,
    width,
    cards: [],
    write: (out, r, at) => {
      out.write(data[r], at, 'latin1');
    },
  };
}

function logicals(col: FitsColumnInput, data: boolean[], nrows: number): Encoded {
  const per = col.repeat ?? 1;
  if (data.length !== nrows * per)
    invalidArgument('writeFits', `column ${col.name}`, `has ${data.length} values, expected ${nrows * per}`);
  if (col.code === 'X') {
    const width = Math.ceil(per / 8);
    return {
      tform: `${per}X`,
      width,
      cards: [],
      write: (out, r, at) => {
        for (let k = 0; k < per; k++) if (data[r * per + k]) out[at + (k >> 3)] |= 0x80 >> (k & 7);
      },
    };
  }
  return {
    tform: `${per}L`,
    width: per,
    cards: [],
    write: (out, r, at) => {
      for (let k = 0; k < per; k++) out[at + k] = data[r * per + k] ? 0x54 : 0x46;
    },
  };
}

function variableLength(
  col: FitsColumnInput,
  data: Array<FitsImageData | string>,
  heap: { bytes: Buffer[]; size: number },
): Encoded {
  const first = data.find((d) => d.length > 0) ?? data[0];
  const code: TformCode = typeof first === 'string' ? 'A' : codeOfTyped(first as FitsImageData);
  const descriptors: Array<[number, number]> = [];
  let max = 0;
  for (const item of data) {
    const bytes = typeof item === 'string' ? Buffer.from(item, 'latin1') : toStoredBytes(item);
    if ((typeof item === 'string') !== (code === 'A') || (typeof item !== 'string' && codeOfTyped(item) !== code)) {
      invalidArgument('writeFits', `column ${col.name}`, 'variable-length rows must all have the same type');
    }
    descriptors.push([item.length, heap.size]);
    heap.bytes.push(bytes);
    heap.size += bytes.length;
    max = Math.max(max, item.length);
  }
  const sample = typeof first === 'string' ? undefined : first;
  const zero = sample ? BIG_ZERO[sample.constructor.name] : undefined;
  return {
    tform: `1P${code}(${max})`,
    width: 8,
    cards: zero === undefined ? [] : [['TZERO', zero]],
    write: (out, r, at) => {
      out.writeInt32BE(descriptors[r][0], at);
      out.writeInt32BE(descriptors[r][1], at + 4);
    },
  };
}

/** Number of rows implied by a column. */
export function columnRows(col: FitsColumnInput): number {
  const d = col.data;
  if (Array.isArray(d) && (d.length === 0 || typeof d[0] === 'string' || typeof d[0] === 'object')) return d.length;
  const per = (col.repeat ?? 1) * (col.code === 'C' || col.code === 'M' ? 2 : 1);
  return Math.floor(d.length / per);
}

/** Header cards (after the structural ones) and data bytes (rows + heap, unpadded) of a table. */
export function encodeBinaryTable(columns: FitsColumnInput[]): {
  naxis1: number;
  nrows: number;
  pcount: number;
  cards: FitsCardInput[];
  data: Buffer;
} {
  if (columns.length === 0) invalidArgument('writeFits', 'columns', 'a table needs at least one column');
  const nrows = columnRows(columns[0]);
  const heap = { bytes: [] as Buffer[], size: 0 };
  const encoded = columns.map((col) => {
    if (typeof col.name !== 'string' || col.name === '')
      invalidArgument('writeFits', 'columns', 'every column needs a name');
    if (columnRows(col) !== nrows)
      invalidArgument('writeFits', `column ${col.name}`, `has ${columnRows(col)} rows, the first column has ${nrows}`);
    const d = col.data;
    if (!Array.isArray(d)) return fixedNumeric(col, d, nrows);
    if (d.length > 0 && typeof d[0] === 'object') return variableLength(col, d as Array<FitsImageData | string>, heap);
    if (d.length > 0 && typeof d[0] === 'boolean') return logicals(col, d as boolean[], nrows);
    if (col.code === 'L' || col.code === 'X') return logicals(col, d as boolean[], nrows);
    return strings(col, d as string[]);
  });
  const naxis1 = encoded.reduce((s, e) => s + e.width, 0);
  const rows = Buffer.alloc(naxis1 * nrows + heap.size);
  let offset = 0;
  for (const e of encoded) {
    for (let r = 0; r < nrows; r++) e.write(rows, r, r * naxis1 + offset);
    offset += e.width;
  }
  let at = naxis1 * nrows;
  for (const b of heap.bytes) {
    b.copy(rows, at);
    at += b.length;
  }
  const cards: FitsCardInput[] = [];
  encoded.forEach((e, i) => {
    const col = columns[i];
    const n = i + 1;
    cards.push([`TTYPE${n}`, col.name], [`TFORM${n}`, e.tform]);
    if (col.unit) cards.push([`TUNIT${n}`, col.unit]);
    if (col.dim) cards.push([`TDIM${n}`, `(${[...col.dim].reverse().join(',')})`]);
    for (const [k, v] of e.cards as Array<[string, bigint | number]>) cards.push([`${k}${n}`, v]);
  });
  return { naxis1, nrows, pcount: heap.size, cards, data: rows };
}
