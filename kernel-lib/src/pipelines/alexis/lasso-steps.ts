/**
 * ALEXIS stage 4 steps 8-11 as pure functions over one working directory's data
 * (pipeline/create_peakfinder_scale.py: create_df_w_normed_and_lowpass_columns, fit_all_zoom_LASSO,
 * collate_gridsearched_LASSO_fits_and_metrics, candidates_w_coeff_greater_than_10_percent_for_each_
 * xrs_img_combo_filter, choose_best_of_the_rest_fit). The engine stages in lasso-stages.ts wrap them.
 *
 * One reduction against ALEXIS: its step 9 keeps a row per (pair, zoom combination, lam); here a
 * gridsearch file keeps, per channel pair, only the subset's best (zoom combination, lam). That is
 * all step 11 reads: the pair's global best is the minimum of the per-subset bests, and "the best
 * fit whose clusters are exactly the surviving ones" is the best of that one subset.
 */
import { alexisColumn, alexisTarget, lassoSubsetGrid } from '../../numeric/lasso';
import type { ChannelPair, ClusterPosition, FitRow, GridsearchFile, Provenance } from './catalogue-files';
import { pairKey } from './catalogue-files';

/** What steps 8-16 need from step 7's resampled_XRS_df_v3 / resampled_img_df_v3 (Unix-second times). */
export interface ResampledFlareData {
  workingDir: string;
  /** XRS channels on the 1-minute grid. */
  xrs: { telescope: string; wavelength: string; times: number[]; values: number[] }[];
  clusters: ClusterPosition[];
  /** Box flux of one cluster at one box size on one image channel, on its own XRS times. */
  img: {
    telescope: string;
    instrument: string;
    wavelength: string;
    cluster: number;
    bboxArcsec: number;
    times: number[];
    values: number[];
  }[];
}

/** itertools.combinations(labels, 1), (labels, 2), ... in order: the gridsearch_{k} numbering. */
export function clusterSubsets(labels: number[]): number[][] {
  const out: number[][] = [];
  const rec = (start: number, size: number, acc: number[]): void => {
    if (acc.length === size) {
      out.push([...acc]);
      return;
    }
    for (let i = start; i < labels.length; i++) rec(i + 1, size, [...acc, labels[i]]);
  };
  for (let size = 1; size <= labels.length; size++) rec(0, size, []);
  return out;
}

const finite = (v: number[]): boolean => v.every(Number.isFinite);

/** Values of a series at `times` (all present: the caller intersected them). */
function at(s: { times: number[]; values: number[] }, times: number[]): number[] {
  const index = new Map(s.times.map((t, i) => [t, i]));
  return times.map((t) => s.values[index.get(t) as number]);
}

/** Times every series has, ascending. */
function commonTimes(series: { times: number[] }[]): number[] {
  const [first, ...rest] = series;
  const sets = rest.map((s) => new Set(s.times));
  return first.times.filter((t) => sets.every((s) => s.has(t))).sort((a, b) => a - b);
}

/**
 * Step 8: one file per cluster subset. Every XRS channel x every image channel is a pair; its matrix
 * spans the times all its series share (ALEXIS: the pair's rows). A pair enters a subset's file only
 * when every cluster of the subset has a finite series at every box of that channel there (a channel
 * without box fluxes for a cluster cannot be fitted with it).
 */
export function gridsearchFiles(data: ResampledFlareData, provenance: Provenance): GridsearchFile[] {
  const labels = [...new Set(data.clusters.map((c) => c.label))].sort((a, b) => a - b);
  const channels = new Map<string, { tel: string; inst: string; wl: string }>();
  for (const r of data.img)
    channels.set(`${r.telescope}|${r.instrument}|${r.wavelength}`, {
      tel: r.telescope,
      inst: r.instrument,
      wl: r.wavelength,
    });
  return clusterSubsets(labels).map((subset, k) => {
    const pairs: GridsearchFile['pairs'] = [];
    for (const ch of channels.values()) {
      const rows = data.img.filter((r) => r.telescope === ch.tel && r.instrument === ch.inst && r.wavelength === ch.wl);
      const boxes = [...new Set(rows.map((r) => r.bboxArcsec))];
      const series = subset.map((label) =>
        boxes.map((size) => rows.find((e) => e.cluster === label && e.bboxArcsec === size)),
      );
      if (series.some((perBox) => perBox.some((s) => s === undefined))) continue;
      const used = series.flat() as ResampledFlareData['img'];
      for (const c of data.xrs) {
        const times = commonTimes([c, ...used]);
        const xrs = at(c, times);
        const cols = series.map((perBox) => perBox.map((s) => at(s as ResampledFlareData['img'][number], times)));
        if (times.length < 3 || !finite(xrs) || cols.some((perBox) => perBox.some((v) => !finite(v)))) continue;
        const pair: ChannelPair = {
          xrs_telescope: c.telescope,
          xrs_wavelength: c.wavelength,
          img_telescope: ch.tel,
          img_instrument: ch.inst,
          img_wavelength: ch.wl,
        };
        const h = cols.map((perBox) => perBox.map((v, z) => Array.from(alexisColumn(v, boxes[z]))));
        pairs.push({ pair, times, x: Array.from(alexisTarget(xrs)), boxesArcsec: boxes, h });
      }
    }
    pairs.sort((a, b) => (pairKey(a.pair) < pairKey(b.pair) ? -1 : 1));
    return {
      workingDir: data.workingDir,
      gridsearch: k,
      clusters: subset.map((l) => data.clusters.find((c) => c.label === l) as ClusterPosition),
      pairs,
      provenance,
    };
  });
}

