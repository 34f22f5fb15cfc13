/** Oracle adapter for the `xpcs_eigen_port` family (placeholder until the kernel lands). */
import type { OracleFamily } from '../types';

export const xpcsEigenPortFamily: OracleFamily = {
  family: 'xpcs_eigen_port',
  runCase(_c, check) {
    check.fail('xpcs_eigen_port: not implemented yet');
  },
};
