// ALEXIS' fit of the XRS light curve by cluster light curves: the bounded LASSO and its metrics.
export { boundedLasso, boundedLassoPath, toMatrix, matVec } from './bounded-lasso';
export type { BoundedLassoOptions, BoundedLassoSolution, DenseMatrix, Matrix } from './bounded-lasso';
export { lassoFitMetrics } from './metrics';
export type { LassoFitMetrics } from './metrics';
export { lassoGridSearch, alexisLambdaGrid, alexisTarget, alexisColumn, alexisDesignMatrix } from './grid-search';
export type { LassoGridInput, LassoGridResult, GridCombination } from './grid-search';
export { lassoSubsetGrid } from './subset-grid';
export type { SubsetGridInput, SubsetGridResult, SubsetGridBest } from './subset-grid';
