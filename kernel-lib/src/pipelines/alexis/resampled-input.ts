/**
 * Step 7's resampled_img_df_v3.csv (candidate-files.ts, written by the stage-4 steps 1-7 stages)
 * as the channel series steps 8-16 fit. Each row is one (XRS channel, image channel, cluster, box,
 * 1-minute time); series are put on the times every XRS channel shares (A and B grids start at
 * their own first sample in ALEXIS; only common times can enter one fit).
 */
import type { ResampledImgRow } from './candidate-files';
import type { ResampledFlareData } from './lasso-steps';

/** Groups step 7's rows into the series of lasso-steps.ts. */
export function resampledFlareData(workingDir: string, rows: ResampledImgRow[]): ResampledFlareData {
  const xrsKey = (r: ResampledImgRow): string => `${r.xrs_telescope}|${r.xrs_wavelength}`;
  const timesBy = new Map<string, Set<number>>();
  for (const r of rows) {
    const s = timesBy.get(xrsKey(r)) ?? new Set<number>();
    s.add(r.resampled_time_stamp);
    timesBy.set(xrsKey(r), s);
  }
  const sets = [...timesBy.values()];
  const times = sets.length ? [...sets[0]].filter((t) => sets.every((s) => s.has(t))).sort((a, b) => a - b) : [];
  const index = new Map(times.map((t, i) => [t, i]));
  const xrs = new Map<string, ResampledFlareData['xrs'][number]>();
  const img = new Map<string, ResampledFlareData['img'][number]>();
  const clusters = new Map<number, ResampledFlareData['clusters'][number]>();
  for (const r of rows) {
    const i = index.get(r.resampled_time_stamp);
    if (i === undefined) continue;
    const xk = xrsKey(r);
    if (!xrs.has(xk))
      xrs.set(xk, { telescope: r.xrs_telescope, wavelength: r.xrs_wavelength, values: new Array(times.length).fill(NaN) });
    (xrs.get(xk) as { values: number[] }).values[i] = r.xrs_resampled_data;
    const ik = `${r.img_telescope}|${r.img_instrument}|${r.img_wavelength}|${r.final_cluster_label}|${r.bbox_linear_size_arcsec}`;
    if (!img.has(ik))
      img.set(ik, {
        telescope: r.img_telescope,
        instrument: r.img_instrument,
        wavelength: r.img_wavelength,
        cluster: r.final_cluster_label,
        bboxArcsec: r.bbox_linear_size_arcsec,
        values: new Array(times.length).fill(NaN),
      });
    (img.get(ik) as { values: number[] }).values[i] = r.img_resampled_value_cluster;
    if (!clusters.has(r.final_cluster_label))
      clusters.set(r.final_cluster_label, { label: r.final_cluster_label, x_hpc: r.x_hpc, y_hpc: r.y_hpc });
  }
  return {
    workingDir,
    times,
    xrs: [...xrs.values()],
    clusters: [...clusters.values()].sort((a, b) => a.label - b.label),
    img: [...img.values()],
  };
}
