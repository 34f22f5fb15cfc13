/**
 * Vega-Lite specifications of the XPCS plots the gladier-xpcs `xpcs_plots.py` step makes (g2 grids
 * 3x3 per page with fitted decays, total intensity vs time, scattering pattern) plus tau(q) with the
 * diffusion fit, contrast and baseline vs q, and the two-time map. Pure functions: data in, spec
 * out; `showVegaLite` shows them, `renderPng(spec)` writes them as PNG files. Images are rasters at
 * full resolution (display/image-plot.ts), see pattern-plots.ts.
 */
import { invalidArgument } from '../../errors/stagebook-error';
import { g2Model } from '../../analysis';
import { READABLE_AXIS, type VegaLiteSpec } from '../../display';

export {
  heatmapSpec,
  scatteringPatternSpecs,
  twoTimeSpec,
  ringMeans,
  downsampleMap,
  type HeatmapInput,
  type PatternInput,
} from './pattern-plots';

/** Unit of q on every axis and in every label (the legacy files store 1/Å). */
export const Q_UNIT = 'Å⁻¹';

/** A log scale fitted to the data: vega's default `nice` widens it to whole decades (mostly empty). */
const LOG_FIT = { type: 'log', nice: false, padding: 16 } as const;

/** Input of {@link g2GridSpecs}: one curve per q (index q, then tau). */
export interface G2GridInput {
  /** Delays in frames. */
  taus: ArrayLike<number>;
  /** g2[q][tau] and its standard error. */
  g2: ArrayLike<number>[];
  stderr: ArrayLike<number>[];
  /** Panel title per q. */
  labels: string[];
  /** Fitted model per q (same tau unit as `taus`), drawn as a line and named in the panel's legend; null = none. */
  fits?: Array<{ baseline: number; beta: number; tau: number; exponent: number } | null>;
  /** Seconds per frame (x axis in seconds); default 1 with the axis in frames. */
  timeScale?: number;
  /** Panels per page (default 9) and at most this many columns (default 3), as the 8-ID plots. */
  perPage?: number;
  columns?: number;
  title?: string;
}

function logGrid(lo: number, hi: number, n: number): number[] {
  const a = Math.log(lo);
  const b = Math.log(hi);
  return Array.from({ length: n }, (_, i) => Math.exp(a + ((b - a) * i) / (n - 1)));
}

/**
 * Error bars as a rule from lo to hi plus end ticks. A rule with y and y2 puts both ends into the y
 * domain (vega-lite's `errorbar` over pre-computed lo/hi fields does not: long bars were clipped).
 */
function errorBarLayers(
  x: object,
  scale: object | undefined,
  encoding: Record<string, unknown>,
  filter?: string,
  title: string | null = null,
  ticks = true,
): VegaLiteSpec[] {
  const transform = filter ? [{ filter }] : [];
  const y = (field: string): object => ({ field, type: 'quantitative', title, ...(scale ? { scale } : {}) });
  // aria: false: no per-mark aria-label in the SVG twin (half its size on a g2 grid; tooltips stay)
  const rule = {
    transform,
    mark: { type: 'rule', strokeWidth: 1.5, aria: false },
    encoding: { x, y: y('lo'), y2: { field: 'hi' }, ...encoding },
  };
  if (!ticks) return [rule];
  return [
    rule,
    {
      transform,
      mark: { type: 'tick', orient: 'horizontal', size: 6, thickness: 1.5 },
      encoding: { x, y: y('lo'), ...encoding },
    },
    {
      transform,
      mark: { type: 'tick', orient: 'horizontal', size: 6, thickness: 1.5 },
      encoding: { x, y: y('hi'), ...encoding },
    },
  ];
}

/** Compact number for labels: 3 significant digits, exponent form outside 1e-3..1e4. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4)
    ? v.toExponential(2).replace(/\.?0+e/, 'e')
    : String(Number(v.toPrecision(3)));
}

/** Columns that leave no empty facet when possible (4 panels: 2x2, not 3+1). */
function gridColumns(n: number, max: number): number {
  for (let c = Math.min(max, n); c > 1; c--) if (n % c === 0) return c;
  return Math.min(max, n);
}

