/**
 * Streaming multiTau2 (default mode): the per-pixel sums of corr-multitau.ts computed as frames
 * arrive, in memory that does not grow with the number of frames. Per level, a ring of the last
 * R level-frames holds the labelled pixels of the current pixel block densely (for O(1) partner
 * lookup) plus each level-frame's list of stored pixels (the sparse frame: only those are visited,
 * and only those are cleared when the slot is reused). Level L+1 frame k is the pair average of
 * level-L frames 2k and 2k+1, built when 2k+1 arrives; an odd last frame is dropped.
 *
 * Bit-identical to the in-memory path: for each pixel and delay the same products and values are
 * added in the same order (ascending source frame), and pair averages are (a + b) / 2 with a
 * missing partner 0 (levelDown in corr-multitau.ts computes a + b, or a, then halves).
 * compat mode is not streamed: corr's missed partners depend on the stale tail of whole rows.
 */
import type { CorrPixelSums } from './corr-multitau';

interface Level {
  /** taus of this level in level units, and their delay indices. */
  taus: number[];
  delayIdx: number[];
  R: number;
  /** R x B values (dense over block slots). */
  ring: Float64Array;
  /** Stored slots per ring row, and their counts. */
  lists: Int32Array[];
  counts: Int32Array;
  /** Number of level-frames produced; lastframe of the level (frames beyond it are never produced). */
  t: number;
  last: number;
  /** Stamp per slot: the level-frame index being built (pair union). */
  stamp: Int32Array;
}

/** Streaming per-pixel multi-tau sums for the slots [0, B) of one pixel block. */
export class StreamingMultiTau {
  private readonly levels: Level[] = [];

  constructor(
    readonly B: number,
    frames: number,
    delays: Array<[number, number]>,
    readonly sums: CorrPixelSums,
  ) {
    const maxLevel = delays.length ? delays[delays.length - 1][0] : 0;
    let last = frames;
    for (let L = 0; L <= maxLevel; L++) {
      if (L > 0) last = Math.floor(last / 2);
      const taus: number[] = [];
      const delayIdx: number[] = [];
      delays.forEach(([lv, tau], d) => {
        if (lv === L) {
          taus.push(tau / 2 ** L);
          delayIdx.push(d);
        }
      });
      // Level L must keep frame 2k while 2k+1 arrives: R >= 2.
      const R = Math.max(2, ...taus.map((t) => t + 1));
      this.levels.push({
        taus,
        delayIdx,
        R,
        ring: new Float64Array(R * B),
        lists: Array.from({ length: R }, () => new Int32Array(B)),
        counts: new Int32Array(R),
        t: 0,
        last,
        stamp: new Int32Array(B).fill(-1),
      });
    }
  }

  /** Bytes held per block slot (for choosing the block size). */
  static bytesPerSlot(frames: number, delays: Array<[number, number]>): number {
    const maxLevel = delays.length ? delays[delays.length - 1][0] : 0;
    const maxTau = Math.max(2, ...delays.map(([L, t]) => t / 2 ** L + 1));
    return (maxLevel + 1) * maxTau * 12 + (maxLevel + 1) * 4 + delays.length * 24;
  }

  /** Adds the next level-0 frame: `slots` (ascending, distinct) with `values`. */
  push(slots: ArrayLike<number>, values: ArrayLike<number>, n: number): void {
    const lv = this.levels[0];
    const row = this.claim(lv);
    const list = lv.lists[row];
    for (let k = 0; k < n; k++) {
      lv.ring[row * this.B + slots[k]] = values[k];
      list[k] = slots[k];
    }
    lv.counts[row] = n;
    this.arrived(0, row);
  }

  /** Clears the ring row the level's next frame goes to (only its stored slots) and returns it. */
  private claim(lv: Level): number {
    const row = lv.t % lv.R;
    const list = lv.lists[row];
    const base = row * this.B;
    for (let k = 0; k < lv.counts[row]; k++) lv.ring[base + list[k]] = 0;
    lv.counts[row] = 0;
    return row;
  }

  /** Level-frame lv.t is in `row`: add its products, then build the next level's frame on odd t. */
  private arrived(L: number, row: number): void {
    const lv = this.levels[L];
    const t = lv.t;
    if (t >= lv.last) return; // beyond the level's last frame (corr drops it): never correlated
    this.correlate(lv, t, row);
    lv.t++;
    if (L + 1 < this.levels.length && t % 2 === 1) this.pairUp(L, t);
  }

  private correlate(lv: Level, t: number, row: number): void {
    const B = this.B;
    const { G2, IP, IF, slots } = this.sums;
    const ring = lv.ring;
    const list = lv.lists[row];
    const n = lv.counts[row];
    const base = row * B;
    const R = lv.R;
    for (let j = 0; j < lv.taus.length; j++) {
      const tau = lv.taus[j];
      if (t < tau) continue;
      const d = lv.delayIdx[j] * slots;
      // IF: x(t) for tau <= t < last; G2: x(t - tau) x(t); IP: x(t - tau) for t - tau < last - tau.
      const prow = ((t - tau) % R) * B;
      for (let k = 0; k < n; k++) {
        const s = list[k];
        const v = ring[base + s];
        IF[d + s] += v;
        const partner = ring[prow + s];
        if (partner !== 0) G2[d + s] += partner * v;
      }
      const plist = lv.lists[(t - tau) % R];
      const pn = lv.counts[(t - tau) % R];
      for (let k = 0; k < pn; k++) {
        const s = plist[k];
        IP[d + s] += ring[prow + s];
      }
    }
  }

  /** Level L+1 frame (t-1)/2 = (x(t-1) + x(t)) / 2 over the union of both frames' stored slots. */
  private pairUp(L: number, t: number): void {
    const lo = this.levels[L];
    const hi = this.levels[L + 1];
    const k = hi.t;
    const row = this.claim(hi);
    const base = row * this.B;
    const list = hi.lists[row];
    let n = 0;
    for (const src of [t - 1, t]) {
      const r = src % lo.R;
      const l = lo.lists[r];
      for (let i = 0; i < lo.counts[r]; i++) {
        const s = l[i];
        if (hi.stamp[s] !== k) {
          hi.stamp[s] = k;
          list[n++] = s;
        }
        hi.ring[base + s] += lo.ring[r * this.B + s];
      }
    }
    for (let i = 0; i < n; i++) hi.ring[base + list[i]] /= 2;
    hi.counts[row] = n;
    this.arrived(L + 1, row);
  }

  /** Divides every sum by (last - tau) of its level, as multiTau2 does at the end of each delay. */
  finish(): void {
    const { sums, B } = this;
    for (const lv of this.levels) {
      lv.taus.forEach((tau, j) => {
        const n = lv.last - tau;
        if (n <= 0) return;
        const d = lv.delayIdx[j] * sums.slots;
        for (let s = 0; s < B; s++) {
          sums.G2[d + s] /= n;
          sums.IP[d + s] /= n;
          sums.IF[d + s] /= n;
        }
      });
    }
  }
}
