/**
 * Vega-Lite specifications of the XPCS plots the gladier-xpcs `xpcs_plots.py` step makes (g2 grids
 * 3x3 per page, fitted decays, total intensity vs time, scattering pattern) plus tau(q) and the
 * two-time map. Pure functions: data in, spec out; `showVegaLite` renders them. Large maps are
 * block-averaged first so the inline spec (and its SVG) stays small.
 */
import { invalidArgument } from '../../errors/stagebook-error';
import { g2Model } from '../../analysis';
import type { VegaLiteSpec } from '../../display';

/** Input of {@link g2GridSpecs}: one curve per q (index q, then tau). */
export interface G2GridInput {
  /** Delays in frames. */
  taus: ArrayLike<number>;
  /** g2[q][tau] and its standard error. */
  g2: ArrayLike<number>[];
  stderr: ArrayLike<number>[];
  /** Panel title per q. */
  labels: string[];
  /** Fitted model per q (same tau unit as `taus`), drawn as a line; null = none. */
  fits?: Array<{ baseline: number; beta: number; tau: number; exponent: number } | null>;
  /** Seconds per frame (x axis in seconds); default 1 with the axis in frames. */
  timeScale?: number;
  /** Panels per page (default 9) and columns (default 3), as the 8-ID plots. */
  perPage?: number;
  columns?: number;
  title?: string;
}

function logGrid(lo: number, hi: number, n: number): number[] {
  const a = Math.log(lo);
  const b = Math.log(hi);
  return Array.from({ length: n }, (_, i) => Math.exp(a + ((b - a) * i) / (n - 1)));
}

/** One faceted Vega-Lite spec per page of `perPage` q bins: points, stderr bars, fitted curve. */
export function g2GridSpecs(input: G2GridInput): VegaLiteSpec[] {
  const where = 'g2GridSpecs';
  const nq = input.g2.length;
  if (input.stderr.length !== nq || input.labels.length !== nq) invalidArgument(where, 'input', `g2 (${nq}), stderr (${input.stderr.length}) and labels (${input.labels.length}) need one entry per q`);
  const perPage = input.perPage ?? 9;
  const scale = input.timeScale ?? 1;
  const positive = Array.from(input.taus).filter((t) => t > 0);
  if (positive.length === 0) invalidArgument(where, 'input.taus', 'needs at least one positive delay');
  const grid = logGrid(Math.min(...positive), Math.max(...positive), 60);
  const pages: VegaLiteSpec[] = [];
  for (let start = 0; start < nq; start += perPage) {
    const values: Record<string, unknown>[] = [];
    const labels = input.labels.slice(start, start + perPage);
    for (let q = start; q < Math.min(nq, start + perPage); q++) {
      const panel = input.labels[q];
      for (let i = 0; i < input.taus.length; i++) {
        const g = input.g2[q][i];
        const e = input.stderr[q][i];
        if (!(input.taus[i] > 0) || !Number.isFinite(g)) continue;
        values.push({ panel, kind: 'data', t: input.taus[i] * scale, g2: g, lo: g - (Number.isFinite(e) ? e : 0), hi: g + (Number.isFinite(e) ? e : 0) });
      }
      const f = input.fits?.[q];
      if (f) for (const t of grid) values.push({ panel, kind: 'fit', t: t * scale, fit: g2Model(t, f.baseline, f.beta, f.tau, f.exponent) });
    }
    const x = { field: 't', type: 'quantitative', scale: { type: 'log' }, title: scale === 1 ? 'delay (frames)' : 'delay (s)' };
    const isData = { filter: "datum.kind === 'data'" };
    pages.push({
      title: `${input.title ?? 'g2'}${nq > perPage ? ` (page ${pages.length + 1} of ${Math.ceil(nq / perPage)})` : ''}`,
      data: { values },
      columns: input.columns ?? 3,
      facet: { field: 'panel', type: 'nominal', sort: labels, header: { title: null } },
      spec: {
        width: 200, height: 130,
        layer: [
          { transform: [isData], mark: { type: 'errorbar', color: '#4c78a8' }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: { zero: false }, title: 'g2' }, y2: { field: 'hi' } } },
          { transform: [isData], mark: { type: 'point', filled: true, size: 16, color: '#4c78a8' }, encoding: { x, y: { field: 'g2', type: 'quantitative' } } },
          { transform: [{ filter: "datum.kind === 'fit'" }], mark: { type: 'line', color: '#e45756' }, encoding: { x, y: { field: 'fit', type: 'quantitative' } } },
        ],
      },
      resolve: { scale: { y: 'independent' } },
    });
  }
  return pages;
}

