/**
 * ALEXIS stage 4 steps 6-7 (resample_XRS_data, resample_imgs): the channel drop at 150 missing
 * points, the 1-min grid from each channel's first sample with time stamps floored to seconds
 * (and splev's linear extrapolation where the floor falls before the first sample), and the image
 * fluxes evaluated on the XRS grid within each image series' time span.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterFluxRow } from './candidate-files';
import {
  imageTimeRange,
  resampleImages,
  resampleXrs,
  resamplingGrid,
  xrsChannels,
  xrsResampleParamsSchema,
  type XrsSample,
} from './xrs-resample';

const P = xrsResampleParamsSchema.parse({});
const files = {
  workingDir: 'wd.working',
  clusterFluxFile: 'a/clusters_flux_df_v3.csv',
  xrsResampleFile: 'a/resampled_XRS_df_v3.csv',
};

function channel(wavelength: string, n: number, t0: number, step: number, f: (t: number) => number): XrsSample[] {
  return Array.from({ length: n }, (_, i) => ({
    time_stamp: t0 + i * step,
    instrument: 'goes15',
    wavelength,
    value: f(t0 + i * step),
  }));
}

describe('step 6: XRS channels and resampling', () => {
  it('drops a channel missing 150 or more points relative to the longest; keeps 149', () => {
    const s = [...channel('B', 400, 0, 2, () => 1), ...channel('A', 251, 0, 2, () => 1)];
    expect(xrsChannels(s, 150).map((c) => [c.wavelength, c.missing, c.kept])).toEqual([
      ['A', 149, true],
      ['B', 0, true],
    ]);
    const s2 = [...channel('B', 400, 0, 2, () => 1), ...channel('A', 250, 0, 2, () => 1)];
    expect(xrsChannels(s2, 150).map((c) => [c.wavelength, c.missing, c.kept])).toEqual([
      ['A', 150, false],
      ['B', 0, true],
    ]);
    const r = resampleXrs(s2, P, files);
    expect(new Set(r.rows.map((x) => x.xrs_wavelength))).toEqual(new Set(['B']));
  });

  it('grid: 1 min from the first sample (not minute-aligned) to the last, time stamps floored', () => {
    expect(resamplingGrid(1000.5, 1130, 60)).toEqual([
      { ms: 1000500, ts: 1000 },
      { ms: 1060500, ts: 1060 },
      { ms: 1120500, ts: 1120 },
    ]);
    expect(resamplingGrid(1000, 1120, 60).map((g) => g.ts)).toEqual([1000, 1060, 1120]);
  });

  it('evaluates the linear spline at the floored stamps, extrapolating before the first sample', () => {
    const s = channel('B', 100, 1000.5, 2, (t) => 1e-6 + 1e-9 * (t - 1000)); // linear in t
    const r = resampleXrs(s, P, files);
    expect(r.rows[0]).toMatchObject({
      resampled_time_stamp: 1000,
      resampled_date_time: '1970-01-01T00:16:40.500Z',
      xrs_instrument: 'XRS',
      xrs_telescope: 'goes15',
    });
    // 1000 is before the first sample (1000.5): the value is on the line's continuation, 1e-6 exactly.
    expect(r.rows[0].xrs_resampled_data).toBeCloseTo(1e-6, 18);
    expect(r.rows.map((x) => x.resampled_time_stamp)).toEqual([1000, 1060, 1120, 1180]);
    for (const x of r.rows) expect(x.xrs_resampled_data).toBeCloseTo(1e-6 + 1e-9 * (x.resampled_time_stamp - 1000), 18);
    expect(r.rows[0]).toMatchObject({
      working_dir: 'wd.working',
      cluster_flux_file: files.clusterFluxFile,
      xrs_resample_file: files.xrsResampleFile,
    });
  });

  it('a piecewise signal is interpolated between samples, not smoothed', () => {
    const s: XrsSample[] = [0, 30, 90, 150].map((t, i) => ({
      time_stamp: t,
      instrument: 'goes15',
      wavelength: 'B',
      value: [0, 3, 0, 6][i],
    }));
    expect(resampleXrs(s, P, files).rows.map((x) => x.xrs_resampled_data)).toEqual([0, 1.5, 3]);
  });

  it('refuses an empty XRS window and a cluster flux table without QUALITY 0 rows', () => {
    expect(() => resampleXrs([], P, files)).toThrow(/no XRS samples/);
    expect(() => imageTimeRange([{ QUALITY: 9, time_stamp: 1 } as ClusterFluxRow], 'x.csv')).toThrow(
      /x\.csv has no QUALITY 0 rows/,
    );
  });
});

describe('step 7: image fluxes on the XRS grid', () => {
  const img = (t: number, label: number, zoom: number, region: number, disk: number, quality = 0): ClusterFluxRow =>
    ({
      time_stamp: t,
      QUALITY: quality,
      telescope: 'SDO',
      instrument: 'AIA',
      wavelength: '94',
      final_cluster_label: label,
      bbox_linear_size_arcsec: zoom,
      bbox_half_linear_size_pix: 10,
      region_flux: region,
      img_flux: disk,
      x_hpc: 1,
      y_hpc: 2,
      x_pix: 3,
      y_pix: 4,
      integration_pixel_bbox: [[0, 0]],
      integration_hpc_bbox: [[1, 1]],
    }) as ClusterFluxRow;

  it('keeps XRS grid points within each series span (inclusive) and interpolates region and full-disk flux', () => {
    const xrs = resampleXrs(
      channel('B', 200, 0, 2, () => 1e-6),
      P,
      files,
    ).rows; // grid 0, 60, ..., 360
    const cluster = [
      img(30, 0, 150, 0, 10),
      img(90, 0, 150, 6, 16),
      img(120, 0, 150, 3, 10),
      img(240, 0, 150, 3, 10),
      img(60, 1, 50, 1, 1),
      img(180, 1, 50, 3, 1),
      img(100, 2, 50, 1, 1, 9),
    ];
    const out = resampleImages(cluster, xrs, 'a/resampled_img_df_v3.csv');
    const s0 = out.filter((r) => r.final_cluster_label === 0);
    expect(s0.map((r) => r.resampled_time_stamp)).toEqual([60, 120, 180, 240]);
    expect(s0.map((r) => r.img_resampled_value_cluster)).toEqual([3, 3, 3, 3]);
    expect(s0.map((r) => r.img_resampled_value_full_disk)).toEqual([13, 10, 10, 10]);
    const s1 = out.filter((r) => r.final_cluster_label === 1);
    expect(s1.map((r) => [r.resampled_time_stamp, r.img_resampled_value_cluster])).toEqual([
      [60, 1],
      [120, 2],
      [180, 3],
    ]);
    expect(out.some((r) => r.final_cluster_label === 2)).toBe(false); // QUALITY 9 rows are not resampled
    expect(s1[0]).toMatchObject({
      img_instrument: 'AIA',
      img_wavelength: '94',
      img_telescope: 'SDO',
      bbox_linear_size_arcsec: 50,
      xrs_wavelength: 'B',
      all_resampled_data_file: 'a/resampled_img_df_v3.csv',
    });
  });
});
