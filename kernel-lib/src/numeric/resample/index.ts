// Image resampling (wasm-core `image` family): skimage-compatible bicubic affine warps.
export { warpAffine } from './warp';
export type { WarpAffineOptions, WarpImage } from './warp';
export { warpAffineParallel } from './warp-parallel';
export { linearSpline, evalLinearSpline } from './linear-spline';
export type { LinearSpline } from './linear-spline';
