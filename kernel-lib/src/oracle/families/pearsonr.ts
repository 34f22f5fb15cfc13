/** Oracle adapter for the `pearsonr` family (placeholder until the kernel lands). */
import type { OracleFamily } from '../types';

export const pearsonrFamily: OracleFamily = {
  family: 'pearsonr',
  runCase(_c, check) {
    check.fail('pearsonr: not implemented yet');
  },
};
