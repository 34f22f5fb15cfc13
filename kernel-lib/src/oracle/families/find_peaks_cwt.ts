/** Oracle adapter for the `find_peaks_cwt` family (placeholder until the kernel lands). */
import type { OracleFamily } from '../types';

export const findPeaksCwtFamily: OracleFamily = {
  family: 'find_peaks_cwt',
  runCase(_c, check) {
    check.fail('find_peaks_cwt: not implemented yet');
  },
};
