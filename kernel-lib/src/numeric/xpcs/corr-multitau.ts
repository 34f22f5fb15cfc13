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
export function corrPixelMultiTau(
  row: CorrRow,
  frames: number,
  delays: Array<[number, number]>,
  compat: boolean,
  sums: CorrPixelSums,
  slot: number,
): void {
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
    // Default mode: the valid prefix is sorted, so a forward pointer finds the same partner as a
    // bisection would (same products, same order) in linear time.
    let q = 0;
    for (let r = 0; r < lastIndex; r++) {
      const src = idx[r];
      if (src < lastframe - tau) {
        ip += val[r];
        let pos: number;
        if (compat) pos = lowerBound(idx, 0, searchEnd, src + tau);
        else {
          while (q < lastIndex && idx[q] < src + tau) q++;
          pos = q;
        }
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
 * normalizeG2s as an accumulator over pixels, fed in normalisation order (q ascending, static
 * bins ascending, each bin's pixel list): per static bin the sums of G2, IP, IF; per q a Welford
 * pass over per-pixel G2/(IP IF). The in-memory and streaming paths feed it the same pixels in the
 * same order, so both give identical bits. compat: a 0/0 pixel counts as a sample of value 0
 * (corr.cpp:1068-1071 replaces NaN before counting); the default mode leaves it out, which is
 * what the code's NaN test intends.
 */
export class CorrNormalizer {
  private readonly sb: Map<number, { g: Float64Array; ip: Float64Array; fi: Float64Array; n: number }> = new Map();
  private readonly wf: Map<number, { avg: Float64Array; m2: Float64Array; samples: Float64Array }> = new Map();

  constructor(
    readonly bins: CorrBins,
    readonly nd: number,
    readonly compat: boolean,
  ) {
    for (const [q, sbins] of bins.qbins) {
      this.wf.set(q, { avg: new Float64Array(nd), m2: new Float64Array(nd), samples: new Float64Array(nd) });
      for (const [s, pixels] of sbins)
        this.sb.set(s, {
          g: new Float64Array(nd),
          ip: new Float64Array(nd),
          fi: new Float64Array(nd),
          n: pixels.length,
        });
    }
  }

  /** One pixel of static bin `s` in q-bin `q`: its sums at X[d * stride + at]. */
  add(q: number, s: number, sums: CorrPixelSums, at: number): void {
    const b = this.sb.get(s)!;
    const w = this.wf.get(q)!;
    for (let d = 0; d < this.nd; d++) {
      const g = sums.G2[d * sums.slots + at];
      const ip = sums.IP[d * sums.slots + at];
      const fi = sums.IF[d * sums.slots + at];
      b.g[d] += g;
      b.ip[d] += ip;
      b.fi[d] += fi;
      let x = g / (ip * fi);
      if (Number.isNaN(x)) {
        if (!this.compat) continue;
        x = 0;
      }
      w.samples[d] += 1;
      const prev = w.avg[d];
      w.avg[d] += (x - prev) / w.samples[d];
      w.m2[d] += (x - prev) * (x - w.avg[d]);
    }
  }

  /** g2 per q = mean of its static bins' non-NaN g2_s (0/0 when none); stderr = sqrt(1/n) sqrt(M2/n). */
  finish(): { g2: Float64Array; stderr: Float64Array; nq: number } {
    const nq = this.bins.qbins.size;
    const g2 = new Float64Array(this.nd * nq);
    const stderr = new Float64Array(this.nd * nq);
    let qi = 0;
    for (const [q, sbins] of this.bins.qbins) {
      const w = this.wf.get(q)!;
      for (let d = 0; d < this.nd; d++) {
        let acc = 0;
        let count = 0;
        for (const s of sbins.keys()) {
          const b = this.sb.get(s)!;
          const gs = b.g[d] / b.n / ((b.ip[d] / b.n) * (b.fi[d] / b.n));
          if (!Number.isNaN(gs)) {
            acc += gs;
            count++;
          }
        }
        g2[d * nq + qi] = acc / count;
        stderr[d * nq + qi] = Math.sqrt(1 / w.samples[d]) * Math.sqrt(w.m2[d] / w.samples[d]);
      }
      qi++;
    }
    return { g2, stderr, nq };
  }
}

/** Pixels in normalisation order with their q and static bin. */
export function normalisationOrder(bins: CorrBins): { pixels: Int32Array; q: Int32Array; s: Int32Array } {
  const pixels: number[] = [];
  const qs: number[] = [];
  const ss: number[] = [];
  for (const [q, sbins] of bins.qbins) {
    for (const [s, list] of sbins) {
      for (const p of list) {
        pixels.push(p);
        qs.push(q);
        ss.push(s);
      }
    }
  }
  return { pixels: Int32Array.from(pixels), q: Int32Array.from(qs), s: Int32Array.from(ss) };
}

/** normalizeG2s over in-memory sums indexed by `slotOf[pixel]`. */
export function corrNormalize(
  sums: CorrPixelSums,
  slotOf: Int32Array,
  bins: CorrBins,
  nd: number,
  compat: boolean,
): { g2: Float64Array; stderr: Float64Array; nq: number } {
  const n = new CorrNormalizer(bins, nd, compat);
  const order = normalisationOrder(bins);
  for (let i = 0; i < order.pixels.length; i++) n.add(order.q[i], order.s[i], sums, slotOf[order.pixels[i]]);
  return n.finish();
}
