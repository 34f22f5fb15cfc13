/**
 * ALEXIS stage 4, steps 3-5 (`create_peakfinder_scale.initialize_flux_per_cluster_found`,
 * `find_flux_timeseries`, `join_flux_per_wl_and_cluster`):
 *
 * Step 3 (@subdivide): every image of initialize_with_these_files_df x every candidate, grouped by
 * (telescope, instrument, wavelength) and written one file per image time: `...cluster.{n}...` where n
 * is the image's index in its group by time (ALEXIS's name; n is not a cluster label).
 *
 * Step 4 (@transform): the image is cleaned again (stage 2's cleaning), each candidate is placed at
 * x_pix = x_hpc / CDELT1 + CRPIX1, y_pix = y_hpc / CDELT1 + CRPIX2 (ALEXIS's hpc_to_pix, CDELT1 for both
 * axes), and the image is summed over data[int(y-d):int(y+d), int(x-d):int(x+d)] for each half-width d
 * (wasm `boxsum`). Rows come zoom by zoom, candidates in label order, as ALEXIS concatenates them.
 *
 * Step 5 (@collate): all step-4 rows of the working directory; per (telescope, instrument, wavelength,
 * final_cluster_label, bbox_linear_size_arcsec) a group under 10 rows gets QUALITY 9.
 *
 * Differences from ALEXIS:
 * - AIA half-widths are ALEXIS's pixels at 0.6"/px (125/85/67/41, boxes of 150/100/80/50") scaled to
 *   the cleaned frame's plate scale, so the boxes keep their size in arcsec on the smaller simulated
 *   frames (at 4096 px the scale is 1 and the widths are ALEXIS's). SXI keeps 15/10/8/5 px (its
 *   cleaned frame is always 512 px at ~5"/px);
 * - a box that starts left of or above the image is clipped at 0 (numpy wraps a negative start,
 *   giving an empty or wrong slice): see numeric/boxsum.
 */
import { boxSums } from '../../numeric/boxsum/box-sums';
import { StagebookError } from '../../errors/stagebook-error';
import type { Candidate, ClusterFluxFileId, ClusterFluxInitRow, ClusterFluxRow, FileRow } from './candidate-files';
import type { CleanedImage } from './clean-types';

/** ALEXIS's half-widths (px) and the box sizes they make (arcsec). */
export const ZOOMS = {
  AIA: { halfWidthsPx: [125, 85, 67, 41], plateScale: 0.6 },
  SXI: { halfWidthsPx: [15, 10, 8, 5], plateScale: null },
} as const;
export const BOX_SIZES_ARCSEC = [150, 100, 80, 50] as const;

const cmp = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);

/** Step 3: the per-image files (id and rows) of one working directory. */
export function splitPerImage(
  candidates: readonly Candidate[],
  files: readonly FileRow[],
): { id: ClusterFluxFileId; rows: ClusterFluxInitRow[] }[] {
  const labels = [...new Set(candidates.map((c) => c.label))].sort((a, b) => a - b);
  const rows: ClusterFluxInitRow[] = [];
  for (const label of labels) {
    const c = candidates.find((k) => k.label === label) as Candidate;
    for (const f of files) rows.push({ ...f, x_hpc: c.x_hpc, y_hpc: c.y_hpc, final_cluster_label: label });
  }
  // Stable sort by time (then label): ALEXIS sorts by date_time before grouping.
  const ordered = rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.time_stamp - b.r.time_stamp || a.r.final_cluster_label - b.r.final_cluster_label || a.i - b.i)
    .map((e) => e.r);
  const groups = new Map<string, ClusterFluxInitRow[]>();
  for (const r of ordered) {
    const k = JSON.stringify([r.telescope, r.instrument, r.wavelength]);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const out: { id: ClusterFluxFileId; rows: ClusterFluxInitRow[] }[] = [];
  for (const k of [...groups.keys()].sort((a, b) => {
    const x = JSON.parse(a) as string[];
    const y = JSON.parse(b) as string[];
    return cmp(x[0], y[0]) || cmp(x[1], y[1]) || cmp(x[2], y[2]);
  })) {
    const g = groups.get(k) as ClusterFluxInitRow[];
    const [telescope, instrument, wl] = JSON.parse(k) as string[];
    // ALEXIS: `if instrument == 'AIA': wl = int(wl)` for the file name.
    const wavelength = instrument === 'AIA' ? String(Math.trunc(Number(wl))) : wl;
    const times = [...new Set(g.map((r) => r.date_time))];
    times.forEach((t, n) =>
      out.push({ id: { telescope, instrument, wavelength, n }, rows: g.filter((r) => r.date_time === t) }),
    );
  }
  return out;
}

