/**
 * One FITS header card: parsing an 80-character image and formatting a new one.
 * Follows FITS standard 4.0 section 4 (fixed-format values in columns 11-30, strings in quotes with
 * '' escapes, trailing blanks insignificant) and astropy.io.fits.Card for the conventions it
 * supports: HIERARCH keywords (ESO convention) and CONTINUE long strings (OGIP 1.0 '&').
 */
import { invalidArgument } from '../../errors/stagebook-error';
import { fitsError, FitsLocation } from './errors';

/** A complex header value `(re, im)`. */
export interface FitsComplex {
  re: number;
  im: number;
}

/** A header value: string, integer (number, or bigint beyond 2^53), float, boolean, complex, or null (undefined value). */
export type FitsValue = string | number | bigint | boolean | FitsComplex | null;

/** The FITS type of a value; kept so a float 1.0 is written back as `1.0`, not `1`. */
export type FitsValueKind = 'string' | 'int' | 'float' | 'bool' | 'complex' | 'undefined' | 'commentary';

export interface FitsCard {
  /** Keyword (upper case; HIERARCH keywords as written, without the `HIERARCH ` prefix); '' for blank cards. */
  key: string;
  /** The value; for commentary cards (COMMENT, HISTORY, blank, keywords without `= `) the text. */
  value: FitsValue;
  kind: FitsValueKind;
  comment?: string;
  /** True for an ESO HIERARCH card. */
  hierarch?: boolean;
  /** The original card image(s), kept while the card is unmodified so rewriting is byte-identical. */
  image?: string;
}

export const CARD_LENGTH = 80;
const COMMENTARY = new Set(['COMMENT', 'HISTORY', '']);

/** True for keywords that never carry a value (COMMENT, HISTORY, blank). */
export function isCommentaryKey(key: string): boolean {
  return COMMENTARY.has(key);
}

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/;

/** Parses a non-string value token (the text between `= ` and `/`). */
function parseToken(token: string, loc: FitsLocation): { value: FitsValue; kind: FitsValueKind } {
  const t = token.trim();
  if (t === '') return { value: null, kind: 'undefined' };
  if (t === 'T' || t === 'F') return { value: t === 'T', kind: 'bool' };
  if (INT_RE.test(t)) {
    const big = BigInt(t);
    const safe = big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER);
    return { value: safe ? Number(big) : big, kind: 'int' };
  }
  if (FLOAT_RE.test(t)) return { value: Number(t.replace(/[Dd]/, 'E')), kind: 'float' };
  const complex = /^\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)$/.exec(t);
  if (complex && FLOAT_RE.test(complex[1]) && FLOAT_RE.test(complex[2])) {
    return {
      value: { re: Number(complex[1].replace(/[Dd]/, 'E')), im: Number(complex[2].replace(/[Dd]/, 'E')) },
      kind: 'complex',
    };
  }
  return fitsError('E_FITS_CARD', `cannot parse the value ${JSON.stringify(t)}`, loc);
}

/** Parses a quoted string starting at `text[0] === "'"`; returns the value and the rest after the closing quote. */
export function parseQuoted(text: string, loc: FitsLocation): { value: string; rest: string } {
  let out = '';
  let i = 1;
  for (;;) {
    const q = text.indexOf("'", i);
    if (q < 0) return fitsError('E_FITS_CARD', 'string value has no closing quote', loc);
    out += text.slice(i, q);
    if (text[q + 1] === "'") {
      out += "'";
      i = q + 2;
    } else {
      return { value: out, rest: text.slice(q + 1) };
    }
  }
}

function parseComment(rest: string, loc: FitsLocation): string | undefined {
  const r = rest.trim();
  if (r === '') return undefined;
  if (r[0] !== '/') return fitsError('E_FITS_CARD', `unexpected text after the value: ${JSON.stringify(r)}`, loc);
  const c = r.slice(1).trim();
  return c === '' ? undefined : c;
}

