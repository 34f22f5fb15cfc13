// Public API of the `stagebook` package (what notebooks import).
export * from './errors/stagebook-error';
export * from './numeric';
