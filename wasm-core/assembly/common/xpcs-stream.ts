// Streaming XPCS-Eigen multiTau2 sums (default mode) for one pixel block: the WebAssembly form of
// the in-memory per-pixel rows (kernel-lib/src/numeric/xpcs/corr-multitau.ts corrPixelMultiTau,
// corr.cpp:316-430), bit-identical to them: every sum receives the same terms in the same order.
//
// Frames arrive in batches (frame-major: each frame's (slot, value) events). A batch is turned
// pixel-major by a counting sort (corr's per-pixel sparse lists, batch by batch), and each pixel's
// values then run through all its levels, level by level (cascade): the level's constants and the
// pixel's running state stay in locals while the batch's values at that level are added, and the
// pair averages they complete are listed for the next level. Pixels are visited in memory order.
// Per-pixel state persists between batches, so memory does not grow with frames. Each batch sweeps
// the state of every pixel it has values for, so the state traffic per event falls as the batch
// grows (corr-stream-share.ts messagesPerBatch).
//
// The reference sums, for level-frame t of value v and each delay tau (t < last):
//   G2 += x(t - tau) * v  for tau <= t;  IF += v  for tau <= t;  IP += v  for t < last - tau,
// each in ascending t, zero terms included (adding +0 leaves a sum unchanged: a sum is never -0).
// Only a pixel's non-zero level-frames need work, and most of it no per-delay work, exactly:
//  - IP(tau) adds x(0), ..., x(last - tau - 1): the prefix of the running sum S, i.e. S as it
//    stands before the first value at or after last - tau (taken then, or at the end).
//  - IF(tau) adds x(tau), ..., x(last - 1): if the pixel had no value before the level's largest
//    delay tau_max, those are all of its values, so every IF is S at the end. Only a pixel with a
//    value at t < tau_max (`split`) adds v to each IF(tau <= t) as the rows do.
//  - G2 adds a product only where the partner is non-zero; a pixel whose previous value is more
//    than tau_max level-frames back has no partner at all.
// Level L+1 frame k = (x(2k) + x(2k+1)) / 2: 0 + a, then + b, then halved (levelDown's a + b, or
// a, then / 2); a frame at or past its level's `last` is dropped, so is an unpaired last frame.
//
// Per level, per pixel slot s, a record of words = R + 5 + 3 ntau f64:
//   [0, R)        ring: values of the pixel's recent level-frames (row = t % R, R = tau_max <= 63:
//                 the row of t - tau_max is read before t's value overwrites it)
//   then          S (f64); pend (f64: the even half of the pair being built for level L+1);
//                 lt (i32: last level-frame with a value), pendK (i32: the pair's index, -1 none)
//                 (both stored biased: see NO_VALUE);
//                 flags (i32: bit 0 split), snap (i32: IP snapshots taken, largest delay first);
//                 mask (u64: bit i set iff level-frame lt - i had a value: which ring rows are live)
//   then          G2 per delay, IP per delay, IF per delay
//
// State descriptor `st` (u32 words, written by the host):
//   [0] B (slots)  [1] levels  [2] level-0 frames pushed so far
//   [3] scratch (24 cap + 16 bytes: see cascade)  [4] cap (frames per batch + levels + 1)  [5..7] unused
//   level L at st + 32 + 48 L: [0] ntau [1] R [2] meta (word offset of S in a record)
//                              [3] last [4] records [5] words [6] taus (u32, level units, ascending)
//                              [7] R - 1 when R is a power of 2 (rows by mask), else 0
//                              [8, 10) tau mask (u64: bit tau set iff tau is a delay)
//                              [10, 12) unused

const LV: usize = 32;
const LV_STRIDE: usize = 48;
const SPLIT: i32 = 1;
/** lt before a pixel's first value: further back than any delay reaches. */
const NO_VALUE: i32 = -(1 << 30);
// lt and pendK are stored biased (lt - NO_VALUE, pendK + 1) so that an all-zero record is the
// initial state: a fresh block needs no initialising pass over its memory.