const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Step 9: the bounded-LASSO grid of one subset file, per pair its best (see the module comment). */
export function fitGridsearch(file: GridsearchFile, lams?: number[]): FitRow[] {
  const rows: FitRow[] = [];
  for (const p of file.pairs) {
    const r = lassoSubsetGrid({ h: p.h, x: p.x, lams });
    if (!r.best) continue; // every combination gave NaN metrics: ALEXIS's sort puts them last
    const m = r.best.metrics;
    rows.push({
      gridsearch: file.gridsearch,
      pair: p.pair,
      gridsearch_clusters: file.clusters.map((c) => c.label),
      zoom_in_type: r.best.boxes.map((z) => p.boxesArcsec[z]),
      lamda: r.best.lam,
      coeff: r.best.b,
      combinations: r.distance.length,
      metrics: {
        RMSE: m.RMSE,
        MSE: m.MSE,
        pears_corr: orNull(m.r),
        p_val: orNull(m.p),
        vector_fit: orNull(m.vectorFit),
        E_tot: orNull(m.eTot),
        distance: m.distance,
      },
    });
  }
  return rows;
}

/** Step 10's distance (LASSO_metrics_module / calculate_fits_metric_distance), from a row's metrics. */
export function fitDistance(m: FitRow['metrics']): number {
  const v = (x: number | null): number => (x === null ? NaN : x);
  return Math.sqrt(
    m.RMSE ** 2 + m.MSE ** 2 + (1 - v(m.vector_fit)) ** 2 + (1 - v(m.E_tot)) ** 2 + (1 - v(m.pears_corr)) ** 2 / 4,
  );
}

const byDistance = (a: FitRow, b: FitRow): number => {
  const da = a.metrics.distance;
  const db = b.metrics.distance;
  if (Number.isNaN(da)) return Number.isNaN(db) ? 0 : 1;
  return Number.isNaN(db) ? -1 : da - db || a.gridsearch - b.gridsearch;
};

/** Step 10: all subsets' rows with the distance recomputed, smallest first (pandas sort_values: NaN last). */
export function collateFits(rows: FitRow[]): FitRow[] {
  return rows.map((r) => ({ ...r, metrics: { ...r.metrics, distance: fitDistance(r.metrics) } })).sort(byDistance);
}

export type ConfRow = FitRow & { gridsearch_cluster_conf: number };

/**
 * Step 11: per pair, the clusters whose coefficient in the pair's best fit exceeds `threshold`
 * survive and the best fit using exactly them is kept (a pair whose best fit keeps none is skipped,
 * ALEXIS's IndexError branch); gridsearch_cluster_conf = share of kept pairs agreeing on the
 * cluster tuple; the event's fit is the kept row with the smallest distance.
 */
export function selectFits(rows: FitRow[], threshold = 0.1): { kept: ConfRow[]; event: ConfRow | null } {
  const byPair = new Map<string, FitRow[]>();
  for (const r of [...rows].sort(byDistance)) {
    const k = pairKey(r.pair);
    byPair.set(k, [...(byPair.get(k) ?? []), r]);
  }
  const kept: FitRow[] = [];
  for (const list of byPair.values()) {
    const best = list[0];
    if (Number.isNaN(best.metrics.distance)) continue;
    const surviving = best.gridsearch_clusters.filter((_, i) => best.coeff[i] > threshold).join(',');
    const row = list.find((r) => r.gridsearch_clusters.join(',') === surviving);
    if (surviving !== '' && row) kept.push(row);
  }
  const count = (r: FitRow): number =>
    kept.filter((o) => o.gridsearch_clusters.join(',') === r.gridsearch_clusters.join(',')).length;
  const withConf = kept.map((r) => ({ ...r, gridsearch_cluster_conf: count(r) / kept.length })).sort(byDistance);
  return { kept: withConf, event: withConf[0] ?? null };
}
