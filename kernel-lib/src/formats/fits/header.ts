/**
 * FitsHeader: an ordered list of cards with typed access, modelled on astropy.io.fits.Header
 * (keyword lookup is case-insensitive, HIERARCH keys are looked up without the prefix, COMMENT /
 * HISTORY / blank cards keep their position, CONTINUE long strings read as one value).
 */
import { invalidArgument } from '../../errors/stagebook-error';
import {
  CARD_LENGTH,
  FitsCard,
  FitsValue,
  FitsValueKind,
  inferKind,
  isCommentaryKey,
  parseCard,
  parseQuoted,
} from './card';
import { formatCard } from './card-format';
import { fitsError, FitsLocation } from './errors';

export const BLOCK = 2880;

/** A card as given to `new FitsHeader([...])`: [key, value, comment?] or a FitsCard. */
export type FitsCardInput = FitsCard | [string, FitsValue, string?];

/**
 * The keyword as stored: standard keywords upper-cased, HIERARCH keywords (prefixed, longer than 8
 * characters or with blanks) as given, like astropy's Card.keyword setter.
 */
function normalizeKey(key: string): string {
  const k = key.trim();
  if (k.toUpperCase().startsWith('HIERARCH ')) return k.slice(9).trim();
  return k.length <= 8 && /^[A-Za-z0-9_-]*$/.test(k) ? k.toUpperCase() : k;
}

/** The case-insensitive form keywords are compared by. */
function lookupKey(key: string): string {
  return normalizeKey(key).toUpperCase();
}

export class FitsHeader {
  private readonly list: FitsCard[] = [];

  constructor(cards: Iterable<FitsCardInput> = []) {
    for (const c of cards) {
      if (Array.isArray(c)) this.append(c[0], c[1], c[2]);
      else this.list.push({ ...c });
    }
  }

  /** The cards in order (copies: edit through set/append/delete). */
  get cards(): FitsCard[] {
    return this.list.map((c) => ({ ...c }));
  }

  get length(): number {
    return this.list.length;
  }

  private indexOf(key: string): number {
    const k = lookupKey(key);
    return this.list.findIndex((c) => c.key.toUpperCase() === k && c.kind !== 'commentary');
  }

  has(key: string): boolean {
    return this.indexOf(key) >= 0;
  }

  /** The value of the first card with `key` (undefined when absent; null for an undefined value). */
  get(key: string): FitsValue | undefined {
    const i = this.indexOf(key);
    return i < 0 ? undefined : this.list[i].value;
  }

  /** The full card of `key` (a copy), with kind and comment. */
  getCard(key: string): FitsCard | undefined {
    const i = this.indexOf(key);
    return i < 0 ? undefined : { ...this.list[i] };
  }

