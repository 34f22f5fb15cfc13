/**
 * Oracle adapter for `dbscan` (sklearn.cluster.DBSCAN 1.2): runs the public dbscan on `X`
 * (inline, or `x_file`/`X_file` JSON side file; nulls as NaN) and compares labels,
 * core_sample_indices, n_clusters and n_noise exactly.
 */
import { dbscan } from '../../numeric/peaks2d';
import { caseField } from '../fields';
import type { OracleCase, OracleFamily } from '../types';

export const dbscanFamily: OracleFamily = {
  family: 'dbscan',
  runCase(c: OracleCase, check, ctx) {
    const X = caseField(c, 'X', ctx, ['X_file', 'x_file']) as number[][];
    const p = (c.params ?? {}) as { eps: number; min_samples?: number; metric?: string };
    if (p.metric && p.metric !== 'euclidean')
      check.fail(`dbscan: metric ${p.metric} is not supported (euclidean only)`);
    const r = dbscan(X, { eps: p.eps, minSamples: p.min_samples ?? 5 });
    if (!c.expected) return;
    const e = c.expected as { labels: number[]; core_sample_indices: number[]; n_clusters?: number; n_noise?: number };
    check.exact('labels', r.labels, e.labels);
    check.exact('core_sample_indices', r.coreSampleIndices, e.core_sample_indices);
    if (e.n_clusters !== undefined) check.equal('n_clusters', r.nClusters, e.n_clusters);
    if (e.n_noise !== undefined) check.equal('n_noise', r.nNoise, e.n_noise);
  },
};
