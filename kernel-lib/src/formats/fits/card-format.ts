/**
 * Writing card images. Layout follows astropy.io.fits.Card._format_image: keyword padded to 8,
 * `= `, strings left-justified (at least 8 characters inside the quotes), other values
 * right-justified to column 30, then ` / comment`. Long strings use the CONTINUE convention with the
 * same 67-character value pieces as astropy's _format_long_image; long commentary text is split
 * over several cards like astropy does.
 */
import { invalidArgument } from '../../errors/stagebook-error';
import { CARD_LENGTH, FitsCard, formatValue, isCommentaryKey, quote } from './card';

function pad(s: string): string {
  return s.padEnd(CARD_LENGTH, ' ');
}

function checkText(s: string, what: string): void {
  if (!/^[\x20-\x7e]*$/.test(s))
    invalidArgument('FitsHeader', what, `only printable ASCII is allowed in FITS headers: ${JSON.stringify(s)}`);
}

function commentaryImages(card: FitsCard): string {
  const text = String(card.value ?? '');
  const width = CARD_LENGTH - 8;
  let out = '';
  for (let i = 0; i === 0 || i < text.length; i += width) out += pad(card.key.padEnd(8) + text.slice(i, i + width));
  return out;
}

/**
 * Splits `s` into pieces of at most `width` characters without cutting a word: each piece ends
 * after the last blank that fits, a single word longer than `width` is cut (astropy.io.fits.card
 * _words_group). `atomic` marks positions that must not be split (between doubled quotes).
 */
export function wordsGroup(s: string, width: number, atomic: (i: number) => boolean = () => false): string[] {
  const pieces: string[] = [];
  for (let start = 0; ;) {
    const limit = start + width;
    // astropy appends one blank to the string, so the rest fits when it is shorter than the window.
    let end = s.length < limit ? s.length : s.lastIndexOf(' ', limit - 1) + 1;
    if (end <= start) end = Math.min(limit, s.length);
    while (end < s.length && end > start + 1 && atomic(end)) end--;
    pieces.push(s.slice(start, end));
    if (end >= s.length) return pieces;
    start = end;
  }
}

/** Splits the escaped form of `value` (quotes doubled) at blanks, never between the two quotes of a pair. */
function splitEscaped(value: string, width: number): string[] {
  const escaped = value.replace(/'/g, "''");
  // Position i splits a pair when an odd run of quotes precedes it and a quote follows.
  const splitsPair = (i: number): boolean => {
    let run = 0;
    for (let k = i - 1; k >= 0 && escaped[k] === "'"; k--) run++;
    return run % 2 === 1 && escaped[i] === "'";
  };
  return wordsGroup(escaped, width, splitsPair);
}

function longStringImages(head: string, value: string, comment: string | undefined): string {
  const pieces = splitEscaped(value, 67);
  let out = '';
  pieces.forEach((piece, i) => {
    const last = i === pieces.length - 1 && !comment;
    out += pad(`${i === 0 ? head : 'CONTINUE  '}'${piece}${last ? '' : '&'}'`);
  });
  if (comment) {
    const parts = wordsGroup(comment, 64);
    parts.forEach((part, i) => {
      out += pad(`CONTINUE  '${i === parts.length - 1 ? '' : '&'}' / ${part}`);
    });
  }
  return out;
}

function valueText(card: FitsCard): string {
  if (card.kind === 'string') {
    const q = quote(String(card.value));
    // Fixed format: the closing quote is at or after column 20 (string padded to 8 characters).
    return q.length < 10 ? `'${String(card.value).replace(/'/g, "''").padEnd(8)}'` : q;
  }
  return formatValue(card.value, card.kind).padStart(20);
}

/** The card image(s) of a card: a multiple of 80 characters. */
export function formatCard(card: FitsCard): string {
  if (card.image) return card.image;
  checkText(card.key, 'keyword');
  if (card.comment) checkText(card.comment, `comment of ${card.key}`);
  if (card.kind === 'commentary' || isCommentaryKey(card.key)) {
    checkText(String(card.value ?? ''), card.key);
    return commentaryImages(card);
  }
  if (card.kind === 'string') checkText(String(card.value), card.key);
  const hierarch = card.hierarch || card.key.length > 8 || card.key.includes(' ');
  const head = hierarch ? `HIERARCH ${card.key} = ` : `${card.key.padEnd(8)}= `;
  let value = valueText(card);
  if (hierarch) value = value.trimStart();
  const comment = card.comment ? ` / ${card.comment}` : '';
  const full = head + value.padEnd(card.kind === 'string' ? 20 : 0) + comment;
  if (full.length <= CARD_LENGTH) return pad(full);
  const bare = head + value;
  if (card.kind === 'string' && !hierarch) return longStringImages(head, String(card.value), card.comment);
  if (bare.length > CARD_LENGTH) invalidArgument('FitsHeader', card.key, `card is longer than 80 characters: ${bare}`);
  // Like astropy, a comment that does not fit is truncated rather than failing the write.
  return pad(full.slice(0, CARD_LENGTH));
}