/**
 * One faceted spec per page of `perPage` q bins: g2 points with visible +-1 stderr bars, the fitted
 * curve, and a legend per panel naming the fit (tau, beta). q bins without a finite g2 value are
 * left out (no empty facets); the grid's columns divide the panel count when they can.
 */
export function g2GridSpecs(input: G2GridInput): VegaLiteSpec[] {
  const where = 'g2GridSpecs';
  const nq = input.g2.length;
  if (input.stderr.length !== nq || input.labels.length !== nq)
    invalidArgument(
      where,
      'input',
      `g2 (${nq}), stderr (${input.stderr.length}) and labels (${input.labels.length}) need one entry per q`,
    );
  const perPage = input.perPage ?? 9;
  const scale = input.timeScale ?? 1;
  const unit = scale === 1 ? 'frames' : 's';
  const positive = Array.from(input.taus).filter((t) => t > 0);
  if (positive.length === 0) invalidArgument(where, 'input.taus', 'needs at least one positive delay');
  const grid = logGrid(Math.min(...positive), Math.max(...positive), 60);
  const shown = Array.from({ length: nq }, (_, q) => q).filter((q) =>
    Array.from(input.g2[q]).some((g, i) => input.taus[i] > 0 && Number.isFinite(g)),
  );
  const pages: VegaLiteSpec[] = [];
  for (let start = 0; start < shown.length; start += perPage) {
    const page = shown.slice(start, start + perPage);
    const values: Record<string, unknown>[] = [];
    for (const q of page) {
      const panel = input.labels[q];
      const f = input.fits?.[q];
      const fitName = f ? `fit: τ = ${fmt(f.tau * scale)} ${unit}, β = ${fmt(f.beta)}` : undefined;
      for (let i = 0; i < input.taus.length; i++) {
        const g = input.g2[q][i];
        const e = input.stderr[q][i];
        if (!(input.taus[i] > 0) || !Number.isFinite(g)) continue;
        const err = Number.isFinite(e) ? e : 0;
        values.push({ panel, series: 'g2 ± 1σ', t: input.taus[i] * scale, g2: g, lo: g - err, hi: g + err });
      }
      if (f && fitName)
        for (const t of grid)
          values.push({ panel, series: fitName, t: t * scale, g2: g2Model(t, f.baseline, f.beta, f.tau, f.exponent) });
    }
    const x = {
      field: 't',
      type: 'quantitative',
      scale: { type: 'log' },
      title: `delay (${unit})`,
      axis: { ...READABLE_AXIS, format: '~g' },
    };
    const y = {
      field: 'g2',
      type: 'quantitative',
      scale: { zero: false, padding: 8 },
      title: 'g2',
      axis: READABLE_AXIS,
    };
    // above each panel: inside it the legend would sit on the decay (upper left) or the baseline (right),
    // below it, it would come between the bottom row and the shared delay axis
    const color = {
      field: 'series',
      type: 'nominal',
      title: null,
      scale: { range: ['#d62728', '#1f4e9c'] },
      legend: { orient: 'top', direction: 'vertical', labelLimit: 280 },
    };
    const data = { filter: "datum.series === 'g2 ± 1σ'" };
    pages.push({
      title: `${input.title ?? 'g2'}${shown.length > perPage ? ` (page ${pages.length + 1} of ${Math.ceil(shown.length / perPage)})` : ''}`,
      data: { values },
      columns: gridColumns(page.length, input.columns ?? 3),
      facet: {
        field: 'panel',
        type: 'nominal',
        sort: page.map((q) => input.labels[q]),
        header: { title: null, labelFontSize: 11 },
      },
      spec: {
        width: 240,
        height: 170,
        layer: [
          // rules without end ticks: 9 panels x 30 delays of ticks would double the SVG
          ...errorBarLayers(x, { zero: false, padding: 8 }, { color }, data.filter, 'g2', false),
          {
            transform: [data],
            mark: { type: 'point', filled: true, size: 14, aria: false },
            encoding: {
              x,
              y,
              color,
              tooltip: [
                { field: 't', type: 'quantitative', format: '.3g' },
                { field: 'g2', type: 'quantitative', format: '.4f' },
              ],
            },
          },
          {
            transform: [{ filter: "datum.series !== 'g2 ± 1σ'" }],
            mark: { type: 'line', strokeWidth: 2 },
            encoding: { x, y, color },
          },
        ],
      },
      resolve: { scale: { y: 'independent', color: 'independent' }, legend: { color: 'independent' } },
    });
  }
  return pages;
}

