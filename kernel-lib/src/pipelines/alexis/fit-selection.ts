/**
 * ALEXIS stage 4, step 11 (pipeline/create_peakfinder_scale.py,
 * candidates_w_coeff_greater_than_10_percent_for_each_xrs_img_combo_filter and
 * choose_best_of_the_rest_fit; ranking by the composite distance as in the v4 pipeline described in
 * shared/notes/seed-systems.md): per XRS/image channel pair, the best fit's clusters with a
 * coefficient above 0.1 survive, and the best fit that uses exactly those clusters is kept; the
 * fraction of channel pairs that agree on the surviving clusters is gridsearch_cluster_conf; the
 * kept fit with the smallest distance over all pairs is the event's fit.
 */
import type { LassoGridResult } from '../../numeric/lasso';

export interface ChannelFit {
  /** Which XRS/image pair (e.g. 'goes15-B/SDO-AIA-131'). */
  pair: string;
  /** Surviving clusters (ascending). */
  clusters: number[];
  /** Index of the kept combination in the pair's grid. */
  index: number;
  distance: number;
}

/** Step 11 for one channel pair; null when no coefficient of the best fit exceeds 0.1 (ALEXIS skips it). */
export function selectChannelFit(pair: string, grid: LassoGridResult, threshold = 0.1): ChannelFit | null {
  const surviving = grid.best.clusters.filter((_, i) => grid.best.b[i] > threshold);
  if (surviving.length === 0) return null;
  const key = surviving.join(',');
  let index = -1;
  for (let i = 0; i < grid.combinations; i++) {
    const d = grid.distance[i];
    if (Number.isNaN(d) || (index >= 0 && d >= grid.distance[index])) continue;
    if (grid.combination(i).clusters.join(',') === key) index = i;
  }
  return index < 0 ? null : { pair, clusters: surviving, index, distance: grid.distance[index] };
}

export interface EventFit extends ChannelFit {
  /** Fraction of channel pairs whose surviving clusters equal this fit's (gridsearch_cluster_conf). */
  conf: number;
}

/** The event's fit: the smallest distance over the channel pairs, with its agreement fraction. */
export function selectEventFit(fits: (ChannelFit | null)[]): EventFit | null {
  const kept = fits.filter((f): f is ChannelFit => f !== null);
  if (kept.length === 0) return null;
  const best = kept.reduce((a, b) => (b.distance < a.distance ? b : a));
  const agree = kept.filter((f) => f.clusters.join(',') === best.clusters.join(',')).length;
  return { ...best, conf: agree / kept.length };
}
