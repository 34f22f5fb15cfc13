import { describe, expect, it } from 'vitest';
import { formatCsv, parseCsv, splitCsv } from './table';

describe('typed CSV tables', () => {
  it('splits RFC 4180 records: quoted commas, quotes, newlines, CRLF, a missing final newline', () => {
    const t = 'a,b\r\n"x, y","say ""hi"""\r\n"two\nlines",\n1,2';
    expect(splitCsv(t)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['two\nlines', ''] },
      { line: 5, fields: ['1', '2'] },
    ]);
  });

  it('writes what pandas writes (NaN/null empty, True/False, JSON cells) and reads it back', () => {
    const cols = { n: 'number', s: 'text', b: 'boolean', j: 'json' } as const;
    const rows = [
      { n: 0.1 + 0.2, s: 'a,"b"', b: true, j: [[1, 2]] },
      { n: NaN, s: null, b: false, j: null },
    ];
    const text = formatCsv(cols, rows);
    expect(text).toBe('n,s,b,j\n0.30000000000000004,"a,""b""",True,"[[1,2]]"\n,,False,\n');
    const back = parseCsv(cols, text);
    expect(back[0]).toEqual(rows[0]);
    expect(back[1]).toEqual({ n: NaN, s: null, b: false, j: null });
  });

  it('names the file, line and column of a bad cell, and a wrong header', () => {
    const cols = { n: 'number', b: 'boolean' } as const;
    expect(() => parseCsv(cols, 'n,b\n1,True\nx,False\n', 'f.csv')).toThrow(
      /f\.csv: line 3, column n: "x" is not a number/,
    );
    expect(() => parseCsv(cols, 'n,b\n1,yes\n', 'f.csv')).toThrow(/line 2, column b: "yes" is not True\/False/);
    expect(() => parseCsv(cols, 'n,c\n', 'f.csv')).toThrow(/f\.csv: line 1: header lacks b; has unknown c/);
    expect(() => parseCsv(cols, 'n,b\n1\n', 'f.csv')).toThrow(/line 2: 1 fields, header has 2/);
    expect(() => parseCsv(cols, '', 'f.csv')).toThrow(/empty file/);
  });
});
