// Public API of the `stagebook` package (what notebooks import).
export * from './errors/stagebook-error';
export * from './numeric';
export * from './engine';
export * from './ledger';
export * from './config';
export * from './workdirs';
export * from './events';
export * from './logging';
export * from './examples';
export * from './formats/imm';
export * from './formats/hdf5';
export * from './formats/xpcs';
export * from './analysis';
export * from './formats/fits';