@inline function word(p: usize, i: i32): u32 {
  return load<u32>(p + (<usize>i << 2));
}

@inline function lvAt(st: usize, L: i32): usize {
  return st + LV + <usize>L * LV_STRIDE;
}

@inline function recOf(lv: usize, s: usize): usize {
  return <usize>word(lv, 4) + ((s * <usize>word(lv, 5)) << 3);
}

@inline function tauAt(lv: usize, j: i32): i32 {
  return <i32>load<u32>(<usize>word(lv, 6) + (<usize>j << 2));
}

/** Ring row of level-frame t: t % R, by mask when R is a power of 2 (rmask = R - 1, else 0). */
@inline function ringRow(t: u32, R: u32, rmask: u32): u32 {
  return rmask ? t & rmask : t % R;
}

/** At the end: the IP snapshots never taken (no value at or after last - tau) are the final S. */
@inline function remainingSnapshots(meta: usize, sums: usize, ntau: i32): void {
  const S = load<f64>(meta);
  for (let snap = load<i32>(meta, 28); snap < ntau; snap++) store<f64>(sums + ((<usize>(2 * ntau - 1 - snap)) << 3), S);
  store<i32>(meta, ntau, 28);
}

/** The level-frame from which the next IP snapshot is due (last - its delay), or never. */
@inline function nextSnapshot(lv: usize, last: i32, ntau: i32, snap: i32): i32 {
  return snap < ntau ? last - tauAt(lv, ntau - 1 - snap) : 0x7fffffff;
}

/**
 * Puts n level-frames (times tin, ascending; values vin) of pixel s at level L, in order, and
 * writes the level-(L+1) frames they complete to (tout, vout); returns how many. One call per
 * pixel, level and batch: the level's constants and the pixel's running state (S, last frame,
 * live mask, pair being built, snapshots taken, flags) stay in locals for the whole run instead of
 * being read and written per value. Per value, the work and its order are those of the reference
 * (see the header): snapshots, S += v, partner products, IF, ring row, then the pair average.
 */
