// The simulated Sun (ALEXIS tests, demo, notebooks): scene, AIA, SXI and GOES XRS simulators.
export {
  makeSolarScene,
  defaultFlares,
  goesClassFlux,
  flareProfile,
  stableHash,
  utcDayStart,
  inGap,
  AIA_CHANNELS,
  AIA_FLARE_LAG_S,
} from './scene';
export type {
  SolarScene,
  SolarSceneOptions,
  FlareInput,
  InjectedFlare,
  ActiveRegion,
  AiaChannel,
  DataGap,
} from './scene';
export {
  renderAiaFrame,
  writeAiaFits,
  aiaFileName,
  aiaFrameTimeMs,
  aiaFrameIndexNear,
  aiaDefectOf,
  aiaTruePointing,
  aiaExptime,
  AIA_DEFECTS,
  AIA_CADENCE_S,
  AIA_BAD_HEADER_QUALITY,
} from './aia';
export type { AiaFrame, AiaDefect } from './aia';
export {
  renderSxiFrame,
  writeSxiFits,
  sxiFileName,
  sxiFrameTimeMs,
  sxiDefectOf,
  sxiPointing,
  SXI_DEFECTS,
  SXI_FILTER_CYCLE,
  SXI_ROWS,
  SXI_COLS,
  SXI_CDELT,
} from './sxi';
export type { SxiFrame, SxiDefect } from './sxi';
export {
  simulateXrsDay,
  writeXrsNetcdf,
  readXrsNetcdf,
  xrsFileName,
  XRS_EPOCH_UNIX_S,
  XRS_CADENCE_S,
  XRS_FILL,
  XRS_B_CLASS_FACTOR,
} from './xrs';
export type { XrsDay } from './xrs';
export { neutralCalibrationCsv } from './calibration';
export { RECOVERY_FLARES, RECOVERY_GAPS, matchCatalogue } from './recovery';
export type { CatalogueEntry, FlareScore } from './recovery';
