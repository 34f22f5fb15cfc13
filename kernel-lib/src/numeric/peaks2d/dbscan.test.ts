import { describe, expect, it } from 'vitest';
import { isStagebookError, type StagebookErrorCode } from '../../errors/stagebook-error';
import { dbscan } from './index';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Literal transcription of sklearn 1.2 DBSCAN.fit: full neighbourhoods, then `_dbscan_inner`. */
function referenceDbscan(X: number[][], eps: number, minSamples: number): { labels: number[]; core: number[] } {
  const n = X.length;
  const neigh = X.map((a) =>
    X.flatMap((b, j) => (a.reduce((d, v, k) => d + (v - b[k]) * (v - b[k]), 0) <= eps * eps ? [j] : [])),
  );
  const isCore = neigh.map((nb) => nb.length >= minSamples);
  const labels = new Array<number>(n).fill(-1);
  let label = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== -1 || !isCore[i]) continue;
    const stack: number[] = [];
    let p = i;
    for (;;) {
      if (labels[p] === -1) {
        labels[p] = label;
        if (isCore[p]) for (const v of neigh[p]) if (labels[v] === -1) stack.push(v);
      }
      if (!stack.length) break;
      p = stack.pop()!;
    }
    label++;
  }
  return { labels, core: isCore.flatMap((c, i) => (c ? [i] : [])) };
}

describe('dbscan', () => {
  it('matches a brute-force transcription of sklearn on random inputs (integer grids, exact-eps pairs, duplicates, 1-3 D)', () => {
    const rand = rng(99);
    for (let t = 0; t < 300; t++) {
      const dims = [1, 2, 2, 2, 3][t % 5];
      const n = 1 + Math.floor(rand() * 120);
      const integer = rand() < 0.5;
      const span = 2 + rand() * 30;
      const X = Array.from({ length: n }, () =>
        Array.from({ length: dims }, () => (integer ? Math.floor(rand() * span) : rand() * span)),
      );
      for (let d = 0; d < n / 10; d++) X.push([...X[Math.floor(rand() * X.length)]]); // duplicates
      const eps = integer ? [1, 2, 5, Math.SQRT2, 2.5][Math.floor(rand() * 5)] : 0.2 + rand() * 3;
      const minSamples = 1 + Math.floor(rand() * 6);
      const ref = referenceDbscan(X, eps, minSamples);
      const got = dbscan(X, { eps, minSamples });
      const ctx = JSON.stringify({ t, dims, n: X.length, eps, minSamples });
      expect(Array.from(got.labels), ctx).toEqual(ref.labels);
      expect(Array.from(got.coreSampleIndices), ctx).toEqual(ref.core);
      expect(got.nClusters).toBe(Math.max(-1, ...ref.labels) + 1);
      expect(got.nNoise).toBe(ref.labels.filter((l) => l === -1).length);
    }
  });

  it('counts points at exactly eps (3-4-5 triangle) and gives a shared border point the first cluster', () => {
    // Border point 0 sits between two clusters; cluster 0 is the one whose first core point comes first.
    // Point 0 reaches (-3,-4) and (3,4) at distance exactly 5: 3 neighbours with itself, not core.
    const X = [
      [0, 0],
      [3, 4],
      [3.5, 4],
      [3, 4.5],
      [3.5, 4.5],
      [-3, -4],
      [-3.5, -4],
      [-3, -4.5],
      [-3.5, -4.5],
    ];
    const r = dbscan(X, { eps: 5, minSamples: 4 });
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(r.coreSampleIndices)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(dbscan(X, { eps: 4.999999, minSamples: 4 }).labels[0]).toBe(-1);
  });

  it('accepts a flat {data, dims} input and uses brute force for widely spread points', () => {
    const data = Float64Array.of(0, 0, 1e300, 0, 0.5, 0, 1e300, 0.5);
    const r = dbscan({ data, dims: 2 }, { eps: 1, minSamples: 2 });
    expect(Array.from(r.labels)).toEqual([0, 1, 0, 1]);
    expect(r.nClusters).toBe(2);
  });

  const bad: [string, () => unknown, StagebookErrorCode, RegExp][] = [
    [
      'NaN coordinate',
      () =>
        dbscan(
          [
            [0, 0],
            [1, NaN],
          ],
          { eps: 1 },
        ),
      'E_NON_FINITE',
      /points\[1\]\[1\] is NaN/,
    ],
    ['no points', () => dbscan([], { eps: 1 }), 'E_EMPTY_INPUT', /points is empty/],
    ['ragged rows', () => dbscan([[0, 0], [1]], { eps: 1 }), 'E_INVALID_SHAPE', /row 1 has 1 coordinates, row 0 has 2/],
    [
      '1-D list',
      () => dbscan([1, 2, 3] as unknown as number[][], { eps: 1 }),
      'E_INVALID_SHAPE',
      /must be rows of coordinates/,
    ],
    [
      'flat data not a multiple of dims',
      () => dbscan({ data: [1, 2, 3], dims: 2 }, { eps: 1 }),
      'E_INVALID_SHAPE',
      /not a multiple of dims=2/,
    ],
    ['eps = 0', () => dbscan([[0, 0]], { eps: 0 }), 'E_INVALID_ARGUMENT', /eps must be > 0/],
    ['eps < 0', () => dbscan([[0, 0]], { eps: -1 }), 'E_INVALID_ARGUMENT', /eps must be > 0/],
    [
      'minSamples 0',
      () => dbscan([[0, 0]], { eps: 1, minSamples: 0 }),
      'E_INVALID_ARGUMENT',
      /minSamples must be >= 1/,
    ],
    [
      'minSamples 2.5',
      () => dbscan([[0, 0]], { eps: 1, minSamples: 2.5 }),
      'E_INVALID_ARGUMENT',
      /minSamples must be an integer/,
    ],
    [
      'missing options',
      () => (dbscan as (p: unknown) => unknown)([[0, 0]]),
      'E_INVALID_ARGUMENT',
      /options \{eps, minSamples\} are required/,
    ],
  ];
  it.each(bad)('rejects %s with a StagebookError', (_name, call, code, message) => {
    let err: unknown;
    try {
      call();
    } catch (e) {
      err = e;
    }
    expect(isStagebookError(err, code)).toBe(true);
    expect((err as Error).message).toMatch(/^dbscan: /);
    expect((err as Error).message).toMatch(message);
  });
});