/** Mean intensity per pixel vs time (frameSum), averaged down to at most `maxPoints` points (default 600: ~1 per px). */
export function intensitySpec(
  frameSum: ArrayLike<number>,
  options: { timeScale?: number; maxPoints?: number; title?: string; width?: number } = {},
): VegaLiteSpec {
  const n = frameSum.length;
  const step = Math.max(1, Math.ceil(n / (options.maxPoints ?? 600)));
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
    width: options.width ?? 500,
    height: 160,
    data: { values },
    mark: { type: 'line', strokeWidth: 1 },
    encoding: {
      // '~g' trims trailing zeros (0.1, not 0.100); greedy overlap removal keeps labels apart at any width
      x: {
        field: 't',
        type: 'quantitative',
        title: scale === 1 ? 'frame' : 'time (s)',
        axis: { ...READABLE_AXIS, format: '~g' },
      },
      y: {
        field: 'intensity',
        type: 'quantitative',
        scale: { zero: false },
        title: 'mean counts / pixel / frame',
        axis: { ...READABLE_AXIS, format: '~g' },
      },
    },
  };
}

/** Weighted least-squares diffusion fit tau = 1 / (D q^2) in log space (slope fixed at -2). */
export function diffusionFit(
  rows: Array<{ q: number; tau: number; tauErr: number }>,
): { D: number; DErr: number } | undefined {
  let sw = 0;
  let swy = 0;
  for (const r of rows) {
    if (!(r.q > 0 && r.tau > 0)) continue;
    const sigma = r.tauErr > 0 && Number.isFinite(r.tauErr) ? r.tauErr / r.tau : 1; // error of ln(tau)
    const w = 1 / (sigma * sigma);
    sw += w;
    swy += w * (-Math.log(r.tau) - 2 * Math.log(r.q)); // ln D = -ln tau - 2 ln q
  }
  if (sw === 0) return undefined;
  const D = Math.exp(swy / sw);
  return { D, DErr: D / Math.sqrt(sw) };
}

