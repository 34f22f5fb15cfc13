export * from './unit-log';