/** Half-widths (px) for an instrument and a cleaned image's plate scale. */
export function halfWidthsFor(
  instrument: string,
  cdelt1: number,
  aiaPx?: readonly number[],
  sxiPx?: readonly number[],
): number[] {
  if (instrument === 'AIA') return (aiaPx ?? ZOOMS.AIA.halfWidthsPx).map((d) => (d * ZOOMS.AIA.plateScale) / cdelt1);
  if (instrument === 'SXI') return [...(sxiPx ?? ZOOMS.SXI.halfWidthsPx)];
  throw new StagebookError('E_INVALID_ARGUMENT', `halfWidthsFor: instrument ${instrument} is not AIA or SXI`, {
    where: 'halfWidthsFor',
    field: 'instrument',
  });
}

/** ALEXIS's make_square_region_v2: the closed square around (x, y). */
export function squareRegion(x: number, y: number, d: number): [number, number][] {
  return [
    [x - d, y - d],
    [x - d, y + d],
    [x + d, y + d],
    [x + d, y - d],
    [x - d, y - d],
  ];
}

/**
 * Step 4 for one image: its rows (one per candidate, QUALITY 0 kept) and the cleaned image.
 * `halfWidths[i]` makes boxes of `BOX_SIZES_ARCSEC[i]`.
 */
export function regionFluxRows(
  rows: readonly ClusterFluxInitRow[],
  image: CleanedImage,
  halfWidths: readonly number[],
): ClusterFluxRow[] {
  const good = rows.filter((r) => r.QUALITY === 0);
  const labels = [...new Set(good.map((r) => r.final_cluster_label))].sort((a, b) => a - b);
  const perLabel = labels.map((l) => good.filter((r) => r.final_cluster_label === l));
  const pix = perLabel.map(
    (g) => [g[0].x_hpc / image.cdelt1 + image.crpix1, g[0].y_hpc / image.cdelt1 + image.crpix2] as const,
  );
  const sums = boxSums({ data: image.data, shape: image.shape }, pix, halfWidths);
  const toHpc = (p: [number, number][]): [number, number][] =>
    p.map(([x, y]) => [(x - image.crpix1) * image.cdelt1, (y - image.crpix2) * image.cdelt1]);
  const out: ClusterFluxRow[] = [];
  halfWidths.forEach((d, z) => {
    perLabel.forEach((g, c) => {
      const [x, y] = pix[c];
      const poly = squareRegion(x, y, d);
      for (const r of g)
        out.push({
          ...r,
          region_flux: sums[c][z],
          x_pix: x,
          y_pix: y,
          integration_pixel_bbox: poly,
          integration_hpc_bbox: toHpc(poly),
          bbox_linear_size_arcsec: BOX_SIZES_ARCSEC[z],
          bbox_half_linear_size_pix: d,
        });
    });
  });
  return out;
}

/**
 * Step 5: concatenates the step-4 rows (already in file order) and flags groups under `minPoints`
 * rows with QUALITY 9. Output: groups in pandas groupby order, each in input order.
 */
export function collateClusterFlux(rows: readonly ClusterFluxRow[], minPoints = 10): ClusterFluxRow[] {
  const key = (r: ClusterFluxRow): (string | number)[] => [
    r.telescope,
    r.instrument,
    r.wavelength,
    r.final_cluster_label,
    r.bbox_linear_size_arcsec,
  ];
  const groups = new Map<string, ClusterFluxRow[]>();
  for (const r of rows) {
    const k = JSON.stringify(key(r));
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const keys = [...groups.keys()].sort((a, b) => {
    const x = JSON.parse(a) as (string | number)[];
    const y = JSON.parse(b) as (string | number)[];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return cmp(x[i], y[i]);
    return 0;
  });
  const out: ClusterFluxRow[] = [];
  for (const k of keys) {
    const g = groups.get(k) as ClusterFluxRow[];
    // clusters_flux_df_v3: "quality flag 9 == less than 10 datapoints".
    for (const r of g) out.push(g.length >= minPoints ? r : { ...r, QUALITY: 9 });
  }
  return out;
}
