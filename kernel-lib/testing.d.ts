// Types of `stagebook/testing` (see testing.js).
export * from './dist/testing';
