/**
 * Header writing and keyword case (issue 22 items 6-8): big whole-number floats, CONTINUE comment
 * splitting at blanks like astropy's _words_group, HIERARCH keywords keeping their case.
 */
import { describe, expect, it } from 'vitest';
import { FitsHeader } from './header';

const cardsOf = (h: FitsHeader): string[] => {
  const text = h.toBytes().toString('latin1');
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 80) out.push(text.slice(i, i + 80));
  return out;
};

describe('whole-number doubles beyond 64-bit integers (FITS standard 4.2.4: floats with an upper-case E)', () => {
  it.each([6.02214076e23, -1e21, 1e300, 1e19, -(2 ** 63)])('writes %d as a float with E', (v) => {
    const h = new FitsHeader().set('AVOGADRO', v);
    expect(h.getCard('AVOGADRO')?.kind).toBe('float');
    const image = cardsOf(h)[0];
    // Exponent form with an upper-case E, or a fixed-point float: never a bare integer or a lower-case e.
    expect(image).toMatch(/^AVOGADRO= +-?(\d(\.\d+)?E\+\d+|\d+\.\d*) *$/);
    expect(image).not.toMatch(/e/);
    const back = FitsHeader.parse(image);
    expect(back.getCard('AVOGADRO')).toMatchObject({
      value: v,
      kind: 'float',
    });
  });

  it('keeps whole numbers that fit 64 bits as integers', () => {
    expect(new FitsHeader().set('BIG', 2 ** 62).getCard('BIG')?.kind).toBe('int');
    expect(cardsOf(new FitsHeader().set('BIG', 2 ** 62))[0]).toContain('4611686018427387904');
    expect(new FitsHeader().set('NEG', -(2 ** 62)).getCard('NEG')?.kind).toBe('int');
  });
});

describe('CONTINUE long strings split at blanks (astropy Card._format_long_image / _words_group)', () => {
  it('never cuts a word of a long comment', () => {
    const comment = 'this comment keeps on going with continuation words until it needs several cards to hold it all';
    const h = new FitsHeader().set('LONGSTR', 'x'.repeat(70), comment);
    const images = cardsOf(h).filter((c) => c.startsWith('CONTINUE'));
    const parts = images.map((c) => /\/ (.*?) *$/.exec(c)?.[1]).filter((p): p is string => p !== undefined);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(64);
    // astropy splits after the last blank within 64 characters: each piece but the last ends with a blank.
    expect(parts.slice(0, -1).every((p) => comment.includes(`${p.trimEnd()} `))).toBe(true);
    const back = FitsHeader.parse(
      cardsOf(h)
        .slice(0, -1 - 0)
        .join('')
        .replace(/END {77}.*$/s, ''),
    );
    expect(back.getCard('LONGSTR')?.comment).toBe(comment);
    expect(back.get('LONGSTR')).toBe('x'.repeat(70));
  });

  it('splits a long value at blanks and keeps doubled quotes together', () => {
    const value = `it's ${'word '.repeat(12)}abcdefghij more words and more words to finish`;
    const h = new FitsHeader().set('LONGV', value);
    const text = cardsOf(h)
      .filter((c) => !c.startsWith('END'))
      .join('');
    expect(FitsHeader.parse(text).get('LONGV')).toBe(value);
    const pieces = cardsOf(h)
      .filter((c) => !c.startsWith('END') && c.trim() !== '')
      .map((c) => /'(.*)'/.exec(c)?.[1] ?? '');
    for (const p of pieces.slice(0, -1)) expect(p.endsWith(' &') || p.endsWith("''&")).toBe(true);
  });
});

describe('HIERARCH keywords keep their case (astropy Card._parse_keyword)', () => {
  it('reads a mixed-case HIERARCH keyword as written and looks it up case-insensitively', () => {
    const h = FitsHeader.parse('HIERARCH This.Is.Mixed.Case = 5 / mixed'.padEnd(80));
    expect(h.keys()).toEqual(['This.Is.Mixed.Case']);
    expect(h.get('this.is.mixed.case')).toBe(5);
    expect(h.get('HIERARCH THIS.IS.MIXED.CASE')).toBe(5);
    h.set('this.is.mixed.case', 6);
    expect(h.keys()).toEqual(['This.Is.Mixed.Case']);
    expect(cardsOf(h)[0]).toMatch(/^HIERARCH This\.Is\.Mixed\.Case = 6/);
    expect(h.delete('THIS.IS.MIXED.CASE')).toBe(1);
  });

  it('keeps the case of a HIERARCH keyword given to set', () => {
    const h = new FitsHeader().set('HIERARCH Eso Det Gain', 2.5);
    expect(h.keys()).toEqual(['Eso Det Gain']);
    expect(cardsOf(h)[0]).toMatch(/^HIERARCH Eso Det Gain = 2.5/);
  });
});
