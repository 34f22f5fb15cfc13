import { describe, expect, it } from 'vitest';
import { alexisColumn, alexisLambdaGrid, alexisTarget, lassoGridSearch, lassoSubsetGrid } from '.';

/** Box sums: each cluster a pulse at its own time, bigger boxes collect more background. */
function scene(nc: number, sizes: number[], n = 80): { columns: number[][][]; xrs: number[] } {
  const columns = Array.from({ length: nc }, (_, c) =>
    sizes.map((s) =>
      Array.from(
        { length: n },
        (_, t) =>
          s * s * (1 + 0.1 * Math.cos(t / 7 + c)) + 3e4 * Math.exp(-0.5 * ((t - 18 - 11 * c) / 4) ** 2) * (50 / s),
      ),
    ),
  );
  const xrs = Array.from(
    { length: n },
    (_, t) => 1e-6 + 4e-6 * Math.exp(-0.5 * ((t - 18) / 5) ** 2) + 1e-6 * Math.exp(-0.5 * ((t - 40) / 5) ** 2),
  );
  return { columns, xrs };
}

describe('lassoSubsetGrid', () => {
  it('gives, for every cluster subset, the distances of the whole grid restricted to that subset', () => {
    const sizes = [150, 100, 50];
    const { columns, xrs } = scene(3, sizes);
    const lams = alexisLambdaGrid();
    const grid = lassoGridSearch({ columns, boxSizesArcsec: sizes, xrs, lams });
    const x = alexisTarget(xrs);
    const h = columns.map((perBox) => perBox.map((raw, z) => alexisColumn(raw, sizes[z])));
    const subsets = [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];
    let bestOverSubsets = Infinity;
    for (const s of subsets) {
      const r = lassoSubsetGrid({ h: s.map((c) => h[c]), x, lams });
      expect(r.distance.length).toBe(sizes.length ** s.length);
      const fromGrid: number[] = [];
      for (let i = 0; i < grid.combinations; i++)
        if (grid.combination(i).clusters.join(',') === s.join(',')) fromGrid.push(grid.distance[i]);
      expect(fromGrid.length).toBe(r.distance.length);
      fromGrid.forEach((d, i) => expect(r.distance[i]).toBeCloseTo(d, 12));
      bestOverSubsets = Math.min(bestOverSubsets, r.best?.metrics.distance ?? Infinity);
    }
    // The global best is the best of the per-subset bests (what the collate stage relies on).
    expect(bestOverSubsets).toBeCloseTo(grid.best.metrics.distance, 9);
  });

  it('refuses ragged input naming the column', () => {
    expect(() => lassoSubsetGrid({ h: [[[1, 2, 3]], [[1, 2]]], x: [1, 2, 3] })).toThrow(/h\[1\]\[0\]/);
  });
});
