/**
 * verifyFits: a structural check of a whole file like astropy's HDUList.verify() / fitsverify,
 * returning issues instead of throwing. Checked per HDU: the mandatory keywords, their order and
 * value types (FITS standard 4.0 sections 4.4.1 and 7: SIMPLE/XTENSION, BITPIX, NAXIS, NAXISn,
 * EXTEND optional, PCOUNT/GCOUNT for extensions with IMAGE 0/1, TFIELDS and TFORMn/TBCOLn for
 * tables), blank header fill after END, zero (ASCII table: blank) data fill, and CHECKSUM/DATASUM.
 * A file that cannot be walked further (bad card, truncation, damaged header) ends with one issue
 * carrying the error's code.
 */
import { StagebookError, invalidArgument } from '../../errors/stagebook-error';
import { CARD_LENGTH } from './card';
import { FitsFile } from './file';
import { FitsHdu } from './hdu';
import { FitsHeader, BLOCK } from './header';
import { readAt, withFile } from './io';

export interface FitsVerifyIssue {
  /** HDU index (-1 for the file as a whole). */
  hdu: number;
  /** What failed, e.g. 'keyword-order', 'keyword-type', 'missing-keyword', 'header-fill', 'data-fill', 'checksum'. */
  check: string;
  keyword?: string;
  /** Byte offset in the file when known. */
  offset?: number;
  message: string;
}

export interface FitsVerifyReport {
  file: string;
  /** True when there is no issue. */
  ok: boolean;
  /** HDUs walked. */
  hdus: number;
  issues: FitsVerifyIssue[];
}

type Rule = { key: string; type: 'int' | 'bool' | 'string'; value?: unknown };

/** The keywords that must open a header, in order (astropy _ValidHDU._verify / req_cards). */
function mandatory(h: FitsHeader, index: number): Rule[] {
  const naxis = h.get('NAXIS');
  const n = typeof naxis === 'number' && Number.isInteger(naxis) && naxis >= 0 && naxis <= 999 ? naxis : 0;
  const axes: Rule[] = Array.from({ length: n }, (_, i) => ({
    key: `NAXIS${i + 1}`,
    type: 'int',
  }));
  if (index === 0)
    return [
      { key: 'SIMPLE', type: 'bool', value: true },
      { key: 'BITPIX', type: 'int' },
      { key: 'NAXIS', type: 'int' },
      ...axes,
    ];
  const x = String(h.get('XTENSION') ?? '')
    .trim()
    .toUpperCase();
  const head: Rule[] = [
    { key: 'XTENSION', type: 'string' },
    { key: 'BITPIX', type: 'int' },
    { key: 'NAXIS', type: 'int' },
    ...axes,
    {
      key: 'PCOUNT',
      type: 'int',
      value: x === 'IMAGE' || x === 'TABLE' ? 0 : undefined,
    },
    {
      key: 'GCOUNT',
      type: 'int',
      value: x === 'IMAGE' || x === 'BINTABLE' || x === 'TABLE' ? 1 : undefined,
    },
  ];
  if (x === 'BINTABLE' || x === 'TABLE') head.push({ key: 'TFIELDS', type: 'int' });
  return head;
}

function typeOf(kind: string): Rule['type'] | 'other' {
  return kind === 'int' ? 'int' : kind === 'bool' ? 'bool' : kind === 'string' ? 'string' : 'other';
}

function checkKeywords(hdu: FitsHdu, issues: FitsVerifyIssue[]): void {
  const cards = hdu.rawHeader.cards;
  mandatory(hdu.rawHeader, hdu.index).forEach((rule, pos) => {
    const at = cards.findIndex((c) => c.key === rule.key && c.kind !== 'commentary');
    const offset = hdu.headerOffset + Math.max(at, pos) * CARD_LENGTH;
    const issue = (check: string, message: string): void => {
      issues.push({
        hdu: hdu.index,
        check,
        keyword: rule.key,
        offset,
        message,
      });
    };
    if (at < 0) return issue('missing-keyword', `${rule.key} is required (card ${pos + 1})`);
    if (at !== pos) issue('keyword-order', `${rule.key} must be card ${pos + 1}, found as card ${at + 1}`);
    const card = cards[at];
    if (typeOf(card.kind) !== rule.type)
      return issue(
        'keyword-type',
        `${rule.key} must be ${rule.type === 'int' ? 'an integer' : rule.type === 'bool' ? 'a logical' : 'a string'}, found ${card.kind}`,
      );
    if (rule.value !== undefined && card.value !== rule.value)
      issue('keyword-value', `${rule.key} must be ${String(rule.value)}, found ${String(card.value)}`);
  });
  const x = String(hdu.rawHeader.get('XTENSION') ?? '')
    .trim()
    .toUpperCase();
  const fields = hdu.rawHeader.get('TFIELDS');
  if ((x === 'BINTABLE' || x === 'TABLE') && typeof fields === 'number') {
    for (let i = 1; i <= fields; i++) {
      for (const key of x === 'TABLE' ? [`TFORM${i}`, `TBCOL${i}`] : [`TFORM${i}`]) {
        if (!hdu.rawHeader.has(key))
          issues.push({
            hdu: hdu.index,
            check: 'missing-keyword',
            keyword: key,
            offset: hdu.headerOffset,
            message: `${key} is required for field ${i} of ${fields}`,
          });
      }
    }
  }
}

