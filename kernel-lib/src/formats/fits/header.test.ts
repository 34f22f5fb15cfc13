import { describe, expect, it } from 'vitest';
import { parseCard } from './card';
import { FitsHeader } from './header';

const card = (s: string) => s.padEnd(80, ' ');

describe('FitsHeader parsing (FITS standard 4.0 section 4)', () => {
  it('parses value types and comments, keeping ints and floats apart', () => {
    const h = FitsHeader.parse(
      [
        card('NAXIS1  =                 4096 / length'),
        card("OBJECT  = 'M31 ''core''     ' / target"),
        card('EXPTIME =                 30.0'),
        card('GAIN    =               1.5D-3'),
        card('FLAG    =                    T'),
        card('NOVAL   =                      / nothing'),
        card('BZERO   =  9223372036854775808'),
        card('IMPEDNC = (1.0, -2.5)'),
      ].join(''),
    );
    expect(h.get('NAXIS1')).toBe(4096);
    expect(h.getCard('NAXIS1')?.kind).toBe('int');
    expect(h.get('object')).toBe("M31 'core'");
    expect(h.getCard('EXPTIME')).toMatchObject({ value: 30, kind: 'float' });
    expect(h.get('GAIN')).toBe(0.0015);
    expect(h.getBoolean('FLAG')).toBe(true);
    expect(h.getCard('NOVAL')).toMatchObject({ value: null, kind: 'undefined', comment: 'nothing' });
    expect(h.get('BZERO')).toBe(9223372036854775808n);
    expect(h.get('IMPEDNC')).toEqual({ re: 1, im: -2.5 });
  });

  it('keeps COMMENT, HISTORY and blank cards in order and merges CONTINUE strings', () => {
    const h = FitsHeader.parse(
      [
        card('COMMENT   first'),
        card("LONG    = 'abc&'  / part one"),
        card("CONTINUE  'def&'"),
        card("CONTINUE  'ghi' / part two"),
        card(''),
        card('HISTORY step 1'),
        card('HIERARCH ESO DET CHIP1 GAIN = 2.5 / e-/ADU'),
      ].join(''),
    );
    expect(h.keys()).toEqual(['COMMENT', 'LONG', '', 'HISTORY', 'ESO DET CHIP1 GAIN']);
    expect(h.get('LONG')).toBe('abcdefghi');
    expect(h.getCard('LONG')?.comment).toBe('part one part two');
    expect(h.comments()).toEqual(['  first']);
    expect(h.history()).toEqual(['step 1']);
    expect(h.get('HIERARCH ESO DET CHIP1 GAIN')).toBe(2.5);
  });

  it('rejects non-ASCII characters and unparseable values with the card number', () => {
    expect(() => parseCard(card('BAD     = 1.2.3'), { card: 7 })).toThrow(/card 7/);
    expect(() => parseCard(card('BAD     = \u00e9'), { card: 3 })).toThrow(
      expect.objectContaining({ code: 'E_FITS_CARD' }),
    );
  });

  it('round-trips through toBytes: fixed format, padding to 2880, CONTINUE for long strings', () => {
    const long = 'x'.repeat(150);
    const h = new FitsHeader()
      .set('NAXIS', 2)
      .set('RATIO', 2, undefined, 'float')
      .set('NAME', 'ab')
      .set('LONG', long, 'c')
      .addComment('hello')
      .set('ESO TEL ALT', 45.5);
    const bytes = h.toBytes();
    expect(bytes.length % 2880).toBe(0);
    const text = bytes.toString('latin1');
    expect(text.slice(0, 80)).toBe(card('NAXIS   =                    2'));
    expect(text.slice(80, 160)).toBe(card('RATIO   =                  2.0'));
    expect(text.slice(160, 240)).toBe(card("NAME    = 'ab      '"));
    const end = text.indexOf('END     ');
    const back = FitsHeader.parse(text.slice(0, end));
    expect(back.get('LONG')).toBe(long);
    expect(back.getCard('RATIO')?.kind).toBe('float');
    expect(back.get('ESO TEL ALT')).toBe(45.5);
    expect(back.comments()).toEqual(['hello']);
  });

  it('set replaces in place and keeps the comment; delete removes every card of a key', () => {
    const h = new FitsHeader([
      ['A', 1, 'first'],
      ['B', 2],
    ]);
    h.set('A', 5);
    expect(h.getCard('A')).toMatchObject({ value: 5, comment: 'first' });
    expect(h.keys()).toEqual(['A', 'B']);
    h.addHistory('x').addHistory('y');
    expect(h.delete('HISTORY')).toBe(2);
    expect(() => h.getNumber('MISSING')).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(h.getNumber('MISSING', 3)).toBe(3);
  });
});
