/**
 * XPCS image plots as rasters at full resolution (display/image-plot.ts): the scattering pattern
 * (linear and log, masked pixels in grey), the two-time map, and the generic `heatmapSpec` the
 * notebooks use. Pure functions: data in, Vega-Lite spec out.
 */
import { invalidArgument } from '../../errors/stagebook-error';
import { imageSpec, quantiles, type ImageOverlay, type VegaLiteSpec } from '../../display';

export { downsampleMap } from '../../display';

/** Input of {@link heatmapSpec}. */
export interface HeatmapInput {
  data: ArrayLike<number>;
  /** [rows, cols]. */
  shape: [number, number];
  title: string;
  subtitle?: string;
  /** Colour by log10 of the values (zeros and negatives show as masked). Default false. */
  log?: boolean;
  /** Largest number of pixels per axis before block averaging (default 1024). */
  maxSize?: number;
  /** Colour domain (values outside are clamped); default: 0.5-99.5th percentile. */
  domain?: [number, number];
  /** Axis titles (default 'column (px)', 'row (px)') and axis units per pixel (default 1). */
  xTitle?: string;
  yTitle?: string;
  scale?: number;
  colorTitle?: string;
  scheme?: string;
  reverse?: boolean;
  /** 'upper' (default: row 0 at the top, like a detector image) or 'lower' (row 0 at the bottom). */
  origin?: 'upper' | 'lower';
  /** Non-zero = masked pixel, drawn grey. */
  mask?: ArrayLike<number>;
  /** Points drawn on top (column, row in input pixels), e.g. detected peaks. */
  points?: Array<{ x: number; y: number; label?: string }>;
  /** Named marker groups (column, row in input pixels); `points` is a group named "points". */
  overlays?: ImageOverlay[];
  width?: number;
}

/** A raster image of an [h, w] array with pixel-centred markers. */
export function heatmapSpec(input: HeatmapInput): VegaLiteSpec {
  const [h, w] = input.shape;
  const s = input.scale ?? 1;
  const origin = input.origin ?? 'upper';
  const groups: ImageOverlay[] = [
    ...(input.overlays ?? []),
    ...(input.points?.length ? [{ name: 'points', points: input.points, color: '#ff3b30' }] : []),
  ];
  // pixel (col, row) covers [col, col + 1) x [row, row + 1): its centre is at + 0.5
  const overlays = groups.map((g) => ({
    ...g,
    points: g.points.map((p) => ({ ...p, x: (p.x + 0.5) * s, y: (p.y + 0.5) * s })),
  }));
  return imageSpec({
    data: input.data,
    shape: input.shape,
    log: input.log,
    domain: input.domain,
    scheme: input.scheme,
    reverse: input.reverse,
    mask: input.mask,
    origin,
    maxSize: input.maxSize,
    title: input.title,
    subtitle: input.subtitle,
    colorTitle: input.colorTitle,
    width: input.width,
    extent: [0, w * s, origin === 'lower' ? 0 : h * s, origin === 'lower' ? h * s : 0],
    xTitle: input.xTitle ?? 'column (px)',
    yTitle: input.yTitle ?? 'row (px)',
    overlays,
  });
}

/** Input of {@link scatteringPatternSpecs}. */
export interface PatternInput {
  /** Time-averaged intensity per pixel (pixelSum / frames, or pixelSum). */
  data: ArrayLike<number>;
  shape: [number, number];
  /** q-bin map (dqmap), 0 = masked: those pixels are drawn grey. */
  binMap?: ArrayLike<number>;
  title?: string;
  colorTitle?: string;
}

/**
 * The scattering pattern twice, linear and log10 colour, with the masked pixels (bin 0) in grey
 * and counted in the subtitle: they are excluded from the correlation, not zero.
 */
export function scatteringPatternSpecs(input: PatternInput): [VegaLiteSpec, VegaLiteSpec] {
  const n = input.shape[0] * input.shape[1];
  if (input.data.length !== n)
    invalidArgument('scatteringPatternSpecs', 'data', `has ${input.data.length} values, shape needs ${n}`);
  const mask = input.binMap ? Uint8Array.from({ length: n }, (_, i) => (input.binMap![i] === 0 ? 1 : 0)) : undefined;
  const masked = mask ? mask.reduce((a, v) => a + v, 0) : 0;
  const subtitle = mask ? `grey: ${masked} masked pixels (q bin 0, excluded from the analysis)` : undefined;
  const title = input.title ?? 'Scattering pattern';
  const colorTitle = input.colorTitle ?? 'counts/px/frame';
  const linear = heatmapSpec({
    data: input.data,
    shape: input.shape,
    mask,
    title: `${title} (linear)`,
    subtitle,
    colorTitle,
    scheme: 'viridis',
  });
  const log = heatmapSpec({
    data: input.data,
    shape: input.shape,
    mask,
    log: true,
    title: `${title} (log)`,
    subtitle,
    colorTitle: `log10 ${colorTitle}`,
    scheme: 'viridis',
  });
  return [linear, log];
}

/** Mean of `data` over the pixels of each bin 1..nBins of `binMap` (bin 0 = masked, ignored). */
export function ringMeans(data: ArrayLike<number>, binMap: ArrayLike<number>, nBins?: number): Float64Array {
  const n = nBins ?? Array.from(binMap).reduce((a, v) => Math.max(a, v), 0);
  const sum = new Float64Array(n);
  const count = new Float64Array(n);
  for (let i = 0; i < data.length; i++) {
    const b = binMap[i];
    if (b >= 1 && b <= n && Number.isFinite(data[i])) {
      sum[b - 1] += data[i];
      count[b - 1]++;
    }
  }
  return sum.map((s, i) => (count[i] ? s / count[i] : NaN));
}

/**
 * The two-time map C(t1, t2) of one q bin ([n, n] row-major) at full resolution up to 400 per axis
 * (a 1000-frame map is averaged 3x3: its noise does not compress, and at 1000 px the map alone
 * would take ~1 MB of notebook; a 30-frame decay band stays 10 cells wide), t1 up from the bottom
 * as in the XPCS two-time plots (origin 'lower'). `maxSize: 1024` for full resolution. The colour range is
 * the 1st-99th percentile of the values just off the diagonal (the diagonal carries the shot-noise
 * term and would wash out the map).
 */
export function twoTimeSpec(
  map: ArrayLike<number>,
  n: number,
  options: { timeScale?: number; title?: string; maxSize?: number } = {},
): VegaLiteSpec {
  if (map.length !== n * n) invalidArgument('twoTimeSpec', 'map', `has ${map.length} values, n = ${n} needs ${n * n}`);
  const near: number[] = [];
  const band = Math.max(5, n / 10);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < Math.min(n, i + 1 + band); j++)
      if (Number.isFinite(map[i * n + j])) near.push(map[i * n + j]);
  const [lo, hi] = quantiles(near, [0.01, 0.99]);
  const scale = options.timeScale ?? 1;
  const unit = scale === 1 ? 'frame' : 's';
  return heatmapSpec({
    data: map,
    shape: [n, n],
    title: options.title ?? 'Two-time correlation C(t1, t2)',
    scale,
    maxSize: options.maxSize ?? 400,
    origin: 'lower',
    xTitle: `t2 (${unit})`,
    yTitle: `t1 (${unit})`,
    domain: Number.isFinite(lo) && hi > lo ? [lo, hi] : undefined,
    colorTitle: 'C',
    scheme: 'inferno',
  });
}
