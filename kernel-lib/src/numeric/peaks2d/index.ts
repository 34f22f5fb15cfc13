// Public API of the peaks2d kernels (see README.md, 'Numeric API'): ALEXIS's single-image peak
// finder (skimage peak_local_max) and the clustering of its peaks (sklearn DBSCAN).
export { peakLocalMax } from './peak-local-max';
export type { Image2d, PeakLocalMaxOptions } from './image';
export { peakLocalMaxParallel } from './peak-local-max-parallel';
export { dbscan } from './dbscan';
export type { DbscanOptions, DbscanPoints, DbscanResult } from './dbscan';
