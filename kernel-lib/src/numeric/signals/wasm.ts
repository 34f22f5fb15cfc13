/** Typed view of the `signals` WASM family (wasm-core/assembly/signals.ts). */
import { loadCore, type Core } from '../wasm/core';

export interface SignalsKernels {
  correlateDirect(a: number, n1: number, v: number, n2: number, out: number, start: number, count: number): void;
  correlateFft(
    a: number,
    n1: number,
    v: number,
    n2: number,
    out: number,
    start: number,
    count: number,
    work: number,
    tw: number,
    nfft: number,
  ): void;
  lfilterDf2t(b: number, a: number, nc: number, x: number, y: number, n: number, z: number, reverse: number): void;
}

/** The main-thread instance of the signals module and its kernel entry points. */
export function signalsCore(): { core: Core; k: SignalsKernels } {
  const core = loadCore('signals');
  return { core, k: core.exports as unknown as SignalsKernels };
}
