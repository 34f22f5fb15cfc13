// Model fitting used by pipeline notebooks (XPCS g2 decays, ...).
export { leastSquares, solveLinear, defaultLeastSquaresPolicy } from './least-squares';
export type { LeastSquaresProblem, LeastSquaresPolicy, LeastSquaresResult } from './least-squares';
export { fitG2Decay, g2Model } from './g2-fit';
export type { G2Fit, G2FitOptions } from './g2-fit';
