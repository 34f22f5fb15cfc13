/**
 * What notebook 04 shows for one working directory after steps 8-16: the event fit's curves (the
 * normalised XRS, the fitted combination L = A.b and each chosen cluster's A_j b_j), the bounded-
 * LASSO path of that matrix (coefficients against lam), and Vega-Lite specs for them.
 */
import path from 'node:path';
import { boundedLassoPath } from '../../numeric/lasso';
import { FILES, eventFitFileSchema, gridsearchFileSchema, readCatalogueFile } from './catalogue-files';
import { fittedColumns } from './flare-steps';
import { logspace } from './lasso-stages';

type Spec = Record<string, unknown>;

export interface EventFitCurves {
  workingDir: string;
  pair: string;
  clusters: number[];
  coeff: number[];
  lam: number;
  times: string[];
  x: number[];
  fit: number[];
  /** A_j b_j per chosen cluster. */
  clusterCurves: number[][];
  /** The columns A_j (for the lam path). */
  A: number[][];
}

/** The event fit of a working directory (null when step 11 kept none). */
export function eventFitCurves(workingDir: string): EventFitCurves | null {
  const ev = readCatalogueFile(path.join(workingDir, FILES.eventFit), eventFitFileSchema);
  if (!ev.fit) return null;
  const grid = readCatalogueFile(path.join(workingDir, FILES.gridsearch(ev.fit.gridsearch)), gridsearchFileSchema);
  const { A, x, times } = fittedColumns(ev.fit, grid);
  const b = ev.fit.coeff;
  const p = ev.fit.pair;
  return {
    workingDir: ev.workingDir,
    pair: `${p.img_telescope}-${p.img_instrument}-${p.img_wavelength} / ${p.xrs_telescope}-${p.xrs_wavelength}`,
    clusters: ev.fit.gridsearch_clusters,
    coeff: b,
    lam: ev.fit.lamda,
    times: times.map((t) => new Date(t * 1000).toISOString()),
    x,
    fit: x.map((_, t) => A.reduce((s, col, j) => s + col[t] * b[j], 0)),
    clusterCurves: A.map((col, j) => col.map((v) => v * b[j])),
    A,
  };
}

/**
 * `fit`: XRS (normalised, low-passed) and the fitted combination A.b; `clusters`: each chosen
 * cluster's contribution A_j b_j beside the XRS.
 */
export function fitCurvesSpec(c: EventFitCurves, which: 'fit' | 'clusters' = 'fit'): Spec {
  const rows = c.times.flatMap((time, t) => [
    { time, series: 'XRS (normalised)', value: c.x[t] },
    ...(which === 'fit'
      ? [{ time, series: 'fit A.b', value: c.fit[t] }]
      : c.clusterCurves.map((v, j) => ({
          time,
          series: `cluster ${c.clusters[j]} (b=${c.coeff[j].toFixed(2)})`,
          value: v[t],
        }))),
  ]);
  return {
    title: `${which === 'fit' ? 'XRS and the fitted combination' : "the chosen clusters' curves"}: ${c.pair}, lam ${c.lam.toPrecision(3)}`,
    width: 560,
    height: 220,
    data: { values: rows },
    mark: { type: 'line', point: false },
    encoding: {
      x: { field: 'time', type: 'temporal', title: 'UTC' },
      y: { field: 'value', type: 'quantitative', title: 'normalised flux' },
      color: { field: 'series', type: 'nominal', title: null },
      strokeDash: { condition: { test: "datum.series === 'fit A.b'", value: [6, 3] }, value: [1, 0] },
    },
  };
}

/** The bounded-LASSO path (0 <= b <= 1) of the event fit's matrix over ALEXIS's lam grid. */
export function lassoPathSpec(c: EventFitCurves, lams: number[] = logspace(-3, 1, 50)): Spec {
  const n = c.x.length;
  const k = c.A.length;
  const data = new Float64Array(n * k);
  for (let t = 0; t < n; t++) for (let j = 0; j < k; j++) data[t * k + j] = c.A[j][t];
  const path = boundedLassoPath({ data, shape: [n, k] }, c.x, lams);
  const rows = path.flatMap((s, i) =>
    Array.from(s.b, (b, j) => ({ lam: lams[i], cluster: `cluster ${c.clusters[j]}`, b })),
  );
  return {
    title: 'LASSO path: coefficients against lam (chosen lam as a rule)',
    width: 560,
    height: 200,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'lam', type: 'quantitative', scale: { type: 'log' }, title: 'lam' },
          y: { field: 'b', type: 'quantitative', title: 'coefficient', scale: { domain: [0, 1] } },
          color: { field: 'cluster', type: 'nominal', title: null },
        },
      },
      {
        data: { values: [{ lam: c.lam }] },
        mark: { type: 'rule', strokeDash: [4, 3] },
        encoding: { x: { field: 'lam', type: 'quantitative' } },
      },
    ],
  };
}
