/**
 * Step 7's resampled_img_df_v3.csv (candidate-files.ts, written by the stage-4 steps 1-7 stages)
 * as the series steps 8-16 fit. Each row is one (XRS channel, image channel, cluster, box, 1-minute
 * time); every series keeps its own times: ALEXIS resamples an image channel only within its own
 * time range (AIA +-20 min, SXI +-40 min), so a pair's matrix spans the times its rows cover
 * (create_df_w_normed_and_lowpass_columns groups the rows per XRS/image pair).
 */
import type { ResampledImgRow } from './candidate-files';
import type { ResampledFlareData } from './lasso-steps';

type Series = { times: number[]; values: number[] };

function pushSorted<T extends Series>(map: Map<string, T>, key: string, make: () => T, t: number, v: number): void {
  const s = map.get(key) ?? make();
  map.set(key, s);
  s.times.push(t);
  s.values.push(v);
}

function sortSeries(s: Series): void {
  const order = s.times.map((t, i) => [t, s.values[i]] as const).sort((a, b) => a[0] - b[0]);
  // one value per time (the XRS series repeats on every image row)
  const seen = new Set<number>();
  s.times.length = 0;
  s.values.length = 0;
  for (const [t, v] of order)
    if (!seen.has(t)) {
      seen.add(t);
      s.times.push(t);
      s.values.push(v);
    }
}

/** Groups step 7's rows into the series of lasso-steps.ts. */
export function resampledFlareData(workingDir: string, rows: ResampledImgRow[]): ResampledFlareData {
  const xrs = new Map<string, ResampledFlareData['xrs'][number]>();
  const img = new Map<string, ResampledFlareData['img'][number]>();
  const clusters = new Map<number, ResampledFlareData['clusters'][number]>();
  for (const r of rows) {
    const t = r.resampled_time_stamp;
    pushSorted(
      xrs,
      `${r.xrs_telescope}|${r.xrs_wavelength}`,
      () => ({ telescope: r.xrs_telescope, wavelength: r.xrs_wavelength, times: [], values: [] }),
      t,
      r.xrs_resampled_data,
    );
    // the image series is the same for every XRS channel: keep one copy (the first XRS channel's rows)
    const ik = `${r.img_telescope}|${r.img_instrument}|${r.img_wavelength}|${r.final_cluster_label}|${r.bbox_linear_size_arcsec}`;
    pushSorted(
      img,
      ik,
      () => ({
        telescope: r.img_telescope,
        instrument: r.img_instrument,
        wavelength: r.img_wavelength,
        cluster: r.final_cluster_label,
        bboxArcsec: r.bbox_linear_size_arcsec,
        times: [],
        values: [],
      }),
      t,
      r.img_resampled_value_cluster,
    );
    if (!clusters.has(r.final_cluster_label))
      clusters.set(r.final_cluster_label, { label: r.final_cluster_label, x_hpc: r.x_hpc, y_hpc: r.y_hpc });
  }
  for (const s of [...xrs.values(), ...img.values()]) sortSeries(s);
  return {
    workingDir,
    xrs: [...xrs.values()],
    clusters: [...clusters.values()].sort((a, b) => a.label - b.label),
    img: [...img.values()],
  };
}
