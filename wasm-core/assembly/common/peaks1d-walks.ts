// Prominence and width walks of scipy 1.10 (scipy/signal/_peak_finding_utils.pyx: _peak_prominences,
// _peak_widths), sample for sample, with whole-block skips (see peaks1d-blocks.ts) that cannot change
// the result: a block is skipped only when every sample in it would have continued the walk.
import { BLOCK, BLOCK_MASK, BLOCK_SHIFT } from "./peaks1d-blocks";

@inline function xAt(xPtr: usize, i: i32): f64 {
  return load<f64>(xPtr + (<usize>i << 3));
}

/** Result slots of the last walk (module globals avoid returning tuples). */
export let walkMin: f64 = 0;
export let walkBase: i32 = 0;

/**
 * Left base walk: `while lo <= i and x[i] <= h` moving left from the peak, keeping the first
 * (closest to the peak) strict minimum. Blocks with max <= h are merged via their rightmost argmin.
 */
export function walkLeftBase(xPtr: usize, peak: i32, lo: i32, bMin: usize, bMax: usize, bArgR: usize): void {
  const h = xAt(xPtr, peak);
  let minV = h;
  let base = peak;
  let i = peak;
  while (i >= lo) {
    if ((i & BLOCK_MASK) == BLOCK_MASK && i - BLOCK_MASK >= lo) {
      const b = i >> BLOCK_SHIFT;
      if (load<f64>(bMax + (<usize>b << 3)) <= h) {
        const m = load<f64>(bMin + (<usize>b << 3));
        if (m < minV) {
          minV = m;
          base = load<i32>(bArgR + (<usize>b << 2));
        }
        i -= BLOCK;
        continue;
      }
    }
    const v = xAt(xPtr, i);
    if (!(v <= h)) break;
    if (v < minV) {
      minV = v;
      base = i;
    }
    i--;
  }
  walkMin = minV;
  walkBase = base;
}

/** Right base walk: mirror of walkLeftBase (`while i <= hi and x[i] <= h`), leftmost argmin per block. */
export function walkRightBase(xPtr: usize, peak: i32, hi: i32, bMin: usize, bMax: usize, bArgL: usize): void {
  const h = xAt(xPtr, peak);
  let minV = h;
  let base = peak;
  let i = peak;
  while (i <= hi) {
    if ((i & BLOCK_MASK) == 0 && i + BLOCK_MASK <= hi) {
      const b = i >> BLOCK_SHIFT;
      if (load<f64>(bMax + (<usize>b << 3)) <= h) {
        const m = load<f64>(bMin + (<usize>b << 3));
        if (m < minV) {
          minV = m;
          base = load<i32>(bArgL + (<usize>b << 2));
        }
        i += BLOCK;
        continue;
      }
    }
    const v = xAt(xPtr, i);
    if (!(v <= h)) break;
    if (v < minV) {
      minV = v;
      base = i;
    }
    i++;
  }
  walkMin = minV;
  walkBase = base;
}

/**
 * Left width walk: `while lo < i and height < x[i]: i -= 1` (lo = left base). A block is skipped
 * when all its indices are > lo and its minimum is > height (bMin = 0: no block summaries).
 */
export function walkLeftWidth(xPtr: usize, peak: i32, lo: i32, height: f64, bMin: usize): i32 {
  let i = peak;
  while (lo < i) {
    if (bMin != 0 && (i & BLOCK_MASK) == BLOCK_MASK && i - BLOCK_MASK > lo && load<f64>(bMin + (<usize>(i >> BLOCK_SHIFT) << 3)) > height) {
      i -= BLOCK;
      continue;
    }
    if (!(height < xAt(xPtr, i))) break;
    i--;
  }
  return i;
}

/** Right width walk: `while i < hi and height < x[i]: i += 1` (hi = right base). */
export function walkRightWidth(xPtr: usize, peak: i32, hi: i32, height: f64, bMin: usize): i32 {
  let i = peak;
  while (i < hi) {
    if (bMin != 0 && (i & BLOCK_MASK) == 0 && i + BLOCK_MASK < hi && load<f64>(bMin + (<usize>(i >> BLOCK_SHIFT) << 3)) > height) {
      i += BLOCK;
      continue;
    }
    if (!(height < xAt(xPtr, i))) break;
    i++;
  }
  return i;
}
