/** CCSDS/PUS telemetry packets and the SOC/EDDS XML files that carry them (STIX). */
export * from './edds-xml';
export * from './packet';
export * from './segments';
