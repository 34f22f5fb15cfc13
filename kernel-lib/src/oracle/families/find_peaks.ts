/** Oracle adapter for the `find_peaks` family (placeholder until the kernel lands). */
import type { OracleFamily } from '../types';

export const findPeaksFamily: OracleFamily = {
  family: 'find_peaks',
  runCase(_c, check) {
    check.fail('find_peaks: not implemented yet');
  },
};
