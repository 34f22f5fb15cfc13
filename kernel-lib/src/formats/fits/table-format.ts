/**
 * BINTABLE column descriptions: TFORMn parsing (FITS standard 4.0 table 18) and the per-column
 * keywords TTYPE, TUNIT, TSCAL, TZERO, TNULL, TDIM.
 */
import { fitsError, FitsLocation } from './errors';
import { FitsHeader } from './header';

export type TformCode = 'L' | 'X' | 'B' | 'I' | 'J' | 'K' | 'A' | 'E' | 'D' | 'C' | 'M' | 'P' | 'Q';

/** Bytes per element of each code (X is in bits: handled separately). */
export const ELEMENT_BYTES: Record<TformCode, number> = {
  L: 1,
  X: 1,
  B: 1,
  I: 2,
  J: 4,
  K: 8,
  A: 1,
  E: 4,
  D: 8,
  C: 8,
  M: 16,
  P: 8,
  Q: 16,
};

export interface ColumnFormat {
  repeat: number;
  code: TformCode;
  /** For P/Q (variable-length arrays): the element code and the optional maximum length. */
  vla?: { code: TformCode; max?: number };
  /** Bytes the column occupies in a row. */
  width: number;
}

/** Parses a TFORM value such as `1J`, `20A`, `3X`, `1PE(100)`, `QD`. */
export function parseTform(tform: string, loc: FitsLocation): ColumnFormat {
  const m = /^\s*(\d*)([LXBIJKAEDCMPQ])(.*)$/.exec(tform.toUpperCase());
  if (!m) return fitsError('E_FITS_FORMAT', `unknown TFORM ${JSON.stringify(tform)}`, loc);
  const repeat = m[1] === '' ? 1 : Number(m[1]);
  const code = m[2] as TformCode;
  if (code === 'P' || code === 'Q') {
    const v = /^([LXBIJKAEDCM])(?:\((\d+)\))?\s*$/.exec(m[3]);
    if (!v) return fitsError('E_FITS_FORMAT', `bad variable-length TFORM ${JSON.stringify(tform)}`, loc);
    if (repeat > 1) return fitsError('E_FITS_FORMAT', `variable-length TFORM repeat must be 0 or 1: ${tform}`, loc);
    return {
      repeat,
      code,
      vla: { code: v[1] as TformCode, max: v[2] === undefined ? undefined : Number(v[2]) },
      width: repeat * ELEMENT_BYTES[code],
    };
  }
  const width = code === 'X' ? Math.ceil(repeat / 8) : repeat * ELEMENT_BYTES[code];
  return { repeat, code, width };
}

export interface ColumnInfo {
  index: number;
  name: string;
  tform: string;
  format: ColumnFormat;
  /** Byte offset of the column inside a row. */
  offset: number;
  unit?: string;
  /** TDIM in FITS order (fastest axis first), when given. */
  dim?: number[];
  scale: number;
  zero: number | bigint;
  nullValue?: number | bigint | string;
}

function numberOrBigint(v: unknown, fallback: number): number | bigint {
  return typeof v === 'number' || typeof v === 'bigint' ? v : fallback;
}

/** Parses `(a,b,c)` TDIM values. */
export function parseTdim(text: string, loc: FitsLocation): number[] {
  const m = /^\s*\(([\d\s,]+)\)\s*$/.exec(text);
  if (!m) return fitsError('E_FITS_FORMAT', `bad TDIM ${JSON.stringify(text)}`, loc);
  return m[1].split(',').map((s) => Number(s.trim()));
}

/** Reads the column descriptions of a BINTABLE header and checks they fill NAXIS1. */
export function binaryColumns(header: FitsHeader, loc: FitsLocation): ColumnInfo[] {
  const n = header.getNumber('TFIELDS', 0);
  const cols: ColumnInfo[] = [];
  let offset = 0;
  for (let i = 1; i <= n; i++) {
    const tform = header.get(`TFORM${i}`);
    if (typeof tform !== 'string') return fitsError('E_FITS_FORMAT', `TFORM${i} is missing`, loc);
    const format = parseTform(tform, { ...loc, where: `TFORM${i}` });
    const tdim = header.get(`TDIM${i}`);
    const tnull = header.get(`TNULL${i}`);
    cols.push({
      index: i,
      name: String(header.get(`TTYPE${i}`) ?? `col${i}`),
      tform,
      format,
      offset,
      unit: typeof header.get(`TUNIT${i}`) === 'string' ? (header.get(`TUNIT${i}`) as string) : undefined,
      dim: typeof tdim === 'string' ? parseTdim(tdim, loc) : undefined,
      scale: header.getNumber(`TSCAL${i}`, 1),
      zero: numberOrBigint(header.get(`TZERO${i}`), 0),
      nullValue:
        typeof tnull === 'number' || typeof tnull === 'bigint' || typeof tnull === 'string' ? tnull : undefined,
    });
    offset += format.width;
  }
  const naxis1 = header.getNumber('NAXIS1', 0);
  if (offset !== naxis1)
    fitsError('E_FITS_FORMAT', `the TFORMs add up to ${offset} bytes per row but NAXIS1 = ${naxis1}`, loc);
  return cols;
}