/** Parses the value field (after `= `) into value, kind and comment. */
export function parseValueField(
  field: string,
  loc: FitsLocation,
): { value: FitsValue; kind: FitsValueKind; comment?: string } {
  const s = field.trimStart();
  if (s.startsWith("'")) {
    const { value, rest } = parseQuoted(s, loc);
    // Trailing blanks in a string value are not significant (standard 4.2.1.1); leading ones are.
    return { value: value.replace(/ +$/, ''), kind: 'string', comment: parseComment(rest, loc) };
  }
  const slash = s.indexOf('/');
  const token = slash < 0 ? s : s.slice(0, slash);
  const parsed = parseToken(token, loc);
  return { ...parsed, comment: slash < 0 ? undefined : parseComment(s.slice(slash), loc) };
}

/** Rejects characters outside printable ASCII (standard 4.1.1: 0x20-0x7E only). */
function checkAscii(image: string, loc: FitsLocation): void {
  for (let i = 0; i < image.length; i++) {
    const c = image.charCodeAt(i);
    if (c < 0x20 || c > 0x7e)
      fitsError('E_FITS_CARD', `illegal character 0x${c.toString(16).padStart(2, '0')} at column ${i + 1}`, loc);
  }
}

/** Parses one 80-character card image (CONTINUE cards are merged by the header parser). */
export function parseCard(image: string, loc: FitsLocation): FitsCard {
  checkAscii(image, loc);
  const key = image.slice(0, 8).trimEnd().toUpperCase();
  if (key === 'HIERARCH') {
    const eq = image.indexOf('=', 8);
    if (eq < 0) return { key, value: image.slice(8).trimEnd(), kind: 'commentary', image };
    // astropy keeps a HIERARCH keyword's case (Card._parse_keyword); lookups are case-insensitive.
    const hkey = image.slice(9, eq).trim().replace(/\s+/g, ' ');
    return { key: hkey, hierarch: true, ...parseValueField(image.slice(eq + 1), loc), image };
  }
  if (!/^[A-Z0-9_-]*$/.test(key)) fitsError('E_FITS_CARD', `illegal keyword ${JSON.stringify(key)}`, loc);
  if (isCommentaryKey(key) || image.slice(8, 10) !== '= ') {
    return { key, value: image.slice(8).trimEnd(), kind: 'commentary', image };
  }
  return { key, ...parseValueField(image.slice(10), loc), image };
}

/** Shortest decimal that reads back as the same double, with a '.' or exponent so it stays a float. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v) || !Number.isFinite(v)) {
    return invalidArgument('FitsHeader.set', 'value', `header floats must be finite, got ${v}`);
  }
  const s = String(v).toUpperCase();
  if (!s.includes('.') && !s.includes('E')) return `${s}.0`;
  // Upper-case E (standard 4.2.4) and a two-digit exponent, as astropy's _format_float writes it.
  return s.replace(/E([+-])(\d)$/, 'E$10$2');
}

/** The FITS text of a (non-string) value. */
export function formatValue(value: FitsValue, kind: FitsValueKind): string {
  switch (kind) {
    case 'bool':
      return value ? 'T' : 'F';
    // BigInt prints every digit (String(1e21) would give an exponent, which is not a FITS integer).
    case 'int':
      return BigInt(typeof value === 'bigint' ? value : Math.trunc(value as number)).toString();
    case 'float':
      return formatFloat(value as number);
    case 'complex': {
      const c = value as FitsComplex;
      return `(${formatFloat(c.re)}, ${formatFloat(c.im)})`;
    }
    case 'undefined':
      return '';
    default:
      return String(value);
  }
}

/** Escapes a string value: single quotes doubled. */
export function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Infers the kind of a JS value given to `FitsHeader.set`. */
export function inferKind(value: FitsValue): FitsValueKind {
  if (value === null) return 'undefined';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'int';
  // A whole-number double is an integer only while it fits a 64-bit integer (what cfitsio's integer
  // readers accept); beyond, e.g. 6.02214076e23, it is a float (FITS 4.2.4, written with an E).
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 2 ** 63 ? 'int' : 'float';
  return 'complex';
}
