/** Oracle adapter for the `multi_tau` family (placeholder until the kernel lands). */
import type { OracleFamily } from '../types';

export const multiTauFamily: OracleFamily = {
  family: 'multi_tau',
  runCase(_c, check) {
    check.fail('multi_tau: not implemented yet');
  },
};
