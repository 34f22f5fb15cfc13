/**
 * Registry of oracle families: the `family` field of an oracle file picks the adapter.
 * One adapter file per family; adding a family is one import and one entry here.
 */
import type { OracleFamily } from '../types';
import { findPeaksFamily } from './find_peaks';
import { peakProminencesWidthsFamily } from './peak_prominences_widths';
import { findPeaksCwtFamily } from './find_peaks_cwt';
import { peakLocalMaxFamily } from './peak_local_max';
import { dbscanFamily } from './dbscan';
import { multiTauFamily } from './multi_tau';
import { twoTimeFamily } from './two_time';
import { xpcsEigenPortFamily } from './xpcs_eigen_port';
import { xpcsEigenPreprocFamily } from './xpcs_eigen_preproc';
import { crossCorrelationFamily } from './cross_correlation';
import { pearsonrFamily } from './pearsonr';
import { filtfiltFamily } from './filtfilt';
import { splrepLinearFamily } from './splrep_linear';
import { lassoBoxFamily } from './lasso_box';
import { lassoMetricsFamily } from './lasso_metrics';
import { goesClassFamily } from './goes_class';

const adapters: OracleFamily[] = [
  findPeaksFamily,
  peakProminencesWidthsFamily,
  findPeaksCwtFamily,
  peakLocalMaxFamily,
  dbscanFamily,
  multiTauFamily,
  twoTimeFamily,
  xpcsEigenPortFamily,
  xpcsEigenPreprocFamily,
  crossCorrelationFamily,
  pearsonrFamily,
  filtfiltFamily,
  splrepLinearFamily,
  lassoBoxFamily,
  lassoMetricsFamily,
  goesClassFamily,
];

export const oracleFamilies: Record<string, OracleFamily> = Object.fromEntries(adapters.map((a) => [a.family, a]));
