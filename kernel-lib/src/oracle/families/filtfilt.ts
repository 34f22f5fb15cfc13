/** Oracle adapter for the `filtfilt` family (placeholder until the kernel lands). */
import type { OracleFamily } from '../types';

export const filtfiltFamily: OracleFamily = {
  family: 'filtfilt',
  runCase(_c, check) {
    check.fail('filtfilt: not implemented yet');
  },
};
