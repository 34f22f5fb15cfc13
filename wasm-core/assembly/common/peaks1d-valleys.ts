// Prominences of local maxima from their valleys, in O(n + m) without walking the signal per peak.
//
// Between two consecutive local maxima M[t-1] < M[t] of scipy `_local_maxima_1d` the signal is
// non-increasing then non-decreasing (a strict rise followed by a strict fall would be another
// maximum), and so are the prefix before M[0] and the suffix after the last maximum. Call valley t
// the samples strictly between M[t-1] and M[t] (M[-1] = -1, M[m] = n): its minimum is below both
// neighbouring maxima and its equal minima are contiguous. scipy's `_peak_prominences` walk from a
// maximum p (`while i_min <= i and x[i] <= x[p]`, keeping the first strict minimum) therefore
// crosses whole valleys until the nearest strictly higher maximum, and its result is the minimum of
// those valleys (rightmost argmin on the left, leftmost on the right: the one met first). A
// monotonic stack over the maxima (not the samples) merges them. With a window (wlen) the walk may
// stop at the window edge instead: the exact stop sample ("higher") is found by bisection on the
// monotone flank, and a cut window takes the minimum of the whole valleys inside it (a monotonic
// deque over valleys, the window only moves one way) and of the cut valley (unimodal, so its
// minimum inside the window is either its own minimum or the sample at the window edge).

