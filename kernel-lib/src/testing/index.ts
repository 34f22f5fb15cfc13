// `stagebook/testing`: simulators and fake servers for tests, demos and tutorials (not the main API).
export * from './solar';
export { SunArchive } from '../local-archive/sun-archive';
export type { SunArchiveOptions } from '../local-archive/sun-archive';
