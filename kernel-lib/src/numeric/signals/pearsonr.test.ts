import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isStagebookError, type StagebookErrorCode } from '../../errors/stagebook-error';
import { betainc, betaincc, pearsonr, pearsonrMasked } from './index';

/** Runs a python snippet with Debian's scipy; `data` arrives as JSON on stdin as `D`. */
function python(code: string, data: unknown): any {
  const src = `import json, sys\nimport numpy as np\nimport scipy.stats as st\nimport scipy.special as sp\nD = json.load(sys.stdin)\n${code}`;
  return JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', src], { input: JSON.stringify(data), maxBuffer: 64 << 20 }).toString(),
  );
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

function expectThrows(fn: () => unknown, code: StagebookErrorCode, pattern: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(isStagebookError(err, code)).toBe(true);
  expect((err as Error).message).toMatch(pattern);
}

describe('betainc', () => {
  const shapes = [0.5, 1, 2.5, 7.9, 8, 12, 48, 99, 499, 4999, 49999];
  const xs = [1e-3, 0.05, 0.3, 0.4999, 0.5, 0.51, 0.7, 0.95, 0.999];
  const grid: [number, number, number][] = [];
  for (const a of shapes) for (const b of shapes) for (const x of xs) grid.push([a, b, x]);
  // scipy.special.betainc (Cephes incbet in scipy 1.10) and scipy.stats.beta cdf/sf (Boost ibeta).
  const ref: [number, number, number][] = python(
    'print(json.dumps([[sp.betainc(a, b, x), st.beta.cdf(x, a, b), st.beta.sf(x, a, b)] for a, b, x in D]))',
    grid,
  );

  it('matches scipy.special.betainc to 1e-12 relative for a, b <= 100', () => {
    let worst = 0;
    grid.forEach(([a, b, x], i) => {
      if (Math.max(a, b) > 100 || !(ref[i][0] > 1e-300)) return;
      worst = Math.max(worst, relErr(betainc(a, b, x), ref[i][0]));
    });
    expect(worst).toBeLessThan(1e-12);
  });

  it('matches Boost (scipy.stats.beta cdf and sf) on the whole grid, both tails computed directly', () => {
    // Cephes itself drifts to ~1e-10 for a, b ~ 5e4; Boost is the sharper reference there.
    // Our worst case is an extreme shape ratio (48 vs 49999): ~2e-12; a = b (pearsonr) stays < 1e-13.
    grid.forEach(([a, b, x], i) => {
      const [, cdf, sf] = ref[i];
      if (!(cdf > 1e-300 && sf > 1e-300)) return;
      const tol = a === b ? 2e-13 : Math.max(a, b) / Math.min(a, b) > 100 ? 3e-12 : 5e-13;
      expect(relErr(betainc(a, b, x), cdf)).toBeLessThan(tol);
      expect(relErr(betaincc(a, b, x), sf)).toBeLessThan(tol);
    });
  });

  it('has the exact end values and rejects invalid shapes', () => {
    expect(betainc(2, 3, 0)).toBe(0);
    expect(betainc(2, 3, 1)).toBe(1);
    expect(betaincc(2, 3, 1)).toBe(0);
    expectThrows(() => betainc(0, 1, 0.5), 'E_INVALID_ARGUMENT', /betainc: a must be/);
    expectThrows(() => betainc(1, 1, 1.5), 'E_INVALID_ARGUMENT', /betainc: x must be in \[0, 1\]/);
  });
});

describe('pearsonr against scipy.stats.pearsonr', () => {
  const r = rng(11);
  const cases: { x: number[]; y: number[] }[] = [];
  for (const n of [3, 4, 5, 10, 57, 500, 3000]) {
    const x = Array.from({ length: n }, r);
    const y = x.map((v) => 0.3 * v + r());
    cases.push({ x, y }, { x, y: y.map((v) => -v) });
  }
  const ref = python(
    "print(json.dumps([[list(st.pearsonr(c['x'], c['y'], alternative=alt)) for alt in ['two-sided', 'less', 'greater']] for c in D]))",
    cases,
  );

  it.each(cases.map((c, i) => [c.x.length, i]))(
    'n=%i: r within 1e-12, p within 1e-10 relative for every alternative',
    (_n, i) => {
      const alts = ['two-sided', 'less', 'greater'] as const;
      alts.forEach((alternative, j) => {
        const res = pearsonr(cases[i].x, cases[i].y, { alternative });
        const [rr, pp] = ref[i][j];
        expect(Math.abs(res.statistic - rr)).toBeLessThanOrEqual(1e-12);
        expect(relErr(res.pvalue, pp)).toBeLessThan(1e-10);
        expect(res.warnings).toEqual([]);
      });
    },
  );

  it('n == 2 gives sign(dx) * sign(dy) and p = 1', () => {
    expect(pearsonr([1, 2], [5, 3])).toEqual({ statistic: -1, pvalue: 1, warnings: [] });
  });

  it('constant input gives NaN, NaN and a ConstantInputWarning', () => {
    const res = pearsonr([2.5, 2.5, 2.5], [1, 2, 3]);
    expect(res.statistic).toBeNaN();
    expect(res.pvalue).toBeNaN();
    expect(res.warnings.map((w) => w.type)).toEqual(['ConstantInputWarning']);
  });

  it('raises StagebookErrors for scipy ValueErrors', () => {
    expectThrows(() => pearsonr([1], [2]), 'E_EMPTY_INPUT', /pearsonr: x and y must have length at least 2/);
    expectThrows(() => pearsonr([1, 2, 3], [1, 2]), 'E_INVALID_SHAPE', /same length/);
    expectThrows(() => pearsonr([1, NaN, 3], [1, 2, 3]), 'E_NON_FINITE', /must not contain infs or NaNs/);
    expectThrows(
      () => pearsonr([1, 2, 3], [1, 2, 4], { alternative: 'both' as 'less' }),
      'E_INVALID_ARGUMENT',
      /alternative/,
    );
  });
});

describe('pearsonrMasked against scipy.stats.mstats.pearsonr', () => {
  it('drops pairs masked in either input (masked values may be NaN)', () => {
    const r = rng(5);
    const x = Array.from({ length: 40 }, r);
    const y = x.map((v) => v + r());
    const xm = x.map((_, i) => i % 7 === 0);
    const ym = x.map((_, i) => i % 5 === 1);
    const xWithNaN = x.map((v, i) => (xm[i] ? NaN : v));
    const [rr, pp] = python(
      'import numpy.ma as ma; from scipy.stats import mstats\nx = ma.masked_array(D[0], mask=D[2]); y = ma.masked_array(D[1], mask=D[3])\nprint(json.dumps([float(v) for v in mstats.pearsonr(x, y)]))',
      [x, y, xm, ym],
    );
    const res = pearsonrMasked(xWithNaN, y, xm, ym);
    expect(res.masked).toBe(false);
    expect(Math.abs(res.statistic - rr)).toBeLessThanOrEqual(1e-12);
    expect(relErr(res.pvalue, pp)).toBeLessThan(1e-10);
  });

  it('returns the masked result when fewer than 2 pairs remain', () => {
    const res = pearsonrMasked([1, 2, 3], [3, 2, 1], [true, false, false], [false, true, false]);
    expect(res.masked).toBe(true);
    expect(res.statistic).toBeNaN();
  });

  it('rejects masks of the wrong length', () => {
    expectThrows(() => pearsonrMasked([1, 2, 3], [3, 2, 1], [true]), 'E_INVALID_SHAPE', /xMask has length 1/);
  });
});
