/**
 * ALEXIS stage 4, steps 1-2 (`create_peakfinder_scale.time_avg_and_hyperspectral_clustering`), split
 * in two so a changed parameter re-runs only what depends on it:
 *
 * Step 1, temporal clustering: rows without a peak dropped, sorted by time; per (wavelength,
 * instrument, telescope) group (pandas groupby order: keys sorted) with MORE than 5 rows,
 * `DBSCAN(eps=50", min_samples=int(0.15 * #unique times))` on the (x, y) HPC centroids; each non-noise
 * label gives a temporal cluster at the mean position with num_votes = members, num_of_members = group
 * rows, vote_ratio = their ratio.
 *
 * Step 2, hyperspectral clustering: `DBSCAN(eps=50", min_samples=max(1, int(2/3 * #wavelengths)))` over
 * the temporal clusters (in step-1 order); each non-noise label is a candidate at the mean of its
 * members, with ALEXIS's vote lists. `avail_*` lists the temporal clusters with label 0 (one per group
 * that has any cluster), as ALEXIS does.
 *
 * Differences from ALEXIS, each without effect on its results:
 * - dropna is applied to the peak columns only (ALEXIS drops rows with a NaN in ANY column; its
 *   databases fill every column of a peak row, stagebook's leaves download_speed empty);
 * - min_samples int(0.15 * n) = 0 runs as 1: sklearn < 1.2 (ALEXIS's) accepted 0, and a point's
 *   neighbourhood always holds the point itself, so 0 and 1 give the same labels (1.2 refuses 0);
 * - rows are sorted stably by (time, URL, cluster label); pandas' quicksort leaves equal times in an
 *   unspecified order, which can only renumber DBSCAN labels;
 * - no temporal cluster at all: no candidates (ALEXIS fails on the empty frame).
 */
import { z } from 'zod';
import { dbscan } from '../../numeric/peaks2d/dbscan';
import { npMean } from '../../numeric/signals/summation';
import type { Candidate, HyperspectralRow, TemporalCluster, TemporalClustersFile } from './candidate-files';

/** Step-1 parameters (ALEXIS's values as defaults). */
export const temporalParamsSchema = z.strictObject({
  eps: z.number().positive().default(50).describe('DBSCAN radius (arcsec)'),
  minSamplesFraction: z.number().gt(0).max(1).default(0.15).describe('min_samples = int(fraction * unique times)'),
  minRows: z.number().int().min(0).default(5).describe('groups need MORE than this many rows'),
});
export type TemporalParams = z.output<typeof temporalParamsSchema>;

/** Step-2 parameters. */
export const hyperspectralParamsSchema = z.strictObject({
  eps: z.number().positive().default(50).describe('DBSCAN radius (arcsec)'),
  wavelengthFraction: z
    .number()
    .gt(0)
    .max(1)
    .default(2 / 3)
    .describe('min_samples = max(1, int(fraction * #wavelengths))'),
});
export type HyperspectralParams = z.output<typeof hyperspectralParamsSchema>;

/** np.mean (pairwise summation, so positions round as ALEXIS's do); NaN for no values. */
const mean = (v: number[]): number => (v.length === 0 ? NaN : npMean(v));

/** ALEXIS's temporal min_samples: int(fraction * unique times). */
export function temporalMinSamples(uniqueTimes: number, fraction = 0.15): number {
  return Math.trunc(uniqueTimes * fraction);
}

/** ALEXIS's hyperspectral min_samples: int(fraction * #wavelengths), 0 patched to 1. */
export function hyperspectralMinSamples(wavelengths: number, fraction = 2 / 3): number {
  return Math.max(1, Math.trunc(wavelengths * fraction));
}

