/** STIX operations: telemetry to L2 products, the watched-folder service, its status endpoint and stuck monitor. */
export * from './products';
export * from './options';
export * from './time-correlation';
export * from './resources';
export * from './fits-product';
export * from './lb-files';
export * from './l0-tables';
export { readTmGroups, tmToLb } from './tm-to-lb';
export { lbToL0, mergeProductTables } from './lb-to-l0';
export { l0ToL1, calibrateColumns, productOfFile } from './l0-to-l1';
export { l1ToL2, lightCurveL2, QL_BANDS, QL_BAND_EDGES_KEV } from './l1-to-l2';
export * from './pipeline';
export * as ccsds from '../../formats/ccsds';
export * as idb from '../../formats/idb';
