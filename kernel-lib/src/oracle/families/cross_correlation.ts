/** Oracle adapter for the `cross_correlation` family (placeholder until the kernel lands). */
import type { OracleFamily } from '../types';

export const crossCorrelationFamily: OracleFamily = {
  family: 'cross_correlation',
  runCase(_c, check) {
    check.fail('cross_correlation: not implemented yet');
  },
};
