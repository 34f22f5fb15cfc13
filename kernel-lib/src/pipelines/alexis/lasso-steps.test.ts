import { describe, expect, it } from 'vitest';
import type { FitRow } from './catalogue-files';
import { hgsToHpc, harpSpans, insidePolygon, widenHarpWindow } from './harp-association';
import { clusterSubsets, collateFits, fitDistance, selectFits } from './lasso-steps';

const pair = (wl: string) => ({
  xrs_telescope: 'goes15',
  xrs_wavelength: 'B',
  img_telescope: 'SDO',
  img_instrument: 'AIA',
  img_wavelength: wl,
});

function row(wl: string, clusters: number[], coeff: number[], distance: number, k = 0): FitRow {
  return {
    gridsearch: k,
    pair: pair(wl),
    gridsearch_clusters: clusters,
    zoom_in_type: clusters.map(() => 100),
    lamda: 0.01,
    coeff,
    combinations: 4 ** clusters.length,
    metrics: { RMSE: 0, MSE: 0, pears_corr: 1, p_val: 0, vector_fit: 1, E_tot: 1 - distance, distance },
  };
}

describe('steps 8-11 (pure)', () => {
  it('numbers the subsets as itertools.combinations by size', () => {
    expect(clusterSubsets([0, 1, 2])).toEqual([[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]]);
  });

  it('recomputes the distance from the metrics (ALEXIS formula) and sorts NaN last', () => {
    const nan = row('94', [0], [0.5], NaN);
    nan.metrics.vector_fit = null;
    const rows = collateFits([nan, row('94', [1], [0.5], 0.3), row('94', [0], [0.5], 0.2)]);
    const d = rows.map((r) => r.metrics.distance);
    expect(d[0]).toBeCloseTo(0.2, 14);
    expect(d[1]).toBeCloseTo(0.3, 14);
    expect(d[2]).toBeNaN();
    expect(
      fitDistance({ RMSE: 0.1, MSE: 0.01, pears_corr: 0.8, p_val: 0, vector_fit: 0.9, E_tot: 1, distance: NaN }),
    ).toBeCloseTo(Math.sqrt(0.01 + 0.0001 + 0.01 + 0.01), 15);
  });

  it('keeps per pair the best fit of the surviving clusters, with the agreement, and skips pairs keeping none', () => {
    const rows = [
      // 131: best uses clusters 0,1 but 1 has 0.05 -> survivors (0); best (0)-only fit is kept
      row('131', [0, 1], [0.8, 0.05], 0.1, 3),
      row('131', [0], [0.9], 0.15, 0),
      row('131', [1], [0.9], 0.5, 1),
      // 171: best is (0) directly
      row('171', [0], [0.7], 0.12, 0),
      // 94: best has every coefficient under the threshold (ALEXIS's IndexError branch)
      row('94', [1], [0.05], 0.05, 1),
      // 211: survivors (1)
      row('211', [1], [0.6], 0.2, 1),
    ];
    const { kept, event } = selectFits(rows, 0.1);
    expect(kept.map((r) => [r.pair.img_wavelength, r.gridsearch_clusters, r.gridsearch_cluster_conf])).toEqual([
      ['171', [0], 2 / 3],
      ['131', [0], 2 / 3],
      ['211', [1], 1 / 3],
    ]);
    expect(event?.pair.img_wavelength).toBe('171');
    expect(selectFits(rows, 0.95).event).toBeNull();
  });
});

describe('HARPs (steps 12 and 14)', () => {
  const rec = (harp: number, minutesFromFlare: number, lat: [number, number], lon: [number, number]) => ({
    HARPNUM: harp,
    T_REC: new Date(Date.UTC(2011, 1, 8, 12) + minutesFromFlare * 60_000).toISOString(),
    NOAA_AR: harp + 10780,
    NOAA_ARS: String(harp + 10780),
    LAT_MIN: lat[0],
    LAT_MAX: lat[1],
    LON_MIN: lon[0],
    LON_MAX: lon[1],
  });
  it('widens the window over 30, 60, 120, 300, 500, 1000, 1400 minutes until a record appears', () => {
    const t = Date.UTC(2011, 1, 8, 12);
    expect(widenHarpWindow([rec(1, 250, [0, 1], [0, 1])], t).minutes).toBe(300);
    expect(widenHarpWindow([rec(1, -29, [0, 1], [0, 1])], t).minutes).toBe(30);
    expect(widenHarpWindow([rec(1, 1500, [0, 1], [0, 1])], t)).toEqual({ minutes: null, rows: [] });
  });
  it('draws the union box of a HARP in HPC and finds the positions inside it', () => {
    const R = 975;
    const spans = harpSpans([rec(7, 0, [10, 20], [-30, -20]), rec(7, 12, [12, 22], [-28, -18])], R);
    expect(spans).toHaveLength(1);
    expect([spans[0].latMin, spans[0].latMax, spans[0].lonMin, spans[0].lonMax]).toEqual([10, 22, -30, -18]);
    const [x, y] = hgsToHpc(16, -24, R);
    expect(insidePolygon(x, y, spans[0].hpcPolygon)).toBe(true);
    const [x2, y2] = hgsToHpc(16, -10, R);
    expect(insidePolygon(x2, y2, spans[0].hpcPolygon)).toBe(false);
    expect(y).toBeCloseTo(R * Math.sin((16 * Math.PI) / 180), 9);
  });
});