function runLevel(st: usize, s: usize, L: i32, tin: usize, vin: usize, n: i32, tout: usize, vout: usize): i32 {
  const lv = lvAt(st, L);
  const last = <i32>word(lv, 3);
  const ntau = <i32>word(lv, 0);
  // Rows by mask when R is a power of 2 (corr's delays with a power-of-2 delays-per-level) instead
  // of a division per value and per partner (with the tau bitmask below: 1.2-1.35x on the kernel
  // alone, bench/README.md).
  const R = <u32>word(lv, 1);
  const rmask = word(lv, 7);
  const tm = load<u64>(lv, 32);
  const up = L + 1 < <i32>word(st, 1);
  const rec = recOf(lv, s);
  const meta = rec + (<usize>word(lv, 2) << 3);
  const sums = meta + 40;
  const reach = ntau > 0 ? tauAt(lv, ntau - 1) : 0;
  let S = load<f64>(meta);
  let pend = load<f64>(meta, 8);
  let lt = load<i32>(meta, 16) + NO_VALUE;
  let pendK = load<i32>(meta, 20) - 1;
  let flags = load<i32>(meta, 24);
  let snap = load<i32>(meta, 28);
  let mask = load<u64>(meta, 32);
  let snapAt = nextSnapshot(lv, last, ntau, snap);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const t = load<i32>(tin + (<usize>i << 2));
    if (t >= last) break; // at or past the level's last frame: corr drops it (and all later ones)
    const v = load<f64>(vin + (<usize>i << 3));
    while (t >= snapAt) {
      // IP(tau) for last - tau <= t is S before this value.
      store<f64>(sums + ((<usize>(2 * ntau - 1 - snap)) << 3), S);
      snap++;
      snapAt = nextSnapshot(lv, last, ntau, snap);
    }
    S += v;
    const shift = t - lt;
    // Bit tau of `live` is set iff level-frame t - tau had a value (mask bit i is lt - i).
    const live: u64 = shift >= 64 ? 0 : mask << <u64>shift;
    let cand = live & tm;
    while (cand) {
      const tau = <i32>ctz(cand);
      cand &= cand - 1;
      const partner = load<f64>(rec + (<usize>ringRow(<u32>(t - tau), R, rmask) << 3));
      if (partner != 0) {
        const o = sums + (<usize>popcnt(tm & ((<u64>1 << <u64>tau) - 1)) << 3);
        store<f64>(o, load<f64>(o) + partner * v);
      }
    }
    if (t < reach) flags |= SPLIT;
    if (flags & SPLIT) {
      // IF(tau) += v for every delay tau <= t.
      const k = t >= 63 ? ntau : <i32>popcnt(tm & ((<u64>2 << <u64>t) - 1));
      let o = sums + ((<usize>(2 * ntau)) << 3);
      for (let j = 0; j < k; j++) {
        store<f64>(o, load<f64>(o) + v);
        o += 8;
      }
    }
    store<f64>(rec + (<usize>ringRow(<u32>t, R, rmask) << 3), v);
    mask = live | 1;
    lt = t;
    if (!up) continue;
    // Level L+1 frame k = (x(2k) + x(2k+1)) / 2: 0 + a is held (pend) until its odd partner
    // comes (a + b) or a later frame shows it had none ((0 + a) / 2).
    const k = t >> 1;
    if (pendK == k) {
      m = emit(tout, vout, m, k, (pend + v) / 2);
      pendK = -1;
      continue;
    }
    if (pendK >= 0) m = emit(tout, vout, m, pendK, pend / 2);
    pendK = -1;
    if (t & 1) {
      m = emit(tout, vout, m, k, (0.0 + v) / 2);
    } else {
      pend = 0.0 + v;
      pendK = k;
    }
  }
  store<f64>(meta, S);
  store<f64>(meta, pend, 8);
  store<i32>(meta, lt - NO_VALUE, 16);
  store<i32>(meta, pendK + 1, 20);
  store<i32>(meta, flags, 24);
  store<i32>(meta, snap, 28);
  store<u64>(meta, mask, 32);
  return m;
}

@inline function emit(tout: usize, vout: usize, m: i32, k: i32, v: f64): i32 {
  store<i32>(tout + (<usize>m << 2), k);
  store<f64>(vout + (<usize>m << 3), v);
  return m + 1;
}

/**
 * Puts n level-frames of pixel s at level L0 and everything they complete above it, level by
 * level: the level-(L+1) frames a level produces are put before the next level runs, which gives
 * every level the same values in the same order as putting them one by one (levels share no
 * state but those values). The scratch (descriptor words 3-4) holds two ping-pong lists of
 * `cap` (time, value) pairs: a pixel has at most one value per batch frame, and each level adds
 * at most one (the pair it carried in).
 */
function cascade(st: usize, s: usize, L0: i32, tin: usize, vin: usize, n: i32): void {
  const levels = <i32>word(st, 1);
  const cap = <usize>word(st, 4);
  // Scratch layout: values A, values B (f64 x cap each), times A, times B (i32 x cap each), then
  // one (time, value) slot at 24 cap for smtFinish's single pair.
  const a = <usize>word(st, 3);
  let vOut = a;
  let vAlt = a + (cap << 3);
  let tOut = a + (cap << 4);
  let tAlt = tOut + (cap << 2);
  let t = tin;
  let v = vin;
  for (let L = L0; L < levels && n > 0; L++) {
    n = runLevel(st, s, L, t, v, n, tOut, vOut);
    t = tOut;
    v = vOut;
    tOut = tAlt;
    vOut = vAlt;
    tAlt = t;
    vAlt = v;
  }
}

