import { describe, expect, it } from 'vitest';
import { isStagebookError } from '../../errors/stagebook-error';
import { boundedLasso, boundedLassoPath, lassoFitMetrics } from '.';

/** xoshiro-free tiny LCG: deterministic test data without Math.random. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function randomProblem(seed: number, n: number, k: number): { A: number[][]; x: number[] } {
  const r = rng(seed);
  const A = Array.from({ length: n }, () => Array.from({ length: k }, () => r()));
  const x = Array.from({ length: n }, () => r() * 1.5 - 0.2);
  return { A, x };
}

/** Largest violation of the KKT conditions with g = 2 A^T (A b - x) + lam. */
function kktResidual(A: number[][], x: number[], b: Float64Array, lam: number): number {
  const k = b.length;
  let worst = 0;
  for (let j = 0; j < k; j++) {
    let g = lam;
    A.forEach((row, i) => {
      let fit = 0;
      for (let p = 0; p < k; p++) fit += row[p] * b[p];
      g += 2 * row[j] * (fit - x[i]);
    });
    const v = b[j] <= 0 ? Math.max(-g, 0) : b[j] >= 1 ? Math.max(g, 0) : Math.abs(g);
    worst = Math.max(worst, v, -b[j], b[j] - 1);
  }
  return worst;
}

describe('boundedLassoPath', () => {
  it('reaches the KKT point of random problems along the ALEXIS lambda grid', () => {
    const lams = Array.from({ length: 50 }, (_, i) => 10 ** (-3 + (4 * i) / 49));
    for (let seed = 1; seed <= 20; seed++) {
      const { A, x } = randomProblem(seed, 40 + seed, 1 + (seed % 8));
      for (const s of boundedLassoPath(A, x, lams)) expect(kktResidual(A, x, s.b, s.lam)).toBeLessThan(1e-9);
    }
  });

  it('gives the same minimiser warm-started and cold-started', () => {
    const { A, x } = randomProblem(7, 60, 5);
    const lams = [10, 1, 0.1, 0.01, 0.5, 0.001];
    const warm = boundedLassoPath(A, x, lams);
    const cold = boundedLassoPath(A, x, lams, { warmStart: false });
    warm.forEach((s, i) => {
      for (let j = 0; j < 5; j++) expect(Math.abs(s.b[j] - cold[i].b[j])).toBeLessThan(1e-10);
    });
  });

  it('matches the closed form of one column: clip((a.x - lam/2) / a.a, 0, 1)', () => {
    const a = [0.2, 0.5, 0.9, 0.4];
    const x = [0.1, 0.3, 0.8, 0.2];
    const ax = a.reduce((s, v, i) => s + v * x[i], 0);
    const aa = a.reduce((s, v) => s + v * v, 0);
    for (const lam of [0, 0.1, 0.5, 2]) {
      const s = boundedLasso(
        a.map((v) => [v]),
        x,
        lam,
      );
      expect(s.b[0]).toBeCloseTo(Math.min(1, Math.max(0, (ax - lam / 2) / aa)), 14);
    }
  });

  it('holds coefficients at the upper bound when the target needs more than the column', () => {
    const s = boundedLasso([[1], [1]], [3, 3], 0);
    expect(Array.from(s.b)).toEqual([1]);
    expect(s.objective).toBeCloseTo(8, 14);
  });

  it('handles exactly collinear columns (a singular free block) with a minimiser on the box', () => {
    const A = [
      [1, 2],
      [2, 4],
      [3, 6],
    ];
    const x = [0.5, 1, 1.5];
    const s = boundedLasso(A, x, 0);
    expect(kktResidual(A, x, s.b, 0)).toBeLessThan(1e-12);
    expect(s.objective).toBeLessThan(1e-20);
  });

  it('refuses bad input with errors that name the problem', () => {
    const expectCode = (fn: () => unknown, code: string, text: RegExp): void => {
      try {
        fn();
        expect.unreachable();
      } catch (e) {
        expect(isStagebookError(e) && e.code).toBe(code);
        expect(String((e as Error).message)).toMatch(text);
      }
    };
    expectCode(() => boundedLasso([[1], [2], [3]], [1, 2], 0.1), 'E_INVALID_SHAPE', /x has length 2 but A has 3 rows/);
    expectCode(() => boundedLasso([[1]], [1], -0.1), 'E_INVALID_ARGUMENT', /lam must be >= 0/);
    expectCode(() => boundedLasso([[1]], [1], NaN), 'E_NON_FINITE', /lam must be a finite number/);
    expectCode(() => boundedLasso([[], []], [1, 2], 0.1), 'E_EMPTY_INPUT', /at least one row and one column/);
    expectCode(() => lassoFitMetrics([[1, 2]], [1], [1, 2, 3]), 'E_INVALID_SHAPE', /not aligned/);
  });
});

describe('lassoFitMetrics', () => {
  it('scores a perfect fit at distance 0', () => {
    const A = [
      [0.1, 0.2],
      [0.5, 0.1],
      [0.9, 0.7],
      [0.3, 0.3],
    ];
    const b = [0.6, 0.25];
    const x = A.map((row) => row[0] * b[0] + row[1] * b[1]);
    const m = lassoFitMetrics(A, x, b);
    expect(m.MSE).toBe(0);
    expect(m.vectorFit).toBe(1);
    expect(m.eTot).toBe(1);
    expect(m.distance).toBeCloseTo(0, 15);
  });
});
