/**
 * ALEXIS stage 4, steps 6-7 (`create_peakfinder_scale.resample_XRS_data`, `resample_imgs`, with
 * `sxi_module.fit_the_data` = splrep(k=1, s=0), `create_resampling_rate_df`, `resample_fitted_data` =
 * splev):
 *
 * Step 6: the XRS rows with t0 <= time < t1, where t0/t1 are the first/last QUALITY-0 image times of
 * clusters_flux_df_v3 (half-open, as `xray_sql_db_timea_to_timeb`). Channels (satellite, A/B) are
 * counted; a channel with `max count - its count >= 150` is dropped (ALEXIS keeps `< 150`: "only 6
 * minutes worth of gaps"). Each kept channel is resampled from its own first to its last sample at
 * 1 min (pandas date_range, so the grid starts at the first sample's exact time), evaluated at
 * `resampled_time_stamp` = the grid time floored to whole seconds (`// pd.Timedelta('1s')`). The floor
 * can fall before the first sample: splev then extrapolates the first segment (ext=0), as in ALEXIS.
 *
 * Step 7: per (telescope, instrument, wavelength, cluster, zoom) group of QUALITY-0 rows and per XRS
 * channel, the XRS grid points whose (unfloored) time lies within the group's first..last image time
 * (inclusive), with the region flux and the full-disk flux (img_flux) splined through the image times
 * and evaluated at the floored time stamps.
 *
 * Times are held in milliseconds (pandas holds nanoseconds; stagebook's time stamps have at most ms
 * precision). Run-time columns are not written (see candidate-files.ts).
 */
import { z } from 'zod';
import { StagebookError } from '../../errors/stagebook-error';
import { evalLinearSpline, linearSpline } from '../../numeric/resample/linear-spline';
import type { ClusterFluxRow, ResampledImgRow, ResampledXrsRow } from './candidate-files';

/** Steps 6-7 parameters (ALEXIS's values as defaults). */
export const xrsResampleParamsSchema = z.strictObject({
  cadenceSeconds: z.number().int().positive().default(60).describe('resampling cadence (pandas freq 1min)'),
  maxMissingPoints: z
    .number()
    .int()
    .positive()
    .default(150)
    .describe('a channel is dropped when it has this many fewer points than the longest'),
});
export type XrsResampleParams = z.output<typeof xrsResampleParamsSchema>;

/** One goes_data row. */
export interface XrsSample {
  time_stamp: number;
  instrument: string;
  wavelength: string;
  value: number;
}

/** A channel's count and whether it was kept. */
export interface XrsChannel {
  instrument: string;
  wavelength: string;
  points: number;
  missing: number;
  kept: boolean;
}

const cmp = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);
const ms = (seconds: number): number => Math.round(seconds * 1000);

/** First and last QUALITY-0 image times (s) of the collated cluster flux: the XRS query window. */
export function imageTimeRange(rows: readonly ClusterFluxRow[], source = 'clusters_flux_df_v3'): [number, number] {
  const t = rows.filter((r) => r.QUALITY === 0).map((r) => r.time_stamp);
  if (t.length === 0)
    throw new StagebookError(
      'E_EMPTY_INPUT',
      `resampleXrs: ${source} has no QUALITY 0 rows (every group under the point minimum)`,
      {
        where: 'resampleXrs',
        file: source,
      },
    );
  return [Math.min(...t), Math.max(...t)];
}

