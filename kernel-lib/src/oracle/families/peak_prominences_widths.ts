/** Oracle adapter for the `peak_prominences_widths` family (placeholder until the kernel lands). */
import type { OracleFamily } from '../types';

export const peakProminencesWidthsFamily: OracleFamily = {
  family: 'peak_prominences_widths',
  runCase(_c, check) {
    check.fail('peak_prominences_widths: not implemented yet');
  },
};
