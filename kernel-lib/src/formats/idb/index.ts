/** Instrument databases in the SCOS-2000 MIB layout (SQLite), IDB-driven packet decoding and calibration. */
export * from './mib';
export * from './idb';
export * from './calibrate';
export * from './decode';
