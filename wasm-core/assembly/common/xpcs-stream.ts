// Streaming XPCS-Eigen multiTau2 sums (default mode) for one pixel block: the WebAssembly form of
// the in-memory per-pixel rows (kernel-lib/src/numeric/xpcs/corr-multitau.ts corrPixelMultiTau,
// corr.cpp:316-430), bit-identical to them: every sum receives the same terms in the same order.
// Per level L, each pixel slot s of the block has a record of (R + 2 + 3 ntau) f64:
//   [0, R)                 ring: the pixel's value in the last R level-frames (row = t % R)
//   [R]                    S: the running sum of the pixel's level-frames so far
//   [R + 1]                i32 stamp (the level-frame being built by pairUp, pair union) and
//                          i32 `split` (the pixel had a value before the level's largest delay)
//   [R + 2, + ntau)        G2 per delay;  then IP per delay;  then IF per delay
// so an event touches one pixel's ring and S, and its G2 only where a partner exists. Each ring
// row also has a list of the slots stored in it (the sparse level-frame: only those are visited,
// and cleared when the row is reused). Memory does not depend on the number of frames.
//
// The reference sums, for level-frame t of value v and each delay tau (t < last):
//   G2 += x(t - tau) * v  for tau <= t;  IF += v  for tau <= t;  IP += v  for t < last - tau,
// each in ascending t, zero terms included (adding +0 leaves a sum unchanged: a sum is never -0).
// Three of them need no per-delay work per event, exactly (the same floating-point additions):
//  - IP(tau) adds x(0), x(1), ... x(last - tau - 1): the prefix of S, so it is S as it stands when
//    level-frame last - tau arrives (a snapshot over the sub-block, once per delay).
//  - IF(tau) adds x(tau), ..., x(last - 1): if the pixel had no value before the largest delay
//    tau_max, those are all of its values, so every IF is S at the end. Only a pixel with a value
//    at t < tau_max (`split`; rare at sparse levels) adds v to each IF(tau <= t) as the rows do.
//  - G2 adds a product only where the partner is non-zero (a zero partner adds +0).
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

/** IP(tau) = S as it stands when level-frame last - tau arrives: a snapshot over the sub-block. */
function snapshotIP(st: usize, lv: usize, t: i32): void {
  const ntau = <i32>word(lv, 0);
  const last = <i32>word(lv, 3);
  const taus = <usize>word(lv, 7);
  const R = <usize>word(lv, 1);
  for (let j = 0; j < ntau; j++) {
    if (last - <i32>load<u32>(taus + (<usize>j << 2)) != t) continue;
    const B = <usize>word(st, 0);
    const from = R << 3;
    const to = (R + 2 + <usize>ntau + <usize>j) << 3;
    for (let s: usize = 0; s < B; s++) {
      const rec = recOf(lv, s);
      store<f64>(rec + to, load<f64>(rec + from));
    }
  }
}

/** Adds level-frame t (in `row`) to the sums of every stored pixel. */
function correlate(st: usize, lv: usize, t: i32, row: i32): void {
  const ntau = <i32>word(lv, 0);
  const R = <i32>word(lv, 1);
  const records = <usize>word(lv, 4);
  const words = <usize>word(lv, 8);
  const taus = <usize>word(lv, 7);
  const prowAt = <usize>word(lv, 9);
  const list = listOf(st, lv, row);
  const n = load<i32>(<usize>word(lv, 6) + (<usize>row << 2));
  // Delays with tau <= t are [0, m) (taus ascending); a value before the largest delay splits IF.
  let m = 0;
  while (m < ntau && <i32>load<u32>(taus + (<usize>m << 2)) <= t) m++;
  const head = m < ntau;
  // Byte offset of each partner's ring value, once per level-frame (no division per event).
  for (let j = 0; j < m; j++) {
    const prow = (t - <i32>load<u32>(taus + (<usize>j << 2))) % R;
    store<u32>(prowAt + (<usize>j << 2), <u32>(prow << 3));
  }
  const sAt = <usize>R << 3;
  const g2At = (<usize>R + 2) << 3;
  const ifAt = (<usize>R + 2 + 2 * <usize>ntau) << 3;
  const at = <usize>row << 3;
  for (let k = 0; k < n; k++) {
    const rec = records + ((<usize>load<u32>(list + (<usize>k << 2)) * words) << 3);
    const v = load<f64>(rec + at);
    store<f64>(rec + sAt, load<f64>(rec + sAt) + v);
    let o = rec + g2At;
    for (let j = 0; j < m; j++) {
      const partner = load<f64>(rec + <usize>load<u32>(prowAt + (<usize>j << 2)));
      if (partner != 0) store<f64>(o, load<f64>(o) + partner * v);
      o += 8;
    }
    if (head) store<i32>(rec + sAt + 12, 1);
    if (load<i32>(rec + sAt + 12) != 0) {
      o = rec + ifAt;
      for (let j = 0; j < m; j++) {
        store<f64>(o, load<f64>(o) + v);
        o += 8;
      }
    }
  }
}

/** Level-frame lv.t is in `row`: add its products, then build the next level's frame on odd t. */
function arrived(st: usize, L: i32, row: i32): void {
  const lv = lvAt(st, L);
  const t = <i32>word(lv, 2);
  if (t >= <i32>word(lv, 3)) return; // beyond the level's last frame (corr drops it)
  snapshotIP(st, lv, t);
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
  const stampAt = (<usize>word(hi, 1) + 1) << 3;
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

/**
 * Completes the sums as multiTau2 leaves them: IF = S for every pixel that never split, then every
 * sum divided by (last - tau) of its level (IP of a delay with last - tau <= 0 was never taken: 0).
 */
export function smtFinish(st: usize): void {
  const B = <usize>word(st, 0);
  const levels = <i32>word(st, 1);
  for (let L = 0; L < levels; L++) {
    const lv = lvAt(st, L);
    const ntau = <usize>word(lv, 0);
    const R = <usize>word(lv, 1);
    const last = <i32>word(lv, 3);
    const taus = <usize>word(lv, 7);
    for (let s: usize = 0; s < B; s++) {
      const rec = recOf(lv, s);
      if (load<i32>(rec + (R << 3) + 12) != 0) continue;
      const S = load<f64>(rec + (R << 3));
      for (let j: usize = 0; j < ntau; j++) store<f64>(rec + ((R + 2 + 2 * ntau + j) << 3), S);
    }
    for (let j: usize = 0; j < ntau; j++) {
      const n = last - <i32>load<u32>(taus + (j << 2));
      if (n <= 0) continue;
      const dn = <f64>n;
      for (let s: usize = 0; s < B; s++) {
        const rec = recOf(lv, s);
        for (let k: usize = 0; k < 3; k++) {
          const o = rec + ((R + 2 + k * ntau + j) << 3);
          store<f64>(o, load<f64>(o) / dn);
        }
      }
    }
  }
}
