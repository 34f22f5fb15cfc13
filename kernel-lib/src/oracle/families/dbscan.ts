/** Oracle adapter for the `dbscan` family (placeholder until the kernel lands). */
import type { OracleFamily } from '../types';

export const dbscanFamily: OracleFamily = {
  family: 'dbscan',
  runCase(_c, check) {
    check.fail('dbscan: not implemented yet');
  },
};
