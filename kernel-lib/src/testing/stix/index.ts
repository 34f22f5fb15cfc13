/** The STIX telemetry simulator: packets, EDDS XML files, rsync-style delivery, IDB, time correlation, workspace. */
export * from './sim-idb';
export * from './telemetry';
export * from './workspace';
export * from './publish-fixtures';
