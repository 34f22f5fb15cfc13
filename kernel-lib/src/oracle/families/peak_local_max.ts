/** Oracle adapter for the `peak_local_max` family (placeholder until the kernel lands). */
import type { OracleFamily } from '../types';

export const peakLocalMaxFamily: OracleFamily = {
  family: 'peak_local_max',
  runCase(_c, check) {
    check.fail('peak_local_max: not implemented yet');
  },
};