/** ALEXIS's channel filter: counts per (instrument, wavelength), kept when max - count < maxMissing. */
export function xrsChannels(samples: readonly XrsSample[], maxMissing: number): XrsChannel[] {
  const counts = new Map<string, number>();
  for (const s of samples) {
    const k = JSON.stringify([s.instrument, s.wavelength]);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const max = Math.max(0, ...counts.values());
  return [...counts.entries()]
    .map(([k, n]) => {
      const [instrument, wavelength] = JSON.parse(k) as string[];
      return { instrument, wavelength, points: n, missing: max - n, kept: max - n < maxMissing };
    })
    .sort((a, b) => cmp(a.instrument, b.instrument) || cmp(a.wavelength, b.wavelength));
}

/** The 1-min grid of one channel: [ms, floored seconds] from its first to its last sample. */
export function resamplingGrid(firstS: number, lastS: number, cadenceSeconds: number): { ms: number; ts: number }[] {
  const out: { ms: number; ts: number }[] = [];
  const a = ms(firstS);
  const b = ms(lastS);
  for (let t = a; t <= b; t += cadenceSeconds * 1000) out.push({ ms: t, ts: Math.floor(t / 1000) });
  return out;
}

/**
 * Step 6: XRS samples (already limited to [t0, t1)) -> resampled rows of the kept channels.
 * `files` gives the working directory and the paths recorded in the rows.
 */
export function resampleXrs(
  samples: readonly XrsSample[],
  p: XrsResampleParams,
  files: { workingDir: string; clusterFluxFile: string; xrsResampleFile: string },
): { rows: ResampledXrsRow[]; channels: XrsChannel[] } {
  if (samples.length === 0)
    throw new StagebookError(
      'E_EMPTY_INPUT',
      `resampleXrs: no XRS samples in the image time range of ${files.workingDir}`,
      {
        where: 'resampleXrs',
        file: files.clusterFluxFile,
      },
    );
  const channels = xrsChannels(samples, p.maxMissingPoints);
  const rows: ResampledXrsRow[] = [];
  for (const ch of channels.filter((c) => c.kept)) {
    const s = samples
      .filter((x) => x.instrument === ch.instrument && x.wavelength === ch.wavelength)
      .sort((a, b) => a.time_stamp - b.time_stamp);
    const spline = linearSpline(
      s.map((x) => x.time_stamp),
      s.map((x) => x.value),
    );
    const grid = resamplingGrid(s[0].time_stamp, s[s.length - 1].time_stamp, p.cadenceSeconds);
    const v = evalLinearSpline(
      spline,
      grid.map((g) => g.ts),
    );
    grid.forEach((g, i) =>
      rows.push({
        resampled_date_time: new Date(g.ms).toISOString(),
        resampled_time_stamp: g.ts,
        xrs_resampled_data: v[i],
        xrs_wavelength: ch.wavelength,
        xrs_instrument: 'XRS',
        xrs_telescope: ch.instrument,
        working_dir: files.workingDir,
        cluster_flux_file: files.clusterFluxFile,
        xrs_resample_file: files.xrsResampleFile,
      }),
    );
  }
  return { rows, channels };
}

/** Step 7: image region and full-disk fluxes on the XRS grid. */
export function resampleImages(
  cluster: readonly ClusterFluxRow[],
  xrs: readonly ResampledXrsRow[],
  allResampledDataFile: string,
): ResampledImgRow[] {
  const good = cluster.filter((r) => r.QUALITY === 0);
  const groups = new Map<string, ClusterFluxRow[]>();
  for (const r of good) {
    const k = JSON.stringify([
      r.telescope,
      r.instrument,
      r.wavelength,
      r.final_cluster_label,
      r.bbox_linear_size_arcsec,
    ]);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const channels = new Map<string, ResampledXrsRow[]>();
  for (const r of xrs) {
    const k = JSON.stringify([r.xrs_instrument, r.xrs_wavelength, r.xrs_telescope]);
    const g = channels.get(k);
    if (g) g.push(r);
    else channels.set(k, [r]);
  }
  const sortKeys = (keys: Iterable<string>): string[] =>
    [...keys].sort((a, b) => {
      const x = JSON.parse(a) as (string | number)[];
      const y = JSON.parse(b) as (string | number)[];
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return cmp(x[i], y[i]);
      return 0;
    });
  const out: ResampledImgRow[] = [];
  for (const gk of sortKeys(groups.keys())) {
    const img = [...(groups.get(gk) as ClusterFluxRow[])].sort((a, b) => a.time_stamp - b.time_stamp);
    const first = img[0];
    const [from, to] = [ms(first.time_stamp), ms(img[img.length - 1].time_stamp)];
    const region = linearSpline(
      img.map((r) => r.time_stamp),
      img.map((r) => r.region_flux),
    );
    const disk = linearSpline(
      img.map((r) => r.time_stamp),
      img.map((r) => r.img_flux),
    );
    for (const ck of sortKeys(channels.keys())) {
      const ch = [...(channels.get(ck) as ResampledXrsRow[])].sort(
        (a, b) => Date.parse(a.resampled_date_time) - Date.parse(b.resampled_date_time),
      );
      const mask = ch.filter((r) => {
        const t = Date.parse(r.resampled_date_time);
        return t >= from && t <= to;
      });
      const ts = mask.map((r) => r.resampled_time_stamp);
      const vc = evalLinearSpline(region, ts);
      const vd = evalLinearSpline(disk, ts);
      mask.forEach((r, i) =>
        out.push({
          ...r,
          img_resampled_value_cluster: vc[i],
          img_resampled_value_full_disk: vd[i],
          img_instrument: first.instrument,
          img_wavelength: first.wavelength,
          img_telescope: first.telescope,
          final_cluster_label: first.final_cluster_label,
          x_hpc: first.x_hpc,
          y_hpc: first.y_hpc,
          x_pix: first.x_pix,
          y_pix: first.y_pix,
          integration_pixel_bbox: first.integration_pixel_bbox,
          integration_hpc_bbox: first.integration_hpc_bbox,
          all_resampled_data_file: allResampledDataFile,
          bbox_linear_size_arcsec: first.bbox_linear_size_arcsec,
          bbox_half_linear_size_pix: first.bbox_half_linear_size_pix,
        }),
      );
    }
  }
  return out;
}
