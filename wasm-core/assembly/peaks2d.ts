// peak_local_max kernels (skimage.feature.peak_local_max 0.19.3, labels=None, footprint=None):
// image statistics, the square maximum filter and candidate extraction, for f32 and f64 images.
// Sorting and minimum spacing run on the host (NumPy argsort tie order, see kernel-lib).
export * from "./common/memory";
import { maxFilter2d } from "./common/peaks2d-maxfilter";
import { extractCandidates, finiteMinMax } from "./common/peaks2d-extract";

/** min/max into stats (2 x f64); returns the first non-finite index or -1. */
export function minMaxF32(img: usize, n: i32, stats: usize): i32 { return finiteMinMax<f32>(img, n, stats); }
export function minMaxF64(img: usize, n: i32, stats: usize): i32 { return finiteMinMax<f64>(img, n, stats); }

/** maximum_filter(size 2r+1, mode='constant', cval=0): out holds (rows+2r)*cols, rowBuf cols+2r. */
export function maxFilterF32(img: usize, out: usize, rows: i32, cols: i32, r: i32, rowBuf: usize): void { maxFilter2d<f32>(img, out, rows, cols, r, rowBuf); }
export function maxFilterF64(img: usize, out: usize, rows: i32, cols: i32, r: i32, rowBuf: usize): void { maxFilter2d<f64>(img, out, rows, cols, r, rowBuf); }

/** Candidates (global linear indices, row-major) of rows [row0, row0+nRows); flags[0] = all img == maxf. */
export function candidatesF32(img: usize, maxf: usize, nRows: i32, cols: i32, row0: i32, totalRows: i32, bw: i32, thr: f32, out: usize, flags: usize): i32 {
  return extractCandidates<f32>(img, maxf, nRows, cols, row0, totalRows, bw, thr, out, flags);
}
export function candidatesF64(img: usize, maxf: usize, nRows: i32, cols: i32, row0: i32, totalRows: i32, bw: i32, thr: f64, out: usize, flags: usize): i32 {
  return extractCandidates<f64>(img, maxf, nRows, cols, row0, totalRows, bw, thr, out, flags);
}