/** Header fill after END must be blanks; data fill zeros (blanks for ASCII tables). */
function checkFill(hdu: FitsHdu, issues: FitsVerifyIssue[]): void {
  withFile(hdu.file, (fd, size) => {
    const header = readAt(fd, hdu.headerOffset, hdu.dataOffset - hdu.headerOffset, {
      file: hdu.file,
      hdu: hdu.index,
      what: 'header',
    });
    const text = header.toString('latin1');
    let end = -1;
    for (let c = 0; c < text.length; c += CARD_LENGTH)
      if (text.slice(c, c + CARD_LENGTH).trimEnd() === 'END') {
        end = c;
        break;
      }
    const fill = text.slice(end + CARD_LENGTH);
    if (end >= 0 && /[^ ]/.test(fill)) {
      issues.push({
        hdu: hdu.index,
        check: 'header-fill',
        offset: hdu.headerOffset + end + CARD_LENGTH + fill.search(/[^ ]/),
        message: 'header fill after END is not blank',
      });
    }
    const padded = Math.ceil(hdu.dataSize / BLOCK) * BLOCK;
    const tail = Math.min(padded, size - hdu.dataOffset) - hdu.dataSize;
    if (tail <= 0) return;
    const bytes = readAt(fd, hdu.dataOffset + hdu.dataSize, tail, {
      file: hdu.file,
      hdu: hdu.index,
      what: 'data fill',
    });
    const want = hdu.kind === 'table' ? 0x20 : 0;
    const bad = bytes.findIndex((b) => b !== want);
    if (bad >= 0)
      issues.push({
        hdu: hdu.index,
        check: 'data-fill',
        offset: hdu.dataOffset + hdu.dataSize + bad,
        message: `data fill is not ${want ? 'blank' : 'zero'}`,
      });
  });
}

function checkSums(hdu: FitsHdu, issues: FitsVerifyIssue[]): void {
  const s = hdu.verifyChecksum();
  if (s.datasum === false)
    issues.push({
      hdu: hdu.index,
      check: 'checksum',
      keyword: 'DATASUM',
      offset: hdu.dataOffset,
      message: `DATASUM is ${String(hdu.rawHeader.get('DATASUM')).trim()}, the data unit sums to ${s.computedDatasum}`,
    });
  if (s.checksum === false)
    issues.push({
      hdu: hdu.index,
      check: 'checksum',
      keyword: 'CHECKSUM',
      offset: hdu.headerOffset,
      message: 'CHECKSUM does not verify',
    });
}

/** Verifies `path` (see module doc); throws only for a bad argument or an unreadable file. */
export function verifyFits(path: string): FitsVerifyReport {
  if (typeof path !== 'string' || path === '') invalidArgument('verifyFits', 'path', 'must be a non-empty string');
  const file = new FitsFile(path);
  const issues: FitsVerifyIssue[] = [];
  let count = 0;
  for (let i = 0; ; i++) {
    let hdu: FitsHdu;
    try {
      hdu = file.hdu(i);
    } catch (e) {
      // hdu(i) past the last HDU is E_INVALID_ARGUMENT: the walk is complete.
      if (e instanceof StagebookError && e.code === 'E_INVALID_ARGUMENT') break;
      if (!(e instanceof StagebookError) || e.code === 'E_FITS_IO') throw e;
      const ctx = e.context as { hdu?: number; offset?: number };
      issues.push({
        hdu: ctx.hdu ?? i,
        check: e.code,
        offset: ctx.offset,
        message: e.message,
      });
      break;
    }
    count++;
    for (const check of [checkKeywords, checkFill, checkSums]) {
      try {
        check(hdu, issues);
      } catch (e) {
        if (!(e instanceof StagebookError) || e.code === 'E_FITS_IO') throw e;
        issues.push({
          hdu: i,
          check: e.code,
          offset: (e.context as { offset?: number }).offset,
          message: e.message,
        });
      }
    }
  }
  return { file: path, ok: issues.length === 0, hdus: count, issues };
}
