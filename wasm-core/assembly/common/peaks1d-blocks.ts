// Block summaries of a signal for the 1-D peak kernels (peaks1d.ts).
//
// scipy's _peak_prominences / _peak_widths walk sample by sample away from each peak; for the
// highest peaks of a long signal that walk covers a large part of the signal. Summaries of
// BLOCK = 64 samples (min, max, leftmost and rightmost argmin) let the same walks skip whole
// blocks while producing exactly the same stop positions, minima and tie choices.

export const BLOCK_SHIFT: i32 = 6;
export const BLOCK: i32 = 1 << BLOCK_SHIFT;
export const BLOCK_MASK: i32 = BLOCK - 1;

/** Number of blocks covering n samples (the last one may be partial). */
export function blockCount(n: i32): i32 {
  return (n + BLOCK_MASK) >> BLOCK_SHIFT;
}

/**
 * Fills per-block min/max (f64) and leftmost/rightmost argmin (i32) for x[0..n).
 * A partial last block is summarised too but the walkers never skip it (they only skip blocks
 * lying entirely inside their search interval).
 */
export function buildBlocks(xPtr: usize, n: i32, minPtr: usize, maxPtr: usize, argLPtr: usize, argRPtr: usize): void {
  const nb = blockCount(n);
  for (let b = 0; b < nb; b++) {
    const start = b << BLOCK_SHIFT;
    const end = min(start + BLOCK, n);
    let lo = load<f64>(xPtr + (<usize>start << 3));
    let hi = lo;
    let argL = start;
    let argR = start;
    for (let i = start + 1; i < end; i++) {
      const v = load<f64>(xPtr + (<usize>i << 3));
      if (v < lo) {
        lo = v;
        argL = i;
        argR = i;
      } else if (v == lo) {
        argR = i;
      }
      if (v > hi) hi = v;
    }
    store<f64>(minPtr + (<usize>b << 3), lo);
    store<f64>(maxPtr + (<usize>b << 3), hi);
    store<i32>(argLPtr + (<usize>b << 2), argL);
    store<i32>(argRPtr + (<usize>b << 2), argR);
  }
}
