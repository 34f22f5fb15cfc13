/**
 * ASCII TABLE reading (FITS standard 4.0 section 7.2): fields at TBCOLn with TFORMn Aw, Iw,
 * Fw.d, Ew.d, Dw.d. Like astropy (_convert_ascii): numbers are parsed from the text (D exponents
 * accepted), a field equal to TNULLn or blank becomes NaN for floating columns (0 for integer
 * columns, where astropy fills with 0 as well), TSCAL/TZERO give float64 values. Unscaled integer
 * columns get astropy's dtypes (column._convert_ascii_format): Iw with w <= 4 int16, w <= 9 int32,
 * wider ones int64 (BigInt64Array, parsed exactly: 9223372036854775807 stays itself).
 */
import { FitsColumn, FitsTable, decodeString } from './bintable';
import { fitsError, FitsLocation } from './errors';
import { FitsHeader } from './header';

interface AsciiColumn {
  name: string;
  tform: string;
  unit?: string;
  start: number;
  width: number;
  type: 'A' | 'I' | 'F';
  nullText?: string;
  scale: number;
  zero: number;
}

function asciiColumns(header: FitsHeader, loc: FitsLocation): AsciiColumn[] {
  const n = header.getNumber('TFIELDS', 0);
  const out: AsciiColumn[] = [];
  for (let i = 1; i <= n; i++) {
    const tform = header.get(`TFORM${i}`);
    const tbcol = header.get(`TBCOL${i}`);
    const m = typeof tform === 'string' ? /^\s*([AIFED])(\d+)(?:\.(\d+))?\s*$/i.exec(tform) : null;
    if (!m || typeof tbcol !== 'number')
      return fitsError('E_FITS_FORMAT', `bad TFORM${i}/TBCOL${i} in ASCII table`, loc);
    const code = m[1].toUpperCase();
    const tnull = header.get(`TNULL${i}`);
    out.push({
      name: String(header.get(`TTYPE${i}`) ?? `col${i}`),
      tform: tform as string,
      unit: typeof header.get(`TUNIT${i}`) === 'string' ? (header.get(`TUNIT${i}`) as string) : undefined,
      start: tbcol - 1,
      width: Number(m[2]),
      type: code === 'A' ? 'A' : code === 'I' ? 'I' : 'F',
      nullText: tnull === undefined || tnull === null ? undefined : String(tnull).trim(),
      scale: header.getNumber(`TSCAL${i}`, 1),
      zero: header.getNumber(`TZERO${i}`, 0),
    });
  }
  return out;
}

function parseNumber(text: string, col: AsciiColumn, row: number, loc: FitsLocation): number {
  const t = text.trim();
  if (t === '' || (col.nullText !== undefined && t === col.nullText))
    return col.type === 'I' && col.scale === 1 && col.zero === 0 ? 0 : NaN;
  const v = Number(t.replace(/[Dd]/, 'E'));
  if (Number.isNaN(v))
    fitsError('E_FITS_FORMAT', `column ${col.name} row ${row + 1}: ${JSON.stringify(t)} is not a number`, loc);
  return v;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An Iw column with w >= 10 as exact 64-bit integers (blank or TNULL fields are 0, as in astropy). */
function int64Column(
  rows: Buffer,
  nrows: number,
  rowBytes: number,
  col: AsciiColumn,
  firstRow: number,
  loc: FitsLocation,
): BigInt64Array {
  const out = new BigInt64Array(nrows);
  for (let r = 0; r < nrows; r++) {
    const s = r * rowBytes + col.start;
    const t = rows.toString('latin1', s, s + col.width).trim();
    if (t === '' || (col.nullText !== undefined && t === col.nullText)) continue;
    if (!/^[+-]?\d+$/.test(t))
      fitsError(
        'E_FITS_FORMAT',
        `column ${col.name} row ${r + firstRow + 1}: ${JSON.stringify(t)} is not an integer`,
        loc,
      );
    const v = BigInt(t);
    if (v < INT64_MIN || v > INT64_MAX)
      fitsError('E_FITS_FORMAT', `column ${col.name} row ${r + firstRow + 1}: ${t} does not fit in 64 bits`, loc);
    out[r] = v;
  }
  return out;
}

/** Decodes ASCII-table rows (`rows` holds `nrows` rows of `rowBytes`). */
export function readAsciiTable(
  header: FitsHeader,
  rows: Buffer,
  nrows: number,
  firstRow: number,
  loc: FitsLocation,
  names?: string[],
): FitsTable {
  const rowBytes = header.getNumber('NAXIS1');
  const cols = asciiColumns(header, loc).filter(
    (c) => !names || names.some((n) => n.toUpperCase() === c.name.toUpperCase()),
  );
  const columns: FitsColumn[] = cols.map((col) => {
    const base = { name: col.name, tform: col.tform, unit: col.unit, nullValue: col.nullText, shape: [nrows] };
    if (col.type === 'A') {
      const data = new Array<string>(nrows);
      for (let r = 0; r < nrows; r++)
        data[r] = decodeString(rows, r * rowBytes + col.start, r * rowBytes + col.start + col.width);
      return { ...base, data };
    }
    const scaled = col.scale !== 1 || col.zero !== 0;
    if (col.type === 'I' && !scaled && col.width >= 10)
      return { ...base, data: int64Column(rows, nrows, rowBytes, col, firstRow, loc) };
    const integer = col.type === 'I' && !scaled;
    const data = !integer ? new Float64Array(nrows) : col.width <= 4 ? new Int16Array(nrows) : new Int32Array(nrows);
    for (let r = 0; r < nrows; r++) {
      const s = r * rowBytes + col.start;
      const v = parseNumber(rows.toString('latin1', s, s + col.width), col, r + firstRow, loc);
      data[r] = scaled ? v * col.scale + col.zero : v;
    }
    return { ...base, data };
  });
  const byName: Record<string, FitsColumn> = {};
  for (const c of columns) {
    byName[c.name] = c;
    byName[c.name.toUpperCase()] ??= c;
  }
  return { nrows, firstRow, columns, byName };
}
