// Prominences inside find_peaks when a minimum prominence is required: exact for every peak that
// can pass it, an upper bound below the minimum for every other one (it is then removed by the
// prominence condition, so its value never reaches the caller).
//
// scipy's `_peak_prominences` walks left and right from the peak (`x[i] <= x[peak]`, inside the
// wlen window) and returns x[peak] - max(left_min, right_min). Once ONE side is complete,
// x[peak] - that side's minimum bounds the prominence from above; if it is already below the
// required minimum the other (usually long, downhill) walk is skipped. The two walks advance in
// lockstep, so the cost per peak is about twice its shorter walk; peaks that can pass get both
// walks, exactly as scipy. A work budget guards against signals where pruning does not pay off
// (the caller then uses the O(n) valley kernels instead).

@inline function xAt(xPtr: usize, i: i32): f64 {
  return load<f64>(xPtr + (<usize>i << 3));
}

/** Minimum of x[0..n) (NaN-free input, n >= 1). */
export function minF64(xPtr: usize, n: i32): f64 {
  let v = f64x2.splat(xAt(xPtr, 0));
  let i = 0;
  for (; i + 2 <= n; i += 2) v = f64x2.min(v, v128.load(xPtr + (<usize>i << 3)));
  let m = min(f64x2.extract_lane(v, 0), f64x2.extract_lane(v, 1));
  for (; i < n; i++) m = min(m, xAt(xPtr, i));
  return m;
}

/**
 * For the ascending local maxima `peaks` (find_peaks' working set): prominences (or the pruning
 * bound) in promOut, bases in leftOut/rightOut. `xMin` = min(x) gives the first, free bound
 * x[peak] - xMin (both walk minima are >= xMin), which settles most low peaks without a walk. The required minimum is minScalar, or
 * minArr[peak] when minArr != 0. wlen < 2: no window. Returns the number of zero prominences
 * (exact for every peak: a local maximum has prominence 0 only when the window ends inside its
 * plateau), or -1 when more than `budget` samples were visited (outputs are then incomplete).
 */
export function prominencesPruned(
  xPtr: usize, n: i32, xMin: f64, peaksPtr: usize, m: i32, wlen: i32, minScalar: f64, minArr: usize, budget: f64,
  promOut: usize, leftOut: usize, rightOut: usize,
): i32 {
  const half = wlen >> 1;
  let zeros = 0;
  let work: f64 = 0;
  for (let k = 0; k < m; k++) {
    const p = load<i32>(peaksPtr + (<usize>k << 2));
    const h = xAt(xPtr, p);
    const lo = wlen >= 2 ? max(p - half, 0) : 0;
    const hi = wlen >= 2 ? min(p + half, n - 1) : n - 1;
    const need = minArr != 0 ? load<f64>(minArr + (<usize>p << 3)) : minScalar;
    // A peak of one sample (x[p-1], x[p+1] < h, both inside any window) has a prominence > 0.
    if (h - xMin < need && xAt(xPtr, p - 1) != h && xAt(xPtr, p + 1) != h) {
      store<f64>(promOut + (<usize>k << 3), h - xMin);
      store<i32>(leftOut + (<usize>k << 2), p);
      store<i32>(rightOut + (<usize>k << 2), p);
      continue;
    }
    let i = p - 1;
    let j = p + 1;
    let lMin = h, rMin = h;
    let lBase = p, rBase = p;
    let lDone = i < lo || xAt(xPtr, i) > h;
    let rDone = j > hi || xAt(xPtr, j) > h;
    // Lockstep until one side stops (each step: sample i is inside and <= h).
    while (!lDone && !rDone) {
      const a = xAt(xPtr, i);
      lBase = select(i, lBase, a < lMin);
      lMin = select(a, lMin, a < lMin);
      i--;
      lDone = i < lo || xAt(xPtr, i) > h;
      const b = xAt(xPtr, j);
      rBase = select(j, rBase, b < rMin);
      rMin = select(b, rMin, b < rMin);
      j++;
      rDone = j > hi || xAt(xPtr, j) > h;
    }
    work += <f64>(2 * (p - i));
    const bound = h - (lDone ? lMin : rMin);
    if (!(need <= bound)) {
      // Pruned: prominence <= bound < need. Zero iff the other side never drops below h, which
      // for a local maximum means its plateau reaches the window edge.
      let zero = bound == 0;
      if (!zero && lDone && rMin == h) {
        while (j <= hi && xAt(xPtr, j) == h) j++;
        zero = j > hi || xAt(xPtr, j) > h;
      } else if (!zero && !lDone && lMin == h) {
        while (i >= lo && xAt(xPtr, i) == h) i--;
        zero = i < lo || xAt(xPtr, i) > h;
      }
      if (zero) zeros++;
      store<f64>(promOut + (<usize>k << 3), bound);
      store<i32>(leftOut + (<usize>k << 2), lBase);
      store<i32>(rightOut + (<usize>k << 2), rBase);
    } else {
      // Finish the open side exactly as scipy's walk.
      while (!lDone) {
        const a = xAt(xPtr, i);
        if (a < lMin) { lMin = a; lBase = i; }
        i--;
        lDone = i < lo || xAt(xPtr, i) > h;
      }
      while (!rDone) {
        const b = xAt(xPtr, j);
        if (b < rMin) { rMin = b; rBase = j; }
        j++;
        rDone = j > hi || xAt(xPtr, j) > h;
      }
      work += <f64>(j - i);
      const prom = h - max(lMin, rMin);
      if (prom == 0) zeros++;
      store<f64>(promOut + (<usize>k << 3), prom);
      store<i32>(leftOut + (<usize>k << 2), lBase);
      store<i32>(rightOut + (<usize>k << 2), rBase);
    }
    if (work > budget) return -1;
  }
  return zeros;
}
