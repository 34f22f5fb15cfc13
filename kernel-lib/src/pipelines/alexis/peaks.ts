/**
 * ALEXIS's single-image peak finder (`download_module_w_new_file_syst.single_image_peakfinder`):
 * `peak_local_max(image, threshold_rel=0.9)`, then `DBSCAN(eps, min_samples=1)` on the peak
 * coordinates, one row per cluster with its centroid in pixels and in helioprojective arcsec,
 * `x_hpc = (x - CRPIX1) * CDELT1` with x the 0-based column (ALEXIS's formula, kept as is: with a
 * 1-based CRPIX this is half a pixel to one pixel off, below the 50" clustering scale). No peak ->
 * one row of NaNs with peaks_found = false. Timings in seconds, as ALEXIS records them.
 */
import { dbscan } from '../../numeric/peaks2d/dbscan';
import { peakLocalMax } from '../../numeric/peaks2d/peak-local-max';
import type { CleanedImage } from './clean-types';

/** ALEXIS's DBSCAN radius in pixels at its plate scales: 83 px at 0.6"/px (AIA), 10 px at 5"/px (SXI), ~50". */
export const ALEXIS_EPS_PX = { AIA: 83, SXI: 10 } as const;
export const ALEXIS_EPS_PLATE = { AIA: 0.6, SXI: 5 } as const;

/** One cluster row. */
export interface PeakRow {
  peaks_found: boolean;
  dbscan_1_x_hpc: number;
  dbscan_1_y_hpc: number;
  dbscan_1_x_pix: number;
  dbscan_1_y_pix: number;
  dbscan_1_num_members: number;
  dbscan_1_label: number;
  peakfinder_time_1: number;
  dbscan_time_1: number;
}

/** DBSCAN eps (px) for an image: ALEXIS's value scaled to the image's plate scale (same arcsec). */
export function epsPixels(instrument: 'AIA' | 'SXI', cdelt: number): number {
  return (ALEXIS_EPS_PX[instrument] * ALEXIS_EPS_PLATE[instrument]) / cdelt;
}

const NAN_ROW = {
  peaks_found: false,
  dbscan_1_x_hpc: NaN,
  dbscan_1_y_hpc: NaN,
  dbscan_1_x_pix: NaN,
  dbscan_1_y_pix: NaN,
  dbscan_1_num_members: NaN,
  dbscan_1_label: NaN,
};

/** Cluster rows of a cleaned image (at least one row). `now` returns ms (performance.now by default). */
export function singleImagePeakfinder(
  img: CleanedImage,
  epsPx: number,
  thresholdRel = 0.9,
  now: () => number = () => performance.now(),
): PeakRow[] {
  const t0 = now();
  const peaks = peakLocalMax({ data: img.data, shape: img.shape }, { thresholdRel });
  const t1 = now();
  const n = peaks.length / 2;
  if (n === 0) return [{ ...NAN_ROW, peakfinder_time_1: (t1 - t0) / 1000, dbscan_time_1: NaN }];
  const pts = new Float64Array(2 * n);
  for (let i = 0; i < 2 * n; i++) pts[i] = peaks[i];
  const { labels, nClusters } = dbscan({ data: pts, dims: 2 }, { eps: epsPx, minSamples: 1 });
  const t2 = now();
  const rows: PeakRow[] = [];
  for (let k = 0; k < nClusters; k++) {
    let sx = 0;
    let sy = 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i] !== k) continue;
      sy += peaks[2 * i];
      sx += peaks[2 * i + 1];
      m++;
    }
    const x = sx / m;
    const y = sy / m;
    rows.push({
      peaks_found: true,
      dbscan_1_x_pix: x,
      dbscan_1_y_pix: y,
      dbscan_1_x_hpc: (x - img.crpix1) * img.cdelt1,
      dbscan_1_y_hpc: (y - img.crpix2) * img.cdelt2,
      dbscan_1_num_members: m,
      dbscan_1_label: k,
      peakfinder_time_1: (t1 - t0) / 1000,
      dbscan_time_1: (t2 - t1) / 1000,
    });
  }
  return rows;
}
