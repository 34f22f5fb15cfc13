// HCOMPRESS_1 inverse H-transform with optional smoothing, in 64-bit integers (cfitsio
// fits_hdecompress.c hinv64 / hsmooth64 / unshuffle64, R. White 1991-1993). The array is indexed
// as a[nx][ny] with ny the fastest axis (FITS NAXIS1).

/** Interleaves the two halves of n elements of stride n2 starting at a[base] (unshuffle). */
function unshuffle(a: StaticArray<i64>, base: i32, n: i32, n2: i32, tmp: StaticArray<i64>): void {
  const nhalf = (n + 1) >> 1;
  let pt = 0;
  for (let i = nhalf, p1 = base + n2 * nhalf; i < n; i++, p1 += n2) unchecked(tmp[pt++] = unchecked(a[p1]));
  for (let i = nhalf - 1, p2 = base + n2 * (nhalf - 1), p1 = base + ((n2 * (nhalf - 1)) << 1); i >= 0; i--) {
    unchecked(a[p1] = unchecked(a[p2]));
    p2 -= n2;
    p1 -= n2 + n2;
  }
  pt = 0;
  for (let i = 1, p1 = base + n2; i < n; i += 2, p1 += n2 + n2) unchecked(a[p1] = unchecked(tmp[pt++]));
}

@inline function clampSlope(s: i64, shift: i64, round: i64, smax: i64): i64 {
  const q = s >= 0 ? s >> shift : (s + round) >> shift;
  return max(min(q, smax), -smax);
}

/** Adjusts coefficients toward interpolated values, changes limited to scale/2 (hsmooth64). */
function hsmooth(a: StaticArray<i64>, nxtop: i32, nytop: i32, ny: i32, scale: i32): void {
  const smax: i64 = <i64>(scale >> 1);
  if (smax <= 0) return;
  const ny2 = ny << 1;
  for (let i = 2; i < nxtop - 2; i += 2) {
    let s00 = ny * i, s10 = s00 + ny;
    for (let j = 0; j < nytop; j += 2) {
      const hm = unchecked(a[s00 - ny2]), h0 = unchecked(a[s00]), hp = unchecked(a[s00 + ny2]);
      let diff = hp - hm;
      const dmax = max(min(hp - h0, h0 - hm), <i64>0) << 2;
      const dmin = min(max(hp - h0, h0 - hm), <i64>0) << 2;
      if (dmin < dmax) {
        diff = max(min(diff, dmax), dmin);
        unchecked(a[s10] = unchecked(a[s10]) + clampSlope(diff - (unchecked(a[s10]) << 3), 3, 7, smax));
      }
      s00 += 2; s10 += 2;
    }
  }
  for (let i = 0; i < nxtop; i += 2) {
    let s00 = ny * i + 2;
    for (let j = 2; j < nytop - 2; j += 2) {
      const hm = unchecked(a[s00 - 2]), h0 = unchecked(a[s00]), hp = unchecked(a[s00 + 2]);
      let diff = hp - hm;
      const dmax = max(min(hp - h0, h0 - hm), <i64>0) << 2;
      const dmin = min(max(hp - h0, h0 - hm), <i64>0) << 2;
      if (dmin < dmax) {
        diff = max(min(diff, dmax), dmin);
        unchecked(a[s00 + 1] = unchecked(a[s00 + 1]) + clampSlope(diff - (unchecked(a[s00 + 1]) << 3), 3, 7, smax));
      }
      s00 += 2;
    }
  }
  for (let i = 2; i < nxtop - 2; i += 2) {
    let s00 = ny * i + 2, s10 = s00 + ny;
    for (let j = 2; j < nytop - 2; j += 2) {
      const hmm = unchecked(a[s00 - ny2 - 2]), hpm = unchecked(a[s00 + ny2 - 2]);
      const hmp = unchecked(a[s00 - ny2 + 2]), hpp = unchecked(a[s00 + ny2 + 2]), h0 = unchecked(a[s00]);
      let diff = hpp + hmm - hmp - hpm;
      const hx2 = unchecked(a[s10]) << 1, hy2 = unchecked(a[s00 + 1]) << 1;
      let m1 = min(max(hpp - h0, <i64>0) - hx2 - hy2, max(h0 - hpm, <i64>0) + hx2 - hy2);
      let m2 = min(max(h0 - hmp, <i64>0) - hx2 + hy2, max(hmm - h0, <i64>0) + hx2 + hy2);
      const dmax = min(m1, m2) << 4;
      m1 = max(min(hpp - h0, <i64>0) - hx2 - hy2, min(h0 - hpm, <i64>0) + hx2 - hy2);
      m2 = max(min(h0 - hmp, <i64>0) - hx2 + hy2, min(hmm - h0, <i64>0) + hx2 + hy2);
      const dmin = max(m1, m2) << 4;
      if (dmin < dmax) {
        diff = max(min(diff, dmax), dmin);
        unchecked(a[s10 + 1] = unchecked(a[s10 + 1]) + clampSlope(diff - (unchecked(a[s10 + 1]) << 6), 6, 63, smax));
      }
      s00 += 2; s10 += 2;
    }
  }
}