/** Block-averages an [h, w] map to at most `maxSize` cells per axis. Returns the map and the block size. */
export function downsampleMap(data: ArrayLike<number>, shape: [number, number], maxSize: number): { data: Float64Array; shape: [number, number]; block: number } {
  const [h, w] = shape;
  if (data.length !== h * w) invalidArgument('downsampleMap', 'data', `has ${data.length} values, shape [${h}, ${w}] needs ${h * w}`);
  const block = Math.max(1, Math.ceil(Math.max(h, w) / maxSize));
  const oh = Math.ceil(h / block);
  const ow = Math.ceil(w / block);
  const sum = new Float64Array(oh * ow);
  const count = new Float64Array(oh * ow);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x];
      if (!Number.isFinite(v)) continue;
      const o = Math.floor(y / block) * ow + Math.floor(x / block);
      sum[o] += v;
      count[o]++;
    }
  }
  return { data: sum.map((s, i) => (count[i] ? s / count[i] : NaN)), shape: [oh, ow], block };
}

/** Input of {@link heatmapSpec}. */
export interface HeatmapInput {
  data: ArrayLike<number>;
  /** [rows, cols]. */
  shape: [number, number];
  title: string;
  /** Colour by log10 of the values (zeros and negatives are left out). Default false. */
  log?: boolean;
  /** Largest number of cells per axis after block averaging (default 32: each cell costs ~200 bytes of SVG). */
  maxSize?: number;
  /** Colour domain (values outside are clamped); default: data range. */
  domain?: [number, number];
  /** Axis titles (default 'column (px)', 'row (px)') and units per cell (default 1). */
  xTitle?: string;
  yTitle?: string;
  scale?: number;
  colorTitle?: string;
  scheme?: string;
  /** Points drawn on top (column, row in input pixels), e.g. detected peaks. */
  points?: Array<{ x: number; y: number; label?: string }>;
}

/** A heat map of an [h, w] array (row 0 at the top, like an image). */
export function heatmapSpec(input: HeatmapInput): VegaLiteSpec {
  const d = downsampleMap(input.data, input.shape, input.maxSize ?? 32);
  const [h, w] = d.shape;
  const unit = (input.scale ?? 1) * d.block;
  const values: Record<string, number>[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const raw = d.data[y * w + x];
      const v = input.log ? (raw > 0 ? Math.log10(raw) : NaN) : raw;
      if (Number.isFinite(v)) values.push({ x0: x * unit, x1: (x + 1) * unit, y0: y * unit, y1: (y + 1) * unit, v });
    }
  }
  const color: Record<string, unknown> = { field: 'v', type: 'quantitative', title: input.colorTitle ?? (input.log ? 'log10' : 'value'), scale: { scheme: input.scheme ?? 'viridis', ...(input.domain ? { domain: input.domain, clamp: true } : {}) } };
  const x = { field: 'x0', type: 'quantitative', scale: { domain: [0, w * unit], nice: false }, title: input.xTitle ?? 'column (px)' };
  const y = { field: 'y0', type: 'quantitative', scale: { domain: [0, h * unit], nice: false, reverse: true }, title: input.yTitle ?? 'row (px)' };
  const map = { data: { values }, mark: { type: 'rect' }, encoding: { x, x2: { field: 'x1' }, y, y2: { field: 'y1' }, color } };
  const size = { title: input.title, width: 300, height: Math.round((300 * h) / w) };
  if (!input.points?.length) return { ...size, ...map };
  const s = input.scale ?? 1;
  // pixel centres: a point at (col, row) sits in the middle of its cell
  const pts = input.points.map((p) => ({ x0: (p.x + 0.5) * s, y0: (p.y + 0.5) * s, label: p.label ?? '' }));
  const overlay = { data: { values: pts }, mark: { type: 'point', shape: 'circle', size: 120, color: '#ff3b30', strokeWidth: 2 }, encoding: { x, y, tooltip: { field: 'label', type: 'nominal' } } };
  return { ...size, layer: [map, overlay] };
}

