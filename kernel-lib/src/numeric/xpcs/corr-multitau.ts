/**
 * corr's multi-tau on per-pixel sparse rows (xpcs-eigen@08486b7 corr.cpp:316-430 multiTau2) and
 * its normalisation (corr.cpp:927-1091 normalizeG2s), float64.
 */
import type { CorrBins } from './corr-bins';

/** A pixel's series: ascending output-frame indices and values (modified in place by the level changes). */
export interface CorrRow {
  idx: Int32Array;
  val: Float64Array;
}

/** Per-pixel sums, delay-major over slots: X[d * slots + slot]. */
export interface CorrPixelSums {
  G2: Float64Array;
  IP: Float64Array;
  IF: Float64Array;
  slots: number;
}

/** std::lower_bound (libstdc++/libc++ bisection) over a[lo, hi). */
export function lowerBound(a: Int32Array, lo: number, hi: number, x: number): number {
  let first = lo;
  let len = hi - lo;
  while (len > 0) {
    const half = len >> 1;
    if (a[first + half] < x) {
      first += half + 1;
      len -= half + 1;
    } else len = half;
  }
  return first;
}

/**
 * Level change (corr.cpp:351-389): an odd last frame is dropped, pairs (2k, 2k+1) are summed in
 * place and halved (a missing partner counts as 0). Rows are compacted in place; the stale tail
 * stays, only `lastIndex` bounds the valid prefix. A first entry already past the new last frame
 * is left unconverted (halved value, old index): it never contributes.
 */
function levelDown(row: CorrRow, lastIndex: number, lastframe: number): number {
  const { idx, val } = row;
  let index = 0;
  let cnt = 0;
  let i0 = Math.floor(idx[0] / 2);
  if (lastIndex > 0 && i0 < lastframe) {
    idx[0] = i0;
    cnt = 1;
  }
  while (cnt < lastIndex) {
    const i1 = Math.floor(idx[cnt] / 2);
    if (i1 >= lastframe) break;
    if (i1 === i0) val[index] += val[cnt];
    else {
      idx[++index] = i1;
      val[index] = val[cnt];
    }
    i0 = i1;
    cnt++;
  }
  const n = index + 1;
  for (let i = 0; i < n; i++) val[i] /= 2;
  return n;
}

/**
 * multiTau2 for one pixel, adding into sums at `slot`. compat: the partner lookup bisects the
 * whole vector, stale tail included (corr.cpp:406), which is unsorted when the row has gaps and
 * misses partners; the default mode searches the valid prefix only.
 */
export function corrPixelMultiTau(row: CorrRow, frames: number, delays: Array<[number, number]>, compat: boolean, sums: CorrPixelSums, slot: number): void {
  if (row.idx.length === 0) return;
  let ll = 0;
  let lastframe = frames;
  let lastIndex = row.idx.length;
  const { idx, val } = row;
  const searchEnd = idx.length;
  for (let d = 0; d < delays.length; d++) {
    const [level, tau0] = delays[d];
    if (ll !== level) {
      if (lastframe % 2) lastframe -= 1;
      lastframe = lastframe / 2;
      lastIndex = levelDown(row, lastIndex, lastframe);
    }
    const tau = tau0 / 2 ** level;
    let g2 = 0;
    let ip = 0;
    let iff = 0;
    for (let r = 0; r < lastIndex; r++) {
      const src = idx[r];
      if (src < lastframe - tau) {
        ip += val[r];
        const pos = lowerBound(idx, 0, compat ? searchEnd : lastIndex, src + tau);
        if (pos < lastIndex && idx[pos] === src + tau) g2 += val[r] * val[pos];
      }
      if (src >= tau && src < lastframe) iff += val[r];
    }
    const at = d * sums.slots + slot;
    const n = lastframe - tau;
    sums.G2[at] += n > 0 ? g2 / n : g2;
    sums.IP[at] += n > 0 ? ip / n : ip;
    sums.IF[at] += n > 0 ? iff / n : iff;
    ll = level;
  }
}

/**
 * normalizeG2s: per static bin g2_s = mean(G2) / (mean(IP) mean(IF)) over its pixels (pixels
 * without data count as zeros); per q the mean of the non-NaN g2_s (0/0 = NaN when none);
 * stderr per q from a Welford pass over per-pixel G2/(IP IF). compat: a 0/0 pixel counts as a
 * sample of value 0 (corr.cpp:1068-1071 replaces NaN before counting); the default mode leaves
 * such pixels out, which is what the code's NaN test intends.
 */
export function corrNormalize(sums: CorrPixelSums, slotOf: Int32Array, bins: CorrBins, nd: number, compat: boolean): { g2: Float64Array; stderr: Float64Array; nq: number } {
  const nq = bins.qbins.size;
  const g2 = new Float64Array(nd * nq);
  const stderr = new Float64Array(nd * nq);
  const at = (X: Float64Array, d: number, p: number) => X[d * sums.slots + slotOf[p]];
  let qi = 0;
  for (const sbins of bins.qbins.values()) {
    for (let d = 0; d < nd; d++) {
      let acc = 0;
      let count = 0;
      for (const pixels of sbins.values()) {
        let g = 0, ip = 0, fi = 0;
        for (const p of pixels) {
          g += at(sums.G2, d, p);
          ip += at(sums.IP, d, p);
          fi += at(sums.IF, d, p);
        }
        const n = pixels.length;
        const gs = g / n / ((ip / n) * (fi / n));
        if (!Number.isNaN(gs)) {
          acc += gs;
          count++;
        }
      }
      g2[d * nq + qi] = acc / count;
      stderr[d * nq + qi] = welfordStderr(sums, sbins, d, at, compat);
    }
    qi++;
  }
  return { g2, stderr, nq };
}

function welfordStderr(sums: CorrPixelSums, sbins: Map<number, number[]>, d: number, at: (X: Float64Array, d: number, p: number) => number, compat: boolean): number {
  let avg = 0, m2 = 0, samples = 0;
  for (const pixels of sbins.values()) {
    for (const p of pixels) {
      let x = at(sums.G2, d, p) / (at(sums.IP, d, p) * at(sums.IF, d, p));
      if (Number.isNaN(x)) {
        if (!compat) continue;
        x = 0;
      }
      samples += 1;
      const prev = avg;
      avg += (x - prev) / samples;
      m2 += (x - prev) * (x - avg);
    }
  }
  return Math.sqrt(1 / samples) * Math.sqrt(m2 / samples);
}