@inline function roundTo(v: i64, prnd: i64, nrnd: i64, mask: i64): i64 {
  return (v + (v >= 0 ? prnd : nrnd)) & mask;
}

/** Inverse H-transform of a[nx][ny] in place (hinv64); indices depend only on nx and ny, so accesses are unchecked. */
export function hinv(a: StaticArray<i64>, nx: i32, ny: i32, smooth: bool, scale: i32): void {
  const nmax = max(nx, ny);
  let log2n = 0;
  while ((1 << log2n) < nmax) log2n++;
  const tmp = new StaticArray<i64>(max(1, (nmax + 1) / 2));
  let shift: i64 = 1;
  let bit0: i64 = log2n > 0 ? <i64>1 << <i64>(log2n - 1) : 0;
  let bit1: i64 = bit0 << 1;
  const bit2: i64 = bit0 << 2;
  let mask0: i64 = -bit0;
  let mask1: i64 = mask0 << 1;
  const mask2: i64 = mask0 << 2;
  let prnd0: i64 = bit0 >> 1;
  let prnd1: i64 = bit1 >> 1;
  const prnd2: i64 = bit2 >> 1;
  let nrnd0: i64 = prnd0 - 1;
  let nrnd1: i64 = prnd1 - 1;
  const nrnd2: i64 = prnd2 - 1;
  unchecked(a[0] = roundTo(unchecked(a[0]), prnd2, nrnd2, mask2));
  let nxtop = 1, nytop = 1, nxf = nx, nyf = ny, c = 1 << log2n;
  for (let k = log2n - 1; k >= 0; k--) {
    c >>= 1; nxtop <<= 1; nytop <<= 1;
    if (nxf <= c) nxtop -= 1; else nxf -= c;
    if (nyf <= c) nytop -= 1; else nyf -= c;
    if (k == 0) { nrnd0 = 0; shift = 2; }
    for (let i = 0; i < nxtop; i++) unshuffle(a, ny * i, nytop, 1, tmp);
    for (let j = 0; j < nytop; j++) unshuffle(a, j, nxtop, ny, tmp);
    if (smooth) hsmooth(a, nxtop, nytop, ny, scale);
    const oddx = nxtop % 2, oddy = nytop % 2;
    let i = 0;
    for (; i < nxtop - oddx; i += 2) {
      let s00 = ny * i, s10 = s00 + ny;
      for (let j = 0; j < nytop - oddy; j += 2) {
        let h0 = unchecked(a[s00]);
        let hx = roundTo(unchecked(a[s10]), prnd1, nrnd1, mask1);
        let hy = roundTo(unchecked(a[s00 + 1]), prnd1, nrnd1, mask1);
        const hc = roundTo(unchecked(a[s10 + 1]), prnd0, nrnd0, mask0);
        // Propagate bit0 of hc to hx, hy, then bits 0 and 1 of hc, hx, hy to h0 (lossless for negatives).
        const lowbit0 = hc & bit0;
        hx = hx >= 0 ? hx - lowbit0 : hx + lowbit0;
        hy = hy >= 0 ? hy - lowbit0 : hy + lowbit0;
        const lowbit1 = (hc ^ hx ^ hy) & bit1;
        h0 = h0 >= 0 ? h0 + lowbit0 - lowbit1 : h0 + (lowbit0 == 0 ? lowbit1 : lowbit0 - lowbit1);
        unchecked(a[s10 + 1] = (h0 + hx + hy + hc) >> shift);
        unchecked(a[s10] = (h0 + hx - hy - hc) >> shift);
        unchecked(a[s00 + 1] = (h0 - hx + hy - hc) >> shift);
        unchecked(a[s00] = (h0 - hx - hy + hc) >> shift);
        s00 += 2; s10 += 2;
      }
      if (oddy) {
        let h0 = unchecked(a[s00]);
        const hx = roundTo(unchecked(a[s10]), prnd1, nrnd1, mask1);
        const lowbit1 = hx & bit1;
        h0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        unchecked(a[s10] = (h0 + hx) >> shift);
        unchecked(a[s00] = (h0 - hx) >> shift);
      }
    }
    if (oddx) {
      let s00 = ny * i;
      for (let j = 0; j < nytop - oddy; j += 2) {
        let h0 = unchecked(a[s00]);
        const hy = roundTo(unchecked(a[s00 + 1]), prnd1, nrnd1, mask1);
        const lowbit1 = hy & bit1;
        h0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        unchecked(a[s00 + 1] = (h0 + hy) >> shift);
        unchecked(a[s00] = (h0 - hy) >> shift);
        s00 += 2;
      }
      if (oddy) unchecked(a[s00] = unchecked(a[s00]) >> shift);
    }
    // Halve the masks and rounding values for the next level.
    bit1 = bit0; bit0 = bit0 >> 1;
    mask1 = mask0; mask0 = mask0 >> 1;
    prnd1 = prnd0; prnd0 = prnd0 >> 1;
    nrnd1 = nrnd0; nrnd0 = prnd0 - 1;
  }
}
