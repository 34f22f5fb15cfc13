// Streaming XPCS-Eigen multiTau2 sums (default mode) for one pixel block: the WebAssembly form of
// the in-memory per-pixel rows (kernel-lib/src/numeric/xpcs/corr-multitau.ts corrPixelMultiTau,
// corr.cpp:316-430), with the same arithmetic in the same order, so the sums are bit-identical.
// Per level L, each pixel slot s of the block has a record of (R + 3 ntau + 1) f64:
//   [0, R)              ring: the pixel's value in the last R level-frames (row = t % R)
//   [R + 3j + 0/1/2]    G2, IP, IF of the level's j-th delay
//   [R + 3 ntau]        stamp (i32): the level-frame being built by pairUp (pair union)
// so one event touches one pixel's record, two or three cache lines. Each ring row also has a list
// of the slots stored in it (the sparse level-frame: only those are visited, and cleared when the
// row is reused). Memory does not depend on the number of frames.
//
// When level-frame t arrives, for each stored pixel with value v = x(t) and each delay tau:
//   IF += v when tau <= t;  G2 += x(t - tau) * v when tau <= t and x(t - tau) != 0;
//   IP += v when t < last - tau (IP sums the earlier frame of each pair, x(u) for u < last - tau).
// Every accumulator therefore receives its terms in ascending frame order, as the rows do.
// Level L+1 frame k = (x(2k) + x(2k+1)) / 2 over the union of both frames' pixels (0 + a + b, then
// halved: levelDown's a + b, or a, then / 2); frames at or past a level's `last` are dropped.
//
// State descriptor `st` (u32 words, written by the host):
//   [0] B  [1] levels  [2..7] unused
//   level L at st + 32 + 48 L: [0] ntau [1] R [2] t [3] last [4] records [5] lists [6] counts
//                              [7] taus (u32, level units) [8] record f64 words [9] scratch (u32[ntau])
//                              [10..11] unused
// `t` (level-frames produced) is the only word the kernel writes.

const LV: usize = 32;
const LV_STRIDE: usize = 48;

@inline function word(p: usize, i: i32): u32 {
  return load<u32>(p + (<usize>i << 2));
}

@inline function lvAt(st: usize, L: i32): usize {
  return st + LV + <usize>L * LV_STRIDE;
}

@inline function recOf(lv: usize, s: usize): usize {
  return <usize>word(lv, 4) + ((s * <usize>word(lv, 8)) << 3);
}

@inline function listOf(st: usize, lv: usize, row: i32): usize {
  return <usize>word(lv, 5) + ((<usize>row * <usize>word(st, 0)) << 2);
}

/** Clears the ring row the level's next frame goes to (only its stored slots); returns the row. */
function claim(st: usize, lv: usize): i32 {
  const row = <i32>word(lv, 2) % <i32>word(lv, 1);
  const list = listOf(st, lv, row);
  const counts = <usize>word(lv, 6) + (<usize>row << 2);
  const n = load<i32>(counts);
  for (let k = 0; k < n; k++) store<f64>(recOf(lv, <usize>load<u32>(list + (<usize>k << 2))) + (<usize>row << 3), 0.0);
  store<i32>(counts, 0);
  return row;
}

/** Adds level-frame t (in `row`) to the sums of every stored pixel. */
function correlate(st: usize, lv: usize, t: i32, row: i32): void {
  const ntau = <i32>word(lv, 0);
  const R = <i32>word(lv, 1);
  const last = <i32>word(lv, 3);
  const records = <usize>word(lv, 4);
  const words = <usize>word(lv, 8);
  const taus = <usize>word(lv, 7);
  const prowAt = <usize>word(lv, 9);
  const list = listOf(st, lv, row);
  const n = load<i32>(<usize>word(lv, 6) + (<usize>row << 2));
  // Delays with tau <= t are [0, m) (taus ascending); those with t < last - tau are [0, p).
  let m = 0;
  while (m < ntau && <i32>load<u32>(taus + (<usize>m << 2)) <= t) m++;
  let p = 0;
  while (p < ntau && t < last - <i32>load<u32>(taus + (<usize>p << 2))) p++;
  // Byte offset of each partner's ring value, once per level-frame (no division per event).
  for (let j = 0; j < m; j++) {
    const prow = (t - <i32>load<u32>(taus + (<usize>j << 2))) % R;
    store<u32>(prowAt + (<usize>j << 2), <u32>(prow << 3));
  }
  const sums = <usize>R << 3;
  const at = <usize>row << 3;
  for (let k = 0; k < n; k++) {
    const rec = records + ((<usize>load<u32>(list + (<usize>k << 2)) * words) << 3);
    const v = load<f64>(rec + at);
    let o = rec + sums;
    for (let j = 0; j < m; j++) {
      store<f64>(o + 16, load<f64>(o + 16) + v);
      // A missing partner (0) adds +0, which leaves every sum as it is (a sum is never -0): the
      // rows add nothing there; a select instead of a branch avoids a mispredict per event.
      const partner = load<f64>(rec + <usize>load<u32>(prowAt + (<usize>j << 2)));
      store<f64>(o, load<f64>(o) + select<f64>(partner * v, 0.0, partner != 0));
      o += 24;
    }
    o = rec + sums + 8;
    for (let j = 0; j < p; j++) {
      store<f64>(o, load<f64>(o) + v);
      o += 24;
    }
  }
}