function groupOrder(a: HyperspectralRow, b: HyperspectralRow): number {
  for (const k of ['wavelength', 'instrument', 'telescope'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return 0;
}

/** Step 1 over one working directory's hyperspectral table. */
export function temporalClusters(
  rows: readonly HyperspectralRow[],
  workingDir: string,
  p: TemporalParams,
): TemporalClustersFile {
  const df = rows
    .filter((r) => Number.isFinite(r.dbscan_1_x_hpc) && Number.isFinite(r.dbscan_1_y_hpc))
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) =>
        a.r.time_stamp - b.r.time_stamp ||
        (a.r.url < b.r.url ? -1 : a.r.url > b.r.url ? 1 : 0) ||
        a.r.dbscan_1_label - b.r.dbscan_1_label ||
        a.i - b.i,
    )
    .map((e) => e.r);
  const groups: TemporalClustersFile['groups'] = [];
  const clusters: TemporalCluster[] = [];
  const sortedGroups: HyperspectralRow[][] = [];
  for (const r of [...df].sort(groupOrder)) {
    const last = sortedGroups[sortedGroups.length - 1];
    if (last && groupOrder(last[0], r) === 0) last.push(r);
    else sortedGroups.push([r]);
  }
  for (const g of sortedGroups) {
    // The stable group sort keeps each group's rows in time order.
    const uniqueTimes = new Set(g.map((r) => r.date_time)).size;
    const passing = temporalMinSamples(uniqueTimes, p.minSamplesFraction);
    const minSamples = Math.max(1, passing);
    const key = { wavelength: g[0].wavelength, instrument: g[0].instrument, telescope: g[0].telescope };
    const clustered = g.length > p.minRows;
    groups.push({
      ...key,
      rows: g.length,
      unique_times: uniqueTimes,
      passing_vote: passing,
      min_samples: minSamples,
      clustered,
    });
    if (!clustered) continue;
    const labels = dbscan(
      g.map((r) => [r.dbscan_1_x_hpc, r.dbscan_1_y_hpc]),
      { eps: p.eps, minSamples },
    ).labels;
    const good = [...new Set(labels)].filter((l) => l !== -1).sort((a, b) => a - b);
    for (const label of good) {
      const members = g.filter((_, i) => labels[i] === label);
      clusters.push({
        ...key,
        hpc_x: mean(members.map((r) => r.dbscan_1_x_hpc)),
        hpc_y: mean(members.map((r) => r.dbscan_1_y_hpc)),
        label,
        passing_vote: passing,
        num_votes: members.length,
        num_of_members: g.length,
        vote_ratio: members.length / g.length,
      });
    }
  }
  return {
    working_dir: workingDir,
    eps: p.eps,
    avg_dbscan_time_1: mean(df.map((r) => r.dbscan_time_1)),
    avg_peakfinder_time_1: mean(df.map((r) => r.peakfinder_time_1)),
    avg_clean_time: mean(df.map((r) => r.cleaning_time_1)),
    groups,
    clusters,
  };
}

/** Step 2: the candidates (ALEXIS's v3_interesting_pixels records). */
export function hyperspectralCandidates(t: TemporalClustersFile, p: HyperspectralParams): Candidate[] {
  const hs = t.clusters;
  if (hs.length === 0) return [];
  const passing = hyperspectralMinSamples(new Set(hs.map((c) => c.wavelength)).size, p.wavelengthFraction);
  const labels = dbscan(
    hs.map((c) => [c.hpc_x, c.hpc_y]),
    { eps: p.eps, minSamples: passing },
  ).labels;
  const avail = hs.filter((c) => c.label === 0);
  const out: Candidate[] = [];
  for (const label of [...new Set(labels)].filter((l) => l !== -1).sort((a, b) => a - b)) {
    const m = hs.filter((_, i) => labels[i] === label);
    out.push({
      x_hpc: mean(m.map((c) => c.hpc_x)),
      y_hpc: mean(m.map((c) => c.hpc_y)),
      label,
      avail_wls: avail.map((c) => c.wavelength),
      avail_tel: avail.map((c) => c.telescope),
      avail_inst: avail.map((c) => c.instrument),
      voting_wl: m.map((c) => c.wavelength),
      voting_tel: m.map((c) => c.telescope),
      voting_inst: m.map((c) => c.instrument),
      working_dir: t.working_dir,
      passing_votes: passing,
      avail_votes: avail.length,
      temporal_vote_ratio: m.map((c) => c.vote_ratio),
      temporal_vote_number: m.map((c) => c.num_votes),
      temporal_vote_members: m.map((c) => c.num_of_members),
      temporal_passing_vote: m.map((c) => c.passing_vote),
      num_votes: m.length,
      avg_dbscan_time_1: t.avg_dbscan_time_1,
      avg_peakfinder_time_1: t.avg_peakfinder_time_1,
      avg_clean_time_peakfinder: t.avg_clean_time,
    });
  }
  return out;
}
