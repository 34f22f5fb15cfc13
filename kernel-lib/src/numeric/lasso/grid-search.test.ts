import { describe, expect, it } from 'vitest';
import { alexisDesignMatrix, alexisLambdaGrid, boundedLassoPath, lassoFitMetrics, lassoGridSearch } from '.';

/** Synthetic box sums: each cluster a pulse at its own time, bigger boxes collect more background. */
function scene(nc: number, nz: number, n = 90): { columns: number[][][]; sizes: number[]; xrs: number[] } {
  const sizes = [150, 100, 80, 50].slice(0, nz);
  const columns = Array.from({ length: nc }, (_, c) =>
    sizes.map((s) =>
      Array.from(
        { length: n },
        (_, t) =>
          s * s * (1 + 0.1 * Math.sin(t / 9 + c)) + 4e4 * Math.exp(-0.5 * ((t - 20 - 12 * c) / 5) ** 2) * (50 / s),
      ),
    ),
  );
  const xrs = Array.from(
    { length: n },
    (_, t) => 1e-6 + 5e-6 * Math.exp(-0.5 * ((t - 20) / 6) ** 2) + 2e-6 * Math.exp(-0.5 * ((t - 44) / 6) ** 2),
  );
  return { columns, sizes, xrs };
}

describe('lassoGridSearch', () => {
  it('matches a per-combination ALEXIS construction and solve (3 clusters x 2 boxes)', () => {
    const { columns, sizes, xrs } = scene(3, 2);
    const lams = alexisLambdaGrid();
    const grid = lassoGridSearch({ columns, boxSizesArcsec: sizes, xrs, lams });
    expect(grid.combinations).toBe(26);
    let bruteBest = -1;
    let bruteDist = Infinity;
    for (let i = 0; i < grid.combinations; i++) {
      const { clusters, boxes } = grid.combination(i);
      const { A, shape, x } = alexisDesignMatrix(
        clusters.map((c, j) => columns[c][boxes[j]]),
        boxes.map((z) => sizes[z]),
        xrs,
      );
      const ds = boundedLassoPath({ data: A, shape }, x, lams).map(
        (s) => lassoFitMetrics({ data: A, shape }, x, s.b).distance,
      );
      const min = Math.min(...ds.filter((v) => !Number.isNaN(v)));
      expect(grid.distance[i]).toBeCloseTo(min, 8);
      if (min < bruteDist) {
        bruteDist = min;
        bruteBest = i;
      }
    }
    expect(grid.best.index).toBe(bruteBest);
    expect(grid.best.metrics.distance).toBeCloseTo(bruteDist, 12);
  });

  it('enumerates subsets like itertools.combinations and boxes like itertools.product', () => {
    const { columns, sizes, xrs } = scene(3, 2);
    const grid = lassoGridSearch({ columns, boxSizesArcsec: sizes, xrs, lams: [0.01] });
    const order = Array.from({ length: 8 }, (_, i) => grid.combination(i));
    expect(order.slice(0, 6)).toEqual([
      { clusters: [0], boxes: [0] },
      { clusters: [0], boxes: [1] },
      { clusters: [1], boxes: [0] },
      { clusters: [1], boxes: [1] },
      { clusters: [2], boxes: [0] },
      { clusters: [2], boxes: [1] },
    ]);
    expect(order[6]).toEqual({ clusters: [0, 1], boxes: [0, 0] });
    expect(order[7]).toEqual({ clusters: [0, 1], boxes: [0, 1] });
    expect(grid.combination(25)).toEqual({ clusters: [0, 1, 2], boxes: [1, 1, 1] });
  });
});