/** Level-frame lv.t is in `row`: add its products, then build the next level's frame on odd t. */
function arrived(st: usize, L: i32, row: i32): void {
  const lv = lvAt(st, L);
  const t = <i32>word(lv, 2);
  if (t >= <i32>word(lv, 3)) return; // beyond the level's last frame (corr drops it)
  correlate(st, lv, t, row);
  store<u32>(lv + 8, <u32>(t + 1));
  if (L + 1 < <i32>word(st, 1) && t % 2 == 1) pairUp(st, L, t);
}

/** Level L+1 frame (t-1)/2 = (x(t-1) + x(t)) / 2 over the union of both frames' stored slots. */
function pairUp(st: usize, L: i32, t: i32): void {
  const lo = lvAt(st, L);
  const hi = lvAt(st, L + 1);
  const k = <i32>word(hi, 2);
  const row = claim(st, hi);
  const Rl = <i32>word(lo, 1);
  const stampAt = (<usize>word(hi, 8) - 1) << 3;
  const hlist = listOf(st, hi, row);
  let n = 0;
  for (let src = t - 1; src <= t; src++) {
    const r = src % Rl;
    const l = listOf(st, lo, r);
    const cnt = load<i32>(<usize>word(lo, 6) + (<usize>r << 2));
    for (let i = 0; i < cnt; i++) {
      const s = <usize>load<u32>(l + (<usize>i << 2));
      const hrec = recOf(hi, s);
      if (load<i32>(hrec + stampAt) != k) {
        store<i32>(hrec + stampAt, k);
        store<u32>(hlist + (<usize>n << 2), <u32>s);
        n++;
      }
      const o = hrec + (<usize>row << 3);
      store<f64>(o, load<f64>(o) + load<f64>(recOf(lo, s) + (<usize>r << 3)));
    }
  }
  for (let i = 0; i < n; i++) {
    const o = recOf(hi, <usize>load<u32>(hlist + (<usize>i << 2))) + (<usize>row << 3);
    store<f64>(o, load<f64>(o) / 2);
  }
  store<i32>(<usize>word(hi, 6) + (<usize>row << 2), n);
  arrived(st, L + 1, row);
}

/** Adds the next level-0 frame: n slots (distinct, u32, minus `base`) with f64 values. */
function pushFrame(st: usize, slots: usize, vals: usize, n: i32, base: u32): void {
  const lv = lvAt(st, 0);
  const row = claim(st, lv);
  const list = listOf(st, lv, row);
  for (let k = 0; k < n; k++) {
    const s = load<u32>(slots + (<usize>k << 2)) - base;
    store<f64>(recOf(lv, <usize>s) + (<usize>row << 3), load<f64>(vals + (<usize>k << 3)));
    store<u32>(list + (<usize>k << 2), s);
  }
  store<i32>(<usize>word(lv, 6) + (<usize>row << 2), n);
  arrived(st, 0, row);
}

/**
 * Adds F frames to a block split in K sub-blocks of SB slots (states sts[k], slots [k SB, (k+1) SB)):
 * sub-block by sub-block, all F frames each, so a sub-block's records stay in cache while its
 * events of the whole batch are added (the frames' order per pixel is unchanged, so are the sums).
 * Frame f's events are [starts[f], starts[f+1]) of evSlots / evVals, slots ascending.
 * `cursors` is scratch of F u32.
 */
export function smtPushBatch(
  sts: usize, K: i32, SB: i32, evSlots: usize, evVals: usize, starts: usize, F: i32, cursors: usize,
): void {
  for (let f = 0; f < F; f++) store<u32>(cursors + (<usize>f << 2), load<u32>(starts + (<usize>f << 2)));
  for (let k = 0; k < K; k++) {
    const st = <usize>load<u32>(sts + (<usize>k << 2));
    const hi = <u32>((k + 1) * SB);
    for (let f = 0; f < F; f++) {
      const c = cursors + (<usize>f << 2);
      const from = load<u32>(c);
      const end = load<u32>(starts + (<usize>(f + 1) << 2));
      let to = from;
      while (to < end && load<u32>(evSlots + (<usize>to << 2)) < hi) to++;
      store<u32>(c, to);
      pushFrame(st, evSlots + (<usize>from << 2), evVals + (<usize>from << 3), <i32>(to - from), <u32>(k * SB));
    }
  }
}

/** Divides every sum by (last - tau) of its level, in place, as multiTau2 does at the end of each delay. */
export function smtFinish(st: usize): void {
  const B = <usize>word(st, 0);
  const levels = <i32>word(st, 1);
  for (let L = 0; L < levels; L++) {
    const lv = lvAt(st, L);
    const ntau = <i32>word(lv, 0);
    const R = <usize>word(lv, 1);
    const last = <i32>word(lv, 3);
    const taus = <usize>word(lv, 7);
    for (let j = 0; j < ntau; j++) {
      const n = last - <i32>load<u32>(taus + (<usize>j << 2));
      if (n <= 0) continue;
      const dn = <f64>n;
      for (let s: usize = 0; s < B; s++) {
        const o = recOf(lv, s) + ((R + <usize>j * 3) << 3);
        store<f64>(o, load<f64>(o) / dn);
        store<f64>(o, load<f64>(o, 8) / dn, 8);
        store<f64>(o, load<f64>(o, 16) / dn, 16);
      }
    }
  }
}
