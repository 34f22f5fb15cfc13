/**
 * An image plot as a Vega-Lite spec (pure: data in, spec out): the raster (display/raster.ts) as
 * one `image` mark placed by its extent on quantitative axes, a colour legend from an invisible
 * layer over the same scheme and domain, and marker overlays (peaks, centroids) with their own
 * legend. Like matplotlib's `imshow(data, origin=..., extent=..., cmap=...)` + `scatter`.
 */
import { invalidArgument } from '../errors/stagebook-error';
import { rasterImage, type RasterInput } from './raster';
import type { VegaLiteSpec } from './vega';

/** A group of markers drawn over the image, in axis units. */
export interface ImageOverlay {
  /** Legend entry, e.g. `peaks (12)`. */
  name: string;
  points: Array<{ x: number; y: number; label?: string }>;
  /** vega shape: circle, square, cross, diamond, triangle-up, ... (default circle). */
  shape?: string;
  /** Stroke colour; pick one that stays visible on every colour of the map (default cyan). */
  color?: string;
  /** Marker area in px^2 (default 80). */
  size?: number;
}

export interface ImageSpecInput extends RasterInput {
  title: string;
  /** Optional second title line (e.g. what the grey pixels are). */
  subtitle?: string;
  /**
   * Axis coordinates of the outer pixel edges [left, right, bottom, top] as matplotlib's `extent`
   * (default pixel edges: [0, cols, 0, rows] with 'lower', [0, cols, rows, 0] with 'upper').
   */
  extent?: [number, number, number, number];
  xTitle?: string;
  yTitle?: string;
  colorTitle?: string;
  /** Plot width in px (default: the image's pixel width, clamped to 300..480). */
  width?: number;
  overlays?: ImageOverlay[];
}

/** Axis settings shared by every stagebook plot: labels never overlap, whatever the width. */
export const READABLE_AXIS = {
  labelOverlap: 'greedy',
  labelSeparation: 6,
  labelFlush: true,
  tickCount: 6,
  titlePadding: 8,
} as const;

/** A raster image plot (see {@link ImageSpecInput}). */
export function imageSpec(input: ImageSpecInput): VegaLiteSpec {
  const [rows, cols] = input.shape;
  const raster = rasterImage(input);
  const lower = input.origin === 'lower';
  const [left, right, bottom, top] = input.extent ?? [0, cols, lower ? 0 : rows, lower ? rows : 0];
  if (![left, right, bottom, top].every(Number.isFinite) || left === right || bottom === top)
    invalidArgument(
      'imageSpec',
      'extent',
      `needs four finite, non-degenerate edges, got ${JSON.stringify(input.extent)}`,
    );
  const width = input.width ?? Math.max(300, Math.min(480, raster.width));
  const height = Math.round((width * rows) / cols); // square pixels, as imshow's default aspect
  const x = {
    field: 'x',
    type: 'quantitative',
    title: input.xTitle ?? 'column (px)',
    scale: { domain: [left, right], nice: false, zero: false },
    axis: READABLE_AXIS,
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    title: input.yTitle ?? 'row (px)',
    scale: { domain: [bottom, top], nice: false, zero: false },
    axis: READABLE_AXIS,
  };
  // The image's top-left corner is (left, top) whatever the axis direction: the PNG's row 0 is the top row.
  const image = {
    data: { values: [{ x: left, x2: right, y: top, y2: bottom, url: raster.url }] },
    mark: { type: 'image', aspect: false, smooth: false, aria: false },
    encoding: { x, x2: { field: 'x2' }, y, y2: { field: 'y2' }, url: { field: 'url', type: 'nominal' } },
  };
  const colorScale = {
    scheme: input.scheme ?? 'viridis',
    reverse: input.reverse === true,
    domain: raster.domain,
    clamp: true,
  };
  const legend = {
    data: { values: [{ v: raster.domain[0] }, { v: raster.domain[1] }] },
    mark: { type: 'point', opacity: 0, aria: false },
    encoding: {
      x: { datum: left, type: 'quantitative' },
      y: { datum: bottom, type: 'quantitative' },
      color: {
        field: 'v',
        type: 'quantitative',
        title: input.colorTitle ?? (input.log ? 'log10' : 'value'),
        scale: colorScale,
        legend: { titleLimit: 240 },
      },
    },
  };
  const layers: VegaLiteSpec[] = [image, legend];
  const groups = (input.overlays ?? []).filter((g) => g.points.length > 0);
  if (groups.length) layers.push(...overlayLayers(groups, x, y));
  const subtitle =
    input.subtitle ??
    (raster.block > 1
      ? `block-averaged ${raster.block}x${raster.block} to ${raster.width}x${raster.height} px`
      : undefined);
  return {
    title: subtitle ? { text: input.title, subtitle } : input.title,
    width,
    height: Math.max(80, height),
    layer: layers,
    resolve: { scale: { color: 'independent' } },
    // The raster is the content: the PNG twin at 1x (GitHub and nbconvert show it) and no SVG twin,
    // which would only wrap the same bitmap again (display/vega.ts reads these defaults).
    usermeta: { stagebook: { pngScale: 1, svg: false } },
  };
}

/**
 * One layer per marker group (each with its own size), sharing stroke and shape scales with an
 * explicit domain, so vega-lite merges them into one legend.
 */
function overlayLayers(groups: ImageOverlay[], x: object, y: object): VegaLiteSpec[] {
  const domain = groups.map((g) => g.name);
  const stroke = {
    field: 'group',
    type: 'nominal',
    title: null,
    scale: { domain, range: groups.map((g) => g.color ?? '#00e5ff') },
    legend: { orient: 'bottom', direction: 'horizontal', labelLimit: 320 },
  };
  const shape = {
    field: 'group',
    type: 'nominal',
    title: null,
    scale: { domain, range: groups.map((g) => g.shape ?? 'circle') },
    legend: { orient: 'bottom', direction: 'horizontal', labelLimit: 320 },
  };
  return groups.map((g) => ({
    data: {
      values: g.points.map((p) => ({
        x: p.x,
        y: p.y,
        group: g.name,
        label: p.label ?? `${g.name}: (${p.x.toPrecision(4)}, ${p.y.toPrecision(4)})`,
      })),
    },
    mark: { type: 'point', filled: false, strokeWidth: 2.5, opacity: 1, size: g.size ?? 80 },
    encoding: { x, y, stroke, shape, tooltip: { field: 'label', type: 'nominal' } },
  }));
}