/** Decay time vs q on log-log axes with error bars, the fitted diffusion line and, optionally, the generator's values. */
export function tauVsQSpec(
  rows: Array<{ q: number; tau: number; tauErr: number; trueTau?: number }>,
  options: { unit?: string; title?: string } = {},
): VegaLiteSpec {
  const unit = options.unit ?? 's';
  const values: Record<string, unknown>[] = [];
  for (const r of rows) {
    values.push({
      q: r.q,
      tau: r.tau,
      lo: Math.max(r.tau - r.tauErr, r.tau * 1e-3),
      hi: r.tau + r.tauErr,
      source: 'fit ± 1σ',
    });
    if (r.trueTau !== undefined) values.push({ q: r.q, tau: r.trueTau, source: 'generator' });
  }
  const fit = diffusionFit(rows);
  const qs = rows.map((r) => r.q).filter((q) => q > 0);
  const lineName = fit ? `diffusion: D = ${fmt(fit.D)} ± ${fmt(fit.DErr)} Å²/${unit}` : '';
  if (fit && qs.length)
    for (const q of logGrid(Math.min(...qs) * 0.9, Math.max(...qs) * 1.1, 20))
      values.push({ q, tau: 1 / (fit.D * q * q), source: lineName });
  const x = {
    field: 'q',
    type: 'quantitative',
    scale: LOG_FIT,
    title: `q (${Q_UNIT})`,
    axis: { ...READABLE_AXIS, format: '~g' },
  };
  const y = {
    field: 'tau',
    type: 'quantitative',
    scale: LOG_FIT,
    title: `τ (${unit})`,
    axis: { ...READABLE_AXIS, format: '~g' },
  };
  const domain = [
    'fit ± 1σ',
    ...(rows.some((r) => r.trueTau !== undefined) ? ['generator'] : []),
    ...(fit ? [lineName] : []),
  ];
  const color = {
    field: 'source',
    type: 'nominal',
    title: null,
    scale: { domain, range: ['#1f4e9c', '#2ca02c', '#d62728'].slice(0, domain.length) },
    legend: { orient: 'top-right', labelLimit: 300 },
  };
  return {
    title: options.title ?? 'Decay time vs q (diffusion: τ = 1 / (D q²))',
    width: 380,
    height: 260,
    data: { values },
    layer: [
      {
        transform: [{ filter: "datum.source !== 'fit ± 1σ' && datum.source !== 'generator'" }],
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: { x, y, color },
      },
      ...errorBarLayers(x, LOG_FIT, { color }, 'isValid(datum.lo)', y.title),
      {
        transform: [{ filter: "datum.source === 'fit ± 1σ' || datum.source === 'generator'" }],
        mark: { type: 'point', filled: true, size: 50 },
        encoding: { x, y, color },
      },
    ],
  };
}

/** Contrast (beta) and baseline vs q, side by side, with the fit's error bars. */
export function contrastBaselineSpec(
  fits: Array<{ q: number; beta: number; betaErr: number; baseline: number; baselineErr: number }>,
  options: { title?: string } = {},
): VegaLiteSpec {
  const values = fits.flatMap((f) => [
    { q: f.q, quantity: 'contrast β', v: f.beta, lo: f.beta - f.betaErr, hi: f.beta + f.betaErr },
    { q: f.q, quantity: 'baseline', v: f.baseline, lo: f.baseline - f.baselineErr, hi: f.baseline + f.baselineErr },
  ]);
  const x = {
    field: 'q',
    type: 'quantitative',
    scale: LOG_FIT,
    title: `q (${Q_UNIT})`,
    axis: { ...READABLE_AXIS, format: '~g' },
  };
  const y = { field: 'v', type: 'quantitative', scale: { zero: false, padding: 8 }, title: null, axis: READABLE_AXIS };
  return {
    title: options.title ?? 'Fitted contrast and baseline vs q (± 1σ)',
    data: { values },
    columns: 2,
    facet: {
      field: 'quantity',
      type: 'nominal',
      sort: ['contrast β', 'baseline'],
      header: { title: null, labelFontSize: 12 },
    },
    spec: {
      width: 240,
      height: 170,
      layer: [
        ...errorBarLayers(x, { zero: false, padding: 8 }, { color: { value: '#1f4e9c' } }),
        { mark: { type: 'point', filled: true, size: 40, color: '#1f4e9c' }, encoding: { x, y } },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Ring-averaged intensity vs q (one point per q bin), log-log. */
export function intensityVsQSpec(
  rows: Array<{ q: number; intensity: number }>,
  options: { title?: string; unit?: string } = {},
): VegaLiteSpec {
  const values = rows.filter((r) => r.q > 0 && r.intensity > 0);
  return {
    title: options.title ?? 'Intensity vs q (ring average of the time-averaged pattern)',
    width: 380,
    height: 240,
    data: { values },
    mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 1.5, color: '#1f4e9c' },
    encoding: {
      x: {
        field: 'q',
        type: 'quantitative',
        scale: LOG_FIT,
        title: `q (${Q_UNIT})`,
        axis: { ...READABLE_AXIS, format: '~g' },
      },
      y: {
        field: 'intensity',
        type: 'quantitative',
        scale: LOG_FIT,
        title: options.unit ?? 'mean counts / pixel / frame',
        axis: { ...READABLE_AXIS, format: '~g' },
      },
    },
  };
}