  /** A numeric value (int or float); `fallback` when absent; throws when present but not numeric. */
  getNumber(key: string, fallback?: number): number {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      return invalidArgument('FitsHeader.getNumber', key, 'keyword is missing');
    }
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    return invalidArgument('FitsHeader.getNumber', key, `value ${JSON.stringify(v)} is not a number`);
  }

  /** An integer value as a bigint (exact for 64-bit values such as BZERO = 2^63). */
  getBigInt(key: string, fallback?: bigint): bigint {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      return invalidArgument('FitsHeader.getBigInt', key, 'keyword is missing');
    }
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    return invalidArgument('FitsHeader.getBigInt', key, `value ${JSON.stringify(v)} is not an integer`);
  }

  getString(key: string, fallback?: string): string {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      return invalidArgument('FitsHeader.getString', key, 'keyword is missing');
    }
    if (typeof v !== 'string')
      return invalidArgument('FitsHeader.getString', key, `value ${String(v)} is not a string`);
    return v;
  }

  getBoolean(key: string, fallback?: boolean): boolean {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      return invalidArgument('FitsHeader.getBoolean', key, 'keyword is missing');
    }
    if (typeof v !== 'boolean')
      return invalidArgument('FitsHeader.getBoolean', key, `value ${String(v)} is not a logical`);
    return v;
  }

  /**
   * Sets (replaces in place, or appends) a keyword. `kind` forces the FITS type, e.g. 'float' to
   * write 2 as `2.0`; by default integers are ints and other numbers floats.
   */
  set(key: string, value: FitsValue, comment?: string, kind?: FitsValueKind): this {
    const k = normalizeKey(key);
    if (isCommentaryKey(k)) return this.append(k, value, comment);
    const card: FitsCard = {
      key: k,
      value,
      kind: kind ?? inferKind(value),
      comment,
      hierarch: k.length > 8 || k.includes(' '),
    };
    if (card.kind === 'float' && typeof value !== 'number')
      invalidArgument('FitsHeader.set', key, 'kind float needs a number');
    const i = this.indexOf(k);
    if (i >= 0) {
      if (comment === undefined) card.comment = this.list[i].comment;
      // The existing card's spelling wins (astropy updates the value in place).
      card.key = this.list[i].key;
      this.list[i] = card;
    } else {
      this.list.push(card);
    }
    return this;
  }

  /**
   * Sets `key` like `set`, but a new card goes after the last non-commentary card rather than at
   * the very end (astropy Header.append with bottom=False, what `header[key] = value` does).
   */
  insertBeforeTrailingCommentary(key: string, value: FitsValue, comment?: string): this {
    if (this.has(key)) return this.set(key, value, comment);
    this.set(key, value, comment);
    const card = this.list.pop() as FitsCard;
    let at = this.list.length;
    while (at > 0 && this.list[at - 1].kind === 'commentary') at--;
    this.list.splice(at, 0, card);
    return this;
  }

  /** Appends a card at the end (repeats allowed: COMMENT, HISTORY, blank). */
  append(key: string, value: FitsValue, comment?: string): this {
    const k = normalizeKey(key);
    if (isCommentaryKey(k)) this.list.push({ key: k, value: String(value ?? ''), kind: 'commentary' });
    else this.list.push({ key: k, value, kind: inferKind(value), comment, hierarch: k.length > 8 || k.includes(' ') });
    return this;
  }

  /** Appends a complete card (kind, comment and original image kept). */
  appendCard(card: FitsCard): this {
    this.list.push({ ...card });
    return this;
  }

  addComment(text: string): this {
    return this.append('COMMENT', text);
  }
  addHistory(text: string): this {
    return this.append('HISTORY', text);
  }
  addBlank(text = ''): this {
    return this.append('', text);
  }

  /** Removes every card with `key`; returns how many were removed. */
  delete(key: string): number {
    const k = lookupKey(key);
    const before = this.list.length;
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i].key.toUpperCase() === k) this.list.splice(i, 1);
    return before - this.list.length;
  }

  /** Texts of COMMENT cards, in order. */
  comments(): string[] {
    return this.commentary('COMMENT');
  }
  /** Texts of HISTORY cards, in order. */
  history(): string[] {
    return this.commentary('HISTORY');
  }
  private commentary(key: string): string[] {
    return this.list.filter((c) => c.key === key && c.kind === 'commentary').map((c) => String(c.value));
  }

  /** Keywords in order (commentary keys included, repeated). */
  keys(): string[] {
    return this.list.map((c) => c.key);
  }

  /** Header bytes: cards, END, blank-padded to a multiple of 2880. */
  toBytes(): Buffer {
    let text = '';
    for (const c of this.list) text += formatCard(c);
    text += 'END'.padEnd(CARD_LENGTH, ' ');
    const size = Math.ceil(text.length / BLOCK) * BLOCK;
    return Buffer.from(text.padEnd(size, ' '), 'latin1');
  }

  /** Parses the card images before END (`text` holds whole cards). CONTINUE cards are merged. */
  static parse(text: string, loc: FitsLocation = {}): FitsHeader {
    const header = new FitsHeader();
    const n = Math.floor(text.length / CARD_LENGTH);
    for (let i = 0; i < n; i++) {
      const image = text.slice(i * CARD_LENGTH, (i + 1) * CARD_LENGTH);
      const cardLoc = {
        ...loc,
        card: i + 1,
        offset: loc.offset === undefined ? undefined : loc.offset + i * CARD_LENGTH,
      };
      const card = parseCard(image, cardLoc);
      if (card.kind === 'string') i = mergeContinue(card, text, i, n, loc);
      header.list.push(card);
    }
    return header;
  }
}

/** Appends following CONTINUE cards to a string card ending in '&'; returns the last index used. */
function mergeContinue(card: FitsCard, text: string, i: number, n: number, loc: FitsLocation): number {
  let value = rawStringValue(card, loc);
  const comments: string[] = card.comment ? [card.comment] : [];
  let j = i;
  while (
    value.endsWith('&') &&
    j + 1 < n &&
    text.slice((j + 1) * CARD_LENGTH, (j + 1) * CARD_LENGTH + 8) === 'CONTINUE'
  ) {
    j++;
    const image = text.slice(j * CARD_LENGTH, (j + 1) * CARD_LENGTH);
    const cardLoc = { ...loc, card: j + 1 };
    const body = image.slice(8).trimStart();
    if (!body.startsWith("'")) return fitsError('E_FITS_CARD', 'CONTINUE card without a string value', cardLoc);
    const { value: piece, rest } = parseQuoted(body, cardLoc);
    value = value.slice(0, -1) + piece;
    const c = rest.trim();
    if (c.startsWith('/') && c.slice(1).trim()) comments.push(c.slice(1).trim());
    card.image = (card.image ?? '') + image;
  }
  if (j > i) {
    card.value = value.replace(/ +$/, '');
    card.comment = comments.length ? comments.join(' ') : undefined;
  }
  return j;
}

/** The string value with its trailing blanks (needed to see a final '&'). */
function rawStringValue(card: FitsCard, loc: FitsLocation): string {
  const image = card.image ?? '';
  const eq = image.indexOf('=');
  return parseQuoted(image.slice(eq + 1).trimStart(), loc).value.replace(/ +$/, '');
}