/**
 * The two-time map C(t1, t2) of one q bin ([n, n] row-major). The colour range is the 1st-99th
 * percentile of the values just off the diagonal (the diagonal carries the shot-noise term and
 * would wash out the map).
 */
export function twoTimeSpec(map: ArrayLike<number>, n: number, options: { timeScale?: number; title?: string; maxSize?: number } = {}): VegaLiteSpec {
  if (map.length !== n * n) invalidArgument('twoTimeSpec', 'map', `has ${map.length} values, n = ${n} needs ${n * n}`);
  const near: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < Math.min(n, i + 1 + Math.max(5, n / 10)); j++) if (Number.isFinite(map[i * n + j])) near.push(map[i * n + j]);
  near.sort((a, b) => a - b);
  const pick = (f: number): number => near[Math.min(near.length - 1, Math.floor(f * near.length))] ?? 1;
  const scale = options.timeScale ?? 1;
  const unit = scale === 1 ? 'frame' : 's';
  return heatmapSpec({
    data: map, shape: [n, n], title: options.title ?? 'Two-time correlation C(t1, t2)', scale, maxSize: options.maxSize ?? 40,
    xTitle: `t2 (${unit})`, yTitle: `t1 (${unit})`, domain: [pick(0.01), pick(0.99)], colorTitle: 'C', scheme: 'inferno',
  });
}

/** Mean intensity per pixel vs time (frameSum), averaged down to at most `maxPoints` points. */
export function intensitySpec(frameSum: ArrayLike<number>, options: { timeScale?: number; maxPoints?: number; title?: string } = {}): VegaLiteSpec {
  const n = frameSum.length;
  const step = Math.max(1, Math.ceil(n / (options.maxPoints ?? 1000)));
  const scale = options.timeScale ?? 1;
  const values: Record<string, number>[] = [];
  for (let i = 0; i < n; i += step) {
    let s = 0;
    const m = Math.min(step, n - i);
    for (let k = 0; k < m; k++) s += frameSum[i + k];
    values.push({ t: (i + (m - 1) / 2) * scale, intensity: s / m });
  }
  return {
    title: options.title ?? 'Total intensity vs time',
    width: 500, height: 160,
    data: { values },
    mark: { type: 'line', strokeWidth: 1 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: scale === 1 ? 'frame' : 'time (s)' },
      y: { field: 'intensity', type: 'quantitative', scale: { zero: false }, title: 'mean counts / pixel' },
    },
  };
}

/** Decay time vs q on log-log axes, with error bars and, optionally, the generator's values. */
export function tauVsQSpec(rows: Array<{ q: number; tau: number; tauErr: number; trueTau?: number }>, options: { unit?: string; title?: string } = {}): VegaLiteSpec {
  const values: Record<string, unknown>[] = [];
  for (const r of rows) {
    values.push({ q: r.q, tau: r.tau, lo: Math.max(r.tau - r.tauErr, r.tau * 1e-3), hi: r.tau + r.tauErr, source: 'fit (+-1 sigma)' });
    if (r.trueTau !== undefined) values.push({ q: r.q, tau: r.trueTau, source: 'generator' });
  }
  const x = { field: 'q', type: 'quantitative', scale: { type: 'log' }, title: 'q (1/A)' };
  const y = { field: 'tau', type: 'quantitative', scale: { type: 'log' }, title: `tau (${options.unit ?? 's'})` };
  const color = { field: 'source', type: 'nominal', title: null };
  return {
    title: options.title ?? 'Decay time vs q (diffusion: tau = 1 / (D q^2))',
    width: 360, height: 240,
    data: { values },
    layer: [
      { transform: [{ filter: 'isValid(datum.lo)' }], mark: { type: 'errorbar' }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: { type: 'log' }, title: y.title }, y2: { field: 'hi' }, color } },
      { mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y, color, shape: { field: 'source', type: 'nominal', title: null } } },
    ],
  };
}
