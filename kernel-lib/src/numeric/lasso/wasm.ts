/** Typed view of the `lasso` WASM family (wasm-core/assembly/lasso.ts). */
import { loadCore, type Core } from '../wasm/core';

/** A whole-grid entry: Gram matrix and target sums in, per-combination distances and the best fit out. */
type LassoGridKernel = (
  g: number,
  d: number,
  colSum: number,
  colMax: number,
  xx: number,
  sx: number,
  n: number,
  nc: number,
  nz: number,
  lams: number,
  nl: number,
  outDist: number,
  outLam: number,
  outB: number,
  maxIter: number,
) => number;

export interface LassoKernels {
  lassoGram(a: number, n: number, k: number, x: number, q: number, c: number): void;
  lassoPath(
    q: number,
    c: number,
    k: number,
    lams: number,
    m: number,
    b0: number,
    status0: number,
    bOut: number,
    itersOut: number,
    maxIter: number,
  ): void;
  lassoGrid: LassoGridKernel;
  /** Same arguments as lassoGrid; only the combinations that use all nc clusters. */
  lassoGridAllClusters: LassoGridKernel;
}

/** The main-thread instance of the lasso module and its kernel entry points. */
export function lassoCore(): { core: Core; k: LassoKernels } {
  const core = loadCore('lasso');
  return { core, k: core.exports as unknown as LassoKernels };
}
