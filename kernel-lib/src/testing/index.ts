/**
 * `stagebook/testing`: local archives, simulators and fake servers for tests and demos (kept out of
 * the main `stagebook` entry).
 */
export * from '../local-archive';
export * from '../simulate';
export * from './stix';
