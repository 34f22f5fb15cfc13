/** Oracle adapter for the `two_time` family (placeholder until the kernel lands). */
import type { OracleFamily } from '../types';

export const twoTimeFamily: OracleFamily = {
  family: 'two_time',
  runCase(_c, check) {
    check.fail('two_time: not implemented yet');
  },
};
