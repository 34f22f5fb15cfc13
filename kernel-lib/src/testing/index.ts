// `stagebook/testing`: simulators and fake servers for tests, demos and tutorials (not the main API).
export * from './solar';