/**
 * Adds F level-0 frames: frame f's events are [starts[f], starts[f+1]) of evSlots (u32, < B) /
 * evVals (f64). Sorted pixel-major into tTimes / tVals through counts (u32[B + 1]), then each
 * pixel's values are put in frame order.
 */
export function smtPushBatch(
  st: usize, evSlots: usize, evVals: usize, starts: usize, F: i32, counts: usize, tTimes: usize, tVals: usize,
): void {
  const B = <usize>word(st, 0);
  const t0 = <i32>word(st, 2);
  const E = <usize>load<u32>(starts + (<usize>F << 2));
  memory.fill(counts, 0, (B + 1) << 2);
  for (let e: usize = 0; e < E; e++) {
    const c = counts + ((<usize>load<u32>(evSlots + (e << 2)) + 1) << 2);
    store<u32>(c, load<u32>(c) + 1);
  }
  // counts[s] = first position of slot s; it advances while scattering, to the end of slot s.
  for (let s: usize = 1; s <= B; s++) {
    const c = counts + (s << 2);
    store<u32>(c, load<u32>(c) + load<u32>(c - 4));
  }
  for (let f = 0; f < F; f++) {
    const end = <usize>load<u32>(starts + (<usize>(f + 1) << 2));
    for (let e = <usize>load<u32>(starts + (<usize>f << 2)); e < end; e++) {
      const c = counts + (<usize>load<u32>(evSlots + (e << 2)) << 2);
      const p = <usize>load<u32>(c);
      store<u32>(c, <u32>(p + 1));
      store<i32>(tTimes + (p << 2), t0 + f);
      store<f64>(tVals + (p << 3), load<f64>(evVals + (e << 3)));
    }
  }
  let from: usize = 0;
  for (let s: usize = 0; s < B; s++) {
    const to = <usize>load<u32>(counts + (s << 2));
    if (to > from) cascade(st, s, 0, tTimes + (from << 2), tVals + (from << 3), <i32>(to - from));
    from = to;
  }
  store<u32>(st + 8, <u32>(t0 + F));
}

/**
 * Completes the sums as multiTau2 leaves them: the pending pairs go up (level by level), the IP
 * snapshots not yet due take the final S, IF = S for every pixel that never split, then every sum
 * is divided by (last - tau) of its level (a delay with last - tau <= 0 keeps 0).
 */
export function smtFinish(st: usize): void {
  const B = <usize>word(st, 0);
  const levels = <i32>word(st, 1);
  for (let L = 0; L < levels; L++) {
    const lv = lvAt(st, L);
    const ntau = <i32>word(lv, 0);
    const last = <i32>word(lv, 3);
    for (let s: usize = 0; s < B; s++) {
      const meta = recOf(lv, s) + (<usize>word(lv, 2) << 3);
      const sums = meta + 40;
      const pendK = load<i32>(meta, 20) - 1;
      if (pendK >= 0 && L + 1 < levels) {
        // An even frame whose odd partner never came: (0 + a) / 2 goes up, and on up from there.
        store<i32>(meta, 0, 20);
        const one = <usize>word(st, 3) + 24 * <usize>word(st, 4);
        store<i32>(one, pendK);
        store<f64>(one + 8, load<f64>(meta, 8) / 2);
        cascade(st, s, L + 1, one, one + 8, 1);
      }
      remainingSnapshots(meta, sums, ntau);
      if (!(load<i32>(meta, 24) & SPLIT)) {
        const S = load<f64>(meta);
        for (let j = 0; j < ntau; j++) store<f64>(sums + (<usize>(2 * ntau + j) << 3), S);
      }
      for (let j = 0; j < ntau; j++) {
        const n = last - tauAt(lv, j);
        if (n <= 0) continue;
        const dn = <f64>n;
        for (let k = 0; k < 3; k++) {
          const o = sums + (<usize>(k * ntau + j) << 3);
          store<f64>(o, load<f64>(o) / dn);
        }
      }
    }
  }
}
