/**
 * The ALEXIS peak-finder figure: the solar image north up (row 0 at the bottom, matplotlib's
 * origin='lower') on helioprojective axes in arcsec from the FITS WCS (CRPIX/CDELT/CRVAL), every
 * peak and every cluster centroid marked in colours that stay visible on the whole colour map
 * (inferno runs black-purple-orange-yellow: cyan rings and magenta crosses differ from it and from
 * each other).
 * Pure function: data in, Vega-Lite spec out.
 */
import { imageSpec, quantiles, type VegaLiteSpec } from '../../display';

/** The linear FITS WCS of a solar image (1-based reference pixel, arcsec per pixel). */
export interface SolarWcs {
  crpix1: number;
  crpix2: number;
  cdelt1: number;
  cdelt2: number;
  crval1?: number;
  crval2?: number;
}

export interface SolarImageInput {
  data: ArrayLike<number>;
  /** [rows, cols] as stored (row 0 = first FITS row = south for CDELT2 > 0). */
  shape: [number, number];
  wcs: SolarWcs;
  title: string;
  /** Peaks (0-based column, row). */
  peaks?: Array<{ col: number; row: number }>;
  /** Cluster centroids (0-based column, row; fractional), with a label for the tooltip. */
  centroids?: Array<{ col: number; row: number; label?: string }>;
  /** Log10 colour (default true: coronal images span decades). */
  log?: boolean;
  colorTitle?: string;
  scheme?: string;
}

/** Helioprojective x (arcsec) of a 0-based column: FITS pixel col + 1 against CRPIX1. */
export function hpcX(w: SolarWcs, col: number): number {
  return (col + 1 - w.crpix1) * w.cdelt1 + (w.crval1 ?? 0);
}

/** Helioprojective y (arcsec) of a 0-based row. */
export function hpcY(w: SolarWcs, row: number): number {
  return (row + 1 - w.crpix2) * w.cdelt2 + (w.crval2 ?? 0);
}

/** The solar image with peaks (cyan rings) and cluster centroids (magenta crosses). */
export function solarImageSpec(input: SolarImageInput): VegaLiteSpec {
  const [rows, cols] = input.shape;
  const w = input.wcs;
  const peaks = input.peaks ?? [];
  const centroids = input.centroids ?? [];
  // outer pixel edges: pixel centres +- half a pixel
  const extent: [number, number, number, number] = [
    hpcX(w, -0.5),
    hpcX(w, cols - 0.5),
    hpcY(w, -0.5),
    hpcY(w, rows - 0.5),
  ];
  const log = input.log ?? true;
  // up to the brightest pixel: the peaks are the point of this figure, a 99.5 % clip would flatten them
  const scaled = Float64Array.from(input.data, (v) => (log ? (v > 0 ? Math.log10(v) : NaN) : v));
  const [lo, hi] = quantiles(scaled, [0.01, 1]);
  return imageSpec({
    data: input.data,
    shape: input.shape,
    origin: 'lower',
    extent,
    log,
    scheme: input.scheme ?? 'inferno',
    domain: hi > lo ? [lo, hi] : undefined,
    title: input.title,
    colorTitle: input.colorTitle ?? (input.log === false ? 'DN' : 'log10 DN'),
    xTitle: 'helioprojective x (arcsec)',
    yTitle: 'helioprojective y (arcsec)',
    width: Math.min(480, Math.max(360, cols)),
    overlays: [
      {
        name: `peaks (${peaks.length})`,
        color: '#00e5ff',
        shape: 'circle',
        size: 60,
        points: peaks.map((p) => ({ x: hpcX(w, p.col), y: hpcY(w, p.row), label: `peak at (${p.col}, ${p.row}) px` })),
      },
      {
        name: `cluster centroids (${centroids.length})`,
        color: '#ff2bd6',
        shape: 'cross',
        size: 220,
        points: centroids.map((c) => ({ x: hpcX(w, c.col), y: hpcY(w, c.row), label: c.label })),
      },
    ],
  });
}
