// Prominences of ascending peak lists in O(n): scipy's _peak_prominences walk (see peaks1d-walks.ts)
// stops at the nearest strictly higher sample and keeps the minimum closest to the peak. One
// monotonic-stack pass per side yields, for every position p, that nearest higher sample and the
// minimum of the samples in between (with scipy's tie choice), whatever the walk length would be.
// Windows (wlen) that cut the interval short fall back to the block walk inside the window.
import { walkBase, walkLeftBase, walkMin, walkRightBase } from "./peaks1d-walks";

@inline function xAt(xPtr: usize, i: i32): f64 {
  return load<f64>(xPtr + (<usize>i << 3));
}

// Stack entries (ENTRY bytes): sample value f64, segment minimum f64, index i32, argmin i32. Keeping
// the values in the entry avoids dependent loads from x while popping. Grown on demand.
const ENTRY: i32 = 24;
let stackPtr: usize = 0;
let stackCap: i32 = 0;

function stackReset(): void {
  if (stackCap == 0) {
    stackCap = 1024;
    stackPtr = heap.alloc(<usize>(stackCap * ENTRY));
  }
}

/** Releases the stack buffer (called at the end of each kernel). */
export function stackFree(): void {
  if (stackCap != 0) heap.free(stackPtr);
  stackCap = 0;
  stackPtr = 0;
}

@inline function entry(i: i32): usize {
  return stackPtr + <usize>(i * ENTRY);
}

@inline function push(top: i32, value: f64, minV: f64, idx: i32, arg: i32): void {
  if (top >= stackCap) {
    stackCap <<= 1;
    stackPtr = heap.realloc(stackPtr, <usize>(stackCap * ENTRY));
  }
  const e = entry(top);
  store<f64>(e, value);
  store<f64>(e, minV, 8);
  store<i32>(e, idx, 16);
  store<i32>(e, arg, 20);
}

/**
 * Pops every entry with value <= x[p] (the walk continues over equal samples) merging its segment
 * minimum; a strictly smaller popped minimum wins, so ties keep the sample closest to p (rightmost
 * on the left side, leftmost on the right side). Returns the new stack size; the surviving top (if
 * any) is the nearest strictly higher sample. mergedMin/mergedArg receive the segment minimum.
 */
let mergedArg: i32 = 0;
let mergedMin: f64 = 0;
@inline function popLower(xPtr: usize, top: i32, p: i32): i32 {
  const h = xAt(xPtr, p);
  let arg = p;
  let minV = h;
  while (top > 0) {
    const e = entry(top - 1);
    if (!(load<f64>(e) <= h)) break;
    const m = load<f64>(e, 8);
    if (m < minV) {
      minV = m;
      arg = load<i32>(e, 20);
    }
    top--;
  }
  mergedArg = arg;
  mergedMin = minV;
  return top;
}

/**
 * Left bases of ascending peaks: leftMinOut[k] = min value, leftOut[k] = base.
 */
export function leftBasesSorted(
  xPtr: usize, n: i32, peaksPtr: usize, m: i32, wlen: i32,
  bMin: usize, bMax: usize, bArgR: usize, leftMinOut: usize, leftOut: usize,
): void {
  if (m == 0) return;
  stackReset();
  const half = wlen >> 1;
  const last = load<i32>(peaksPtr + (<usize>(m - 1) << 2));
  let top = 0;
  let k = 0;
  for (let p = 0; p <= last; p++) {
    top = popLower(xPtr, top, p);
    const arg = mergedArg;
    const segMin = mergedMin;
    const higher = top > 0 ? load<i32>(entry(top - 1), 16) : -1;
    push(top, xAt(xPtr, p), segMin, p, arg);
    top++;
    while (k < m && load<i32>(peaksPtr + (<usize>k << 2)) == p) {
      const lo = wlen >= 2 ? max(p - half, 0) : 0;
      let minV = segMin;
      let base = arg;
      if (higher + 1 < lo) {
        walkLeftBase(xPtr, p, lo, bMin, bMax, bArgR);
        minV = walkMin;
        base = walkBase;
      }
      store<f64>(leftMinOut + (<usize>k << 3), minV);
      store<i32>(leftOut + (<usize>k << 2), base);
      k++;
    }
  }
  stackFree();
}

/**
 * Right bases of ascending peaks and the prominences x[p] - max(leftMin, rightMin).
 * promInOut holds the left minima on entry. Returns the number of zero prominences.
 */
export function rightBasesSorted(
  xPtr: usize, n: i32, peaksPtr: usize, m: i32, wlen: i32,
  bMin: usize, bMax: usize, bArgL: usize, promInOut: usize, rightOut: usize,
): i32 {
  if (m == 0) return 0;
  stackReset();
  const half = wlen >> 1;
  const first = load<i32>(peaksPtr);
  let top = 0;
  let k = m - 1;
  let zeros = 0;
  for (let p = n - 1; p >= first; p--) {
    top = popLower(xPtr, top, p);
    const arg = mergedArg;
    const segMin = mergedMin;
    const higher = top > 0 ? load<i32>(entry(top - 1), 16) : n;
    push(top, xAt(xPtr, p), segMin, p, arg);
    top++;
    while (k >= 0 && load<i32>(peaksPtr + (<usize>k << 2)) == p) {
      const hi = wlen >= 2 ? min(p + half, n - 1) : n - 1;
      let minV = segMin;
      let base = arg;
      if (higher - 1 > hi) {
        walkRightBase(xPtr, p, hi, bMin, bMax, bArgL);
        minV = walkMin;
        base = walkBase;
      }
      const prom = xAt(xPtr, p) - max(load<f64>(promInOut + (<usize>k << 3)), minV);
      store<f64>(promInOut + (<usize>k << 3), prom);
      store<i32>(rightOut + (<usize>k << 2), base);
      if (prom == 0) zeros++;
      k--;
    }
  }
  stackFree();
  return zeros;
}