@inline function xAt(xPtr: usize, i: i32): f64 {
  return load<f64>(xPtr + (<usize>i << 3));
}
@inline function i32At(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
@inline function f64At(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/**
 * Valley minima of the m maxima M (ascending): for t in 0..m, the samples strictly between
 * M[t-1] and M[t] (M[-1] = -1, M[m] = n). vMin[t] = minimum, vArgL/vArgR = leftmost/rightmost argmin.
 */
export function valleysOf(xPtr: usize, n: i32, M: usize, m: i32, vMin: usize, vArgL: usize, vArgR: usize): void {
  let start = 0;
  for (let t = 0; t <= m; t++) {
    const end = t < m ? i32At(M, t) : n; // exclusive
    let mn = xAt(xPtr, start);
    let argL = start;
    let argR = start;
    for (let i = start + 1; i < end; i++) {
      const v = xAt(xPtr, i);
      argL = select(i, argL, v < mn);
      argR = select(i, argR, v <= mn);
      mn = select(v, mn, v < mn);
    }
    store<f64>(vMin + (<usize>t << 3), mn);
    store<i32>(vArgL + (<usize>t << 2), argL);
    store<i32>(vArgR + (<usize>t << 2), argR);
    start = end + 1;
  }
}

// Scratch arrays, grown on demand (the stack is usually shallow, the deque spans one window).
let stkH: usize = 0; // f64 peak heights
let stkMin: usize = 0; // f64 segment minima
let stkArg: usize = 0; // i32 segment argmins
let stkIdx: usize = 0; // i32 maxima indices
let stkCap: i32 = 0;
let deq: usize = 0; // i32 valley indices
let deqCap: i32 = 0;

function scratch(): void {
  stkCap = 4096;
  stkH = heap.alloc(<usize>stkCap << 3);
  stkMin = heap.alloc(<usize>stkCap << 3);
  stkArg = heap.alloc(<usize>stkCap << 2);
  stkIdx = heap.alloc(<usize>stkCap << 2);
  deqCap = 4096;
  deq = heap.alloc(<usize>deqCap << 2);
}

function scratchFree(): void {
  heap.free(stkH); heap.free(stkMin); heap.free(stkArg); heap.free(stkIdx); heap.free(deq);
  stkCap = 0;
  deqCap = 0;
}

/** Pushes a stack entry at `top` (growing the arrays when full). */
@inline function stackPush(top: i32, h: f64, minV: f64, arg: i32, idx: i32): void {
  if (top >= stkCap) {
    stkCap <<= 1;
    stkH = heap.realloc(stkH, <usize>stkCap << 3);
    stkMin = heap.realloc(stkMin, <usize>stkCap << 3);
    stkArg = heap.realloc(stkArg, <usize>stkCap << 2);
    stkIdx = heap.realloc(stkIdx, <usize>stkCap << 2);
  }
  store<f64>(stkH + (<usize>top << 3), h);
  store<f64>(stkMin + (<usize>top << 3), minV);
  store<i32>(stkArg + (<usize>top << 2), arg);
  store<i32>(stkIdx + (<usize>top << 2), idx);
}

let dHead: i32 = 0;
let dTail: i32 = 0;

/** Appends valley v to the deque [dHead, dTail) (shifting it to 0 or growing when full). */
@inline function dequePush(v: i32): void {
  if (dTail >= deqCap) {
    if (dHead > 0) {
      memory.copy(deq, deq + (<usize>dHead << 2), <usize>(dTail - dHead) << 2);
      dTail -= dHead;
      dHead = 0;
    } else {
      deqCap <<= 1;
      deq = heap.realloc(deq, <usize>deqCap << 2);
    }
  }
  store<i32>(deq + (<usize>dTail << 2), v);
  dTail++;
}

/**
 * Left bases of the selected maxima: sel (ascending positions, each one of the M) gets the left
 * minimum in minOut and its base in baseOut. wlen < 2: no window.
 */
export function leftBasesByValleys(
  xPtr: usize, n: i32, M: usize, m: i32, vMin: usize, vArgR: usize, vArgL: usize,
  sel: usize, ms: i32, wlen: i32, minOut: usize, baseOut: usize,
): void {
  if (ms == 0) return;
  scratch();
  const half = wlen >> 1;
  let top = 0;
  dHead = 0;
  dTail = 0; // deque of valley indices [dHead, dTail), increasing minima
  let nextValley = 1; // valleys < nextValley were offered to the deque
  let t = 0; // smallest maximum index with M[t] >= lo (window only)
  let s = 0;
  for (let j = 0; j < m && s < ms; j++) {
    const p = i32At(M, j);
    const h = xAt(xPtr, p);
    // Merge valley j, then every lower-or-equal maximum's segment (nearest first, strict <).
    let minV = f64At(vMin, j);
    let arg = i32At(vArgR, j);
    while (top > 0 && f64At(stkH, top - 1) <= h) {
      const sm = f64At(stkMin, top - 1);
      const lower = sm < minV;
      arg = select(i32At(stkArg, top - 1), arg, lower);
      minV = select(sm, minV, lower);
      top--;
    }
    const higherPeak = top > 0 ? i32At(stkIdx, top - 1) : -1;
    stackPush(top, h, minV, arg, j);
    top++;
    if (i32At(sel, s) != p) continue;
    let outMin = minV;
    let outArg = arg;
    if (wlen >= 2) {
      const lo = max(p - half, 0);
      // The walk stops after the last sample > h left of p ("higher") unless the window edge lo
      // comes first. "higher" lies on the non-increasing flank [fs, fe] from the higher maximum
      // (fs = -1 stands for "none": the prefix, where x[0] may be <= h) down to the next valley's
      // leftmost minimum, so higher >= lo - 1 iff lo - 1 <= fs or x[lo - 1] > h on the flank.
      const fs = higherPeak >= 0 ? i32At(M, higherPeak) : -1;
      const fe = i32At(vArgL, higherPeak + 1);
      const q = lo - 1;
      const cut = !(q <= fs || (q <= fe && xAt(xPtr, q) > h));
      if (cut) {
        // Whole valleys t+1..j lie in [lo, p]; valley t is cut by lo (t: first maximum >= lo).
        while (i32At(M, t) < lo) t++;
        if (nextValley <= t) { nextValley = t + 1; dHead = 0; dTail = 0; } // older valleys left the window
        for (; nextValley <= j; nextValley++) {
          const vm = f64At(vMin, nextValley);
          while (dTail > dHead && f64At(vMin, i32At(deq, dTail - 1)) >= vm) dTail--;
          dequePush(nextValley);
        }
        while (dTail > dHead && i32At(deq, dHead) <= t) dHead++;
        // Candidates nearest first, a strictly smaller one wins (scipy's walk): the peak itself,
        // the whole valleys (deque front: their minimum, rightmost on ties), then the cut valley t
        // (samples [lo, M[t])): its own minimum if inside, else the non-decreasing rest starts at
        // lo and its rightmost sample equal to x[lo] is the argmin.
        outMin = h;
        outArg = p;
        if (dTail > dHead) {
          const v = i32At(deq, dHead);
          const vm = f64At(vMin, v);
          if (vm < outMin) { outMin = vm; outArg = i32At(vArgR, v); }
        }
        const end = i32At(M, t);
        if (lo < end) {
          const vr = i32At(vArgR, t);
          if (lo <= vr) {
            if (f64At(vMin, t) < outMin) { outMin = f64At(vMin, t); outArg = vr; }
          } else {
            const v0 = xAt(xPtr, lo);
            if (v0 < outMin) {
              let q = lo;
              while (q + 1 < end && xAt(xPtr, q + 1) == v0) q++;
              outMin = v0; outArg = q;
            }
          }
        }
      }
    }
    store<f64>(minOut + (<usize>s << 3), outMin);
    store<i32>(baseOut + (<usize>s << 2), outArg);
    s++;
  }
  scratchFree();
}

/**
 * Right bases of the selected maxima (mirror of leftBasesByValleys, leftmost argmins) and the
 * prominences x[p] - max(leftMin, rightMin); promInOut holds the left minima on entry.
 * Returns the number of zero prominences.
 */
export function rightBasesByValleys(
  xPtr: usize, n: i32, M: usize, m: i32, vMin: usize, vArgL: usize, vArgR: usize,
  sel: usize, ms: i32, wlen: i32, promInOut: usize, baseOut: usize,
): i32 {
  if (ms == 0) return 0;
  scratch();
  const half = wlen >> 1;
  let top = 0;
  dHead = 0;
  dTail = 0;
  let nextValley = m - 1; // valleys > nextValley were offered to the deque
  let t = m - 1; // largest maximum index with M[t] <= hi
  let s = ms - 1;
  let zeros = 0;
  for (let j = m - 1; j >= 0 && s >= 0; j--) {
    const p = i32At(M, j);
    const h = xAt(xPtr, p);
    let minV = f64At(vMin, j + 1);
    let arg = i32At(vArgL, j + 1);
    while (top > 0 && f64At(stkH, top - 1) <= h) {
      const sm = f64At(stkMin, top - 1);
      const lower = sm < minV;
      arg = select(i32At(stkArg, top - 1), arg, lower);
      minV = select(sm, minV, lower);
      top--;
    }
    const higherPeak = top > 0 ? i32At(stkIdx, top - 1) : m;
    stackPush(top, h, minV, arg, j);
    top++;
    if (i32At(sel, s) != p) continue;
    let outMin = minV;
    let outArg = arg;
    if (wlen >= 2) {
      const hi = min(p + half, n - 1);
      // Mirror: the first sample > h right of p lies on the non-decreasing flank [fs, fe] from the
      // rightmost minimum of the valley before the higher maximum (fe = n: none, the suffix).
      const fe = higherPeak < m ? i32At(M, higherPeak) : n;
      const fs = i32At(vArgR, higherPeak);
      const q = hi + 1;
      const cut = !(q >= fe || (q >= fs && xAt(xPtr, q) > h));
      if (cut) {
        // Whole valleys j+1..t lie in [p, hi]; valley t+1 is cut by hi (t: last maximum <= hi).
        while (i32At(M, t) > hi) t--;
        if (nextValley >= t + 1) { nextValley = t; dHead = 0; dTail = 0; } // older valleys left the window
        for (; nextValley >= j + 1; nextValley--) {
          const vm = f64At(vMin, nextValley);
          while (dTail > dHead && f64At(vMin, i32At(deq, dTail - 1)) >= vm) dTail--;
          dequePush(nextValley);
        }
        while (dTail > dHead && i32At(deq, dHead) > t) dHead++;
        // Nearest first, strictly smaller wins: the peak, the whole valleys (leftmost on ties),
        // then the cut valley t+1 (samples (M[t], hi]): its minimum if inside, else the
        // non-increasing part ends at hi and its leftmost sample equal to x[hi] is the argmin.
        outMin = h;
        outArg = p;
        if (dTail > dHead) {
          const v = i32At(deq, dHead);
          const vm = f64At(vMin, v);
          if (vm < outMin) { outMin = vm; outArg = i32At(vArgL, v); }
        }
        const start = i32At(M, t);
        if (hi > start) {
          const vl = i32At(vArgL, t + 1);
          if (hi >= vl) {
            if (f64At(vMin, t + 1) < outMin) { outMin = f64At(vMin, t + 1); outArg = vl; }
          } else {
            const v0 = xAt(xPtr, hi);
            if (v0 < outMin) {
              let q = hi;
              while (q - 1 > start && xAt(xPtr, q - 1) == v0) q--;
              outMin = v0; outArg = q;
            }
          }
        }
      }
    }
    const prom = h - max(f64At(promInOut, s), outMin);
    store<f64>(promInOut + (<usize>s << 3), prom);
    store<i32>(baseOut + (<usize>s << 2), outArg);
    if (prom == 0) zeros++;
    s--;
  }
  scratchFree();
  return zeros;
}
