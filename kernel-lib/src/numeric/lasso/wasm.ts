/** Typed view of the `lasso` WASM family (wasm-core/assembly/lasso.ts). */
import { loadCore, type Core } from '../wasm/core';

export interface LassoKernels {
  lassoGram(a: number, n: number, k: number, x: number, q: number, c: number): void;
  lassoPath(
    q: number, c: number, k: number, lams: number, m: number, b0: number, status0: number,
    bOut: number, itersOut: number, maxIter: number,
  ): void;
}

/** The main-thread instance of the lasso module and its kernel entry points. */
export function lassoCore(): { core: Core; k: LassoKernels } {
  const core = loadCore('lasso');
  return { core, k: core.exports as unknown as LassoKernels };
}
