/** Oracle adapter for the `splrep_linear` family (placeholder until the kernel lands). */
import type { OracleFamily } from '../types';

export const splrepLinearFamily: OracleFamily = {
  family: 'splrep_linear',
  runCase(_c, check) {
    check.fail('splrep_linear: not implemented yet');
  },
};
