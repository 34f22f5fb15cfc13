/**
 * The simulated Sun's own AIA calibration tables (CSV, the format stage 2 reads): a NEUTRAL
 * degradation table (factor 1) and typical effective areas and gains. Labelled as such in the
 * files; never use them on real data.
 */
/** Neutral tables for the simulated Sun (factor 1; typical effective areas and gains), clearly labelled. */
export function neutralCalibrationCsv(): { degradation: string; effectiveArea: string } {
  const ch = ['94', '131', '171', '193', '211', '335'];
  return {
    degradation:
      '# NEUTRAL degradation table for the stagebook simulated Sun (factor 1: no degradation). Not for real data.\nchannel,time,factor\n' +
      ch.map((c) => `${c},2010-05-01T00:00:00,1.0\n${c},2020-05-01T00:00:00,1.0`).join('\n') +
      '\n',
    effectiveArea:
      '# Effective areas (cm^2) and gains (DN/photon) for the stagebook simulated Sun: typical AIA values, not a calibration.\nchannel,eff_area,dn_gain\n' +
      '94,0.31,2.1\n131,1.0,1.8\n171,2.6,1.6\n193,1.6,1.4\n211,0.76,1.3\n335,0.14,1.1\n',
  };
}
