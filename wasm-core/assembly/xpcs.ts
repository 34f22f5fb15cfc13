// XPCS correlation kernels: skbeam multi-tau one-time / two-time (shared engine) and the
// XPCS-Eigen per-pixel multi-tau sums (Corr::multiTau2). Host side: kernel-lib/src/numeric/xpcs.
export * from "./common/memory";
import { dot1F64, dot1I16, dot4F64, dot4I16, sumF64Chain, sumI16 } from "./common/xpcs-corr";
import { gramI16 } from "./common/xpcs-gram";
import { pixelF64 } from "./common/xpcs-pixel";
export { eigPixelSums } from "./common/xpcs-eigen";
export { oneTimeReplay } from "./common/xpcs-replay";
export { smtPushBatch, smtFinish } from "./common/xpcs-stream";
export { routePlainFrame } from "./common/xpcs-route";

const KIND_U16 = 0;
const KIND_U32 = 1;

/**
 * Copies the ROI pixels of `nFrames` frames (src: frames of `frameBytes` bytes) into a compact
 * ROI-grouped stack (dst: rows of `rowBytes` bytes). The layout is given as runs of consecutive
 * raster pixels (i32 triples: source byte offset, destination byte offset, bytes; in destination
 * order) and padding spans (i32 pairs: destination byte offset, bytes) that become zeros. Runs
 * are copied 16 bytes at a time: a run may spill up to 15 bytes past its end into slots that a
 * later run or padding span rewrites (both buffers carry 16 bytes of slack). Reading each frame
 * once, in order, keeps the engine's per-block passes inside the compact stack instead of
 * scattering over the whole detector frame for every pixel block.
 */
export function xpcsGather(src: usize, nFrames: i32, frameBytes: usize, runs: usize, nRuns: i32, pads: usize, nPads: i32, dst: usize, rowBytes: usize): void {
  for (let t = 0; t < nFrames; t++) {
    const s = src + <usize>t * frameBytes;
    const d = dst + <usize>t * rowBytes;
    for (let r = 0; r < nRuns; r++) {
      const e = runs + <usize>r * 12;
      const rs = s + <usize>load<i32>(e);
      const rd = d + <usize>load<i32>(e, 4);
      const bytes = <usize>load<i32>(e, 8);
      for (let o: usize = 0; o < bytes; o += 16) v128.store(rd + o, v128.load(rs + o));
    }
    for (let q = 0; q < nPads; q++) {
      const e = pads + (<usize>q << 3);
      memory.fill(d + <usize>load<i32>(e), 0, <usize>load<i32>(e, 4));
    }
  }
}

/**
 * Maximum of n stack values (uint16 with SIMD). For float kinds returns NaN as soon as a NaN is
 * seen, so the host can reject bad frames with one pass.
 */
export function xpcsStackMax(stack: usize, kind: i32, n: usize): f64 {
  if (kind == KIND_U16) {
    let m = i16x8.splat(0);
    let i: usize = 0;
    for (; i + 8 <= n; i += 8) m = i16x8.max_u(m, v128.load(stack + (i << 1)));
    let best: u32 = 0;
    best = max(max(max(<u32>i16x8.extract_lane_u(m, 0), <u32>i16x8.extract_lane_u(m, 1)), max(<u32>i16x8.extract_lane_u(m, 2), <u32>i16x8.extract_lane_u(m, 3))),
      max(max(<u32>i16x8.extract_lane_u(m, 4), <u32>i16x8.extract_lane_u(m, 5)), max(<u32>i16x8.extract_lane_u(m, 6), <u32>i16x8.extract_lane_u(m, 7))));
    for (; i < n; i++) best = max(best, <u32>load<u16>(stack + (i << 1)));
    return <f64>best;
  }
  let best: f64 = -Infinity;
  for (let i: usize = 0; i < n; i++) {
    const v = pixelF64(stack, kind, i);
    if (isNaN(v)) return NaN;
    if (v > best) best = v;
  }
  return best;
}

// ---- multi-tau engine configuration (set by mtConfigure, used by mtRun) ----
let gStack: usize = 0; // compact stack [T][npad] (xpcsGather): ROI-grouped slots, padding zeros
let gKind: i32 = 0;
let gT: i32 = 0;
let gNpad: i32 = 0;
let gRoiStart: usize = 0; // i32[R+1], padded starts (multiples of 8)
let gRoiReal: usize = 0; // i32[R], real pixel count per ROI
let gR: i32 = 0;
let gNb: i32 = 0;
let gLevels: i32 = 0;
let gSplit: i32 = 0; // levels < gSplit use the exact int16 mode
let gBlock: i32 = 0;
// Time window (set by mtWindow): local frame 0 is global frame gT0 (a multiple of 2^(levels-1),
// so every level's pairing restarts exactly as in the full run); only events in
// [emitLo[L], emitHi[L]) are correlated, older ones only fill the rings (history).
let gT0: i32 = 0;
let gEmitLo: usize = 0; // i32[levels] or 0 = every event
let gEmitHi: usize = 0;

/** Configures mtRun on a compact stack of T frames of npad slots (see xpcsGather). */
export function mtConfigure(stack: usize, kind: i32, T: i32, npad: i32, roiStart: usize, roiReal: usize, R: i32, nb: i32, levels: i32, split: i32, block: i32): void {
  gStack = stack; gKind = kind; gT = T; gNpad = npad;
  gRoiStart = roiStart; gRoiReal = roiReal; gR = R; gNb = nb; gLevels = levels; gSplit = split; gBlock = block;
  gT0 = 0; gEmitLo = 0; gEmitHi = 0;
}

/** Restricts the next mtRun to a time window (see gT0); call after mtConfigure. */
export function mtWindow(t0: i32, emitLo: usize, emitHi: usize): void {
  gT0 = t0; gEmitLo = emitLo; gEmitHi = emitHi;
}

@inline function emits(L: i32, k: i32): bool {
  return gEmitLo == 0 || (k >= load<i32>(gEmitLo + (<usize>L << 2)) && k < load<i32>(gEmitHi + (<usize>L << 2)));
}

@inline function i32At(base: usize, i: i32): i32 { return load<i32>(base + (<usize>i << 2)); }

/** Byte address of ring slot `slot` of level L (rings laid out level after level). */
@inline function ringRow(rings: usize, L: i32, slot: i32): usize {
  let off: usize = 0;
  for (let l = 0; l < L; l++) off += <usize>gNb * <usize>gBlock * (l < gSplit ? 2 : 8);
  return rings + off + <usize>slot * <usize>gBlock * (L < gSplit ? 2 : 8);
}

/** Level 0: slots [b0, b0+n) of frame t of the compact stack into ring row `row`. */
function loadFrame(row: usize, t: i32, b0: i32, n: i32): void {
  const src = <usize>t * <usize>gNpad + <usize>b0;
  // uint16 values <= 32767 (int16 mode) are their own int16 bits.
  if (gSplit > 0 && gKind == KIND_U16) memory.copy(row, gStack + (src << 1), <usize>n << 1);
  else if (gSplit > 0) for (let j = 0; j < n; j++) store<i16>(row + (<usize>j << 1), <i16>load<u32>(gStack + ((src + <usize>j) << 2)));
  else for (let j = 0; j < n; j++) store<f64>(row + (<usize>j << 3), pixelF64(gStack, gKind, src + <usize>j));
}

/** Level L value from the two newest level L-1 values: skbeam (older + newer) / 2. */
function combine(dst: usize, a: usize, b: usize, L: i32, n: i32): void {
  if (L < gSplit) {
    // Z_L = Z_a + Z_b (int16 sums of 2^L frames; the host guarantees no overflow).
    for (let j = 0; j < n; j += 8) v128.store(dst + (<usize>j << 1), i16x8.add(v128.load(a + (<usize>j << 1)), v128.load(b + (<usize>j << 1))));
  } else if (L - 1 < gSplit) {
    // int16 level L-1 holds 2^(L-1) * value: (Za + Zb) / 2^L is exact.
    const scale = 1.0 / <f64>(1 << L);
    for (let j = 0; j < n; j++) store<f64>(dst + (<usize>j << 3), <f64>(<i32>load<i16>(a + (<usize>j << 1)) + <i32>load<i16>(b + (<usize>j << 1))) * scale);
  } else {
    for (let j = 0; j < n; j++) store<f64>(dst + (<usize>j << 3), (load<f64>(a + (<usize>j << 3)) + load<f64>(b + (<usize>j << 3))) / 2.0);
  }
}

/** Adds this block's contribution for event k of level L (lags [iLo, iHi)) to prod/sums. */
function correlate(rings: usize, L: i32, k: i32, iLo: i32, iHi: i32, b0: i32, b1: i32, prod: usize, sums: usize, ev: i32, kmax: i32): void {
  const nb = gNb;
  const R = gR;
  const i16mode = L < gSplit;
  const sh: usize = i16mode ? 1 : 3;
  const cur = ringRow(rings, L, k % nb);
  for (let r = 0; r < R; r++) {
    const rs = i32At(gRoiStart, r);
    const re = i32At(gRoiStart, r + 1);
    if (re <= b0 || rs >= b1) continue;
    const s0 = max(rs, b0) - b0;
    let s1 = min(re, b1) - b0;
    if (!i16mode) s1 = min(s1, rs + i32At(gRoiReal, r) - b0); // f64 chains visit real pixels only
    const n = s1 - s0;
    if (n <= 0) continue;
    const chunks = n >> 3;
    const off = <usize>s0 << sh;
    const sAddr = sums + ((<usize>(ev + k) * <usize>R + <usize>r) << 3);
    if (i16mode) store<f64>(sAddr, load<f64>(sAddr) + sumI16(cur + off, chunks, 1 << 20));
    else sumF64Chain(cur + off, n, sAddr);
    const pBase = <usize>(ev + k) * <usize>nb;
    let i = iLo;
    for (; i + 4 <= iHi; i += 4) {
      const o0 = prod + (((pBase + <usize>i) * <usize>R + <usize>r) << 3);
      const step = <usize>R << 3;
      const p0 = ringRow(rings, L, (k - i) % nb) + off;
      const p1 = ringRow(rings, L, (k - i - 1) % nb) + off;
      const p2 = ringRow(rings, L, (k - i - 2) % nb) + off;
      const p3 = ringRow(rings, L, (k - i - 3) % nb) + off;
      if (i16mode) dot4I16(cur + off, p0, p1, p2, p3, chunks, kmax, o0, o0 + step, o0 + 2 * step, o0 + 3 * step);
      else dot4F64(cur + off, p0, p1, p2, p3, n, o0, o0 + step, o0 + 2 * step, o0 + 3 * step);
    }
    for (; i < iHi; i++) {
      const o0 = prod + (((pBase + <usize>i) * <usize>R + <usize>r) << 3);
      const p0 = ringRow(rings, L, (k - i) % nb) + off;
      if (i16mode) dot1I16(cur + off, p0, chunks, kmax, o0);
      else dot1F64(cur + off, p0, n, o0);
    }
  }
}

/**
 * Runs skbeam's multi-tau ring-buffer schedule over every frame, block of pixels by block, and
 * accumulates per event: prod[(ev[L]+k)*nb + i][r] = sum_j Y_L[k][j] * Y_L[k-i][j] and
 * sums[ev[L]+k][r] = sum_j Y_L[k][j] (int16 levels in units of 2^L). Returns 0.
 */
export function mtRun(prod: usize, sums: usize, eventBase: usize, kmaxPerLevel: usize): i32 {
  if (gLevels == 1 && gSplit >= 1 && gKind == KIND_U16) {
    // One exact level on a compact uint16 stack: the tiled Gram kernel (same integer sums).
    const lo = gEmitLo == 0 ? 0 : load<i32>(gEmitLo);
    const hi = gEmitLo == 0 ? gT : load<i32>(gEmitHi);
    gramI16(gStack, gNpad, gT0, gRoiStart, gR, gNb, lo, hi, prod, sums, i32At(eventBase, 0), i32At(kmaxPerLevel, 0));
    return 0;
  }
  const nb = gNb;
  const B = gBlock;
  let ringBytes: usize = 0;
  for (let l = 0; l < gLevels; l++) ringBytes += <usize>nb * <usize>B * (l < gSplit ? 2 : 8);
  const rings = heap.alloc(ringBytes + 16);
  const count = heap.alloc(<usize>gLevels << 2);
  const track = heap.alloc(<usize>gLevels << 2);
  for (let b0 = 0; b0 < gNpad; b0 += B) {
    const b1 = min(b0 + B, gNpad);
    const n = b1 - b0;
    memory.fill(rings, 0, ringBytes);
    memory.fill(count, 0, <usize>gLevels << 2);
    memory.fill(track, 0, <usize>gLevels << 2);
    for (let l = 0; l < gLevels; l++) store<i32>(count + (<usize>l << 2), gT0 >> l);
    for (let t = 0; t < gT; t++) {
      const tg = gT0 + t;
      loadFrame(ringRow(rings, 0, tg % nb), t, b0, n);
      if (emits(0, tg)) correlate(rings, 0, tg, 0, min(tg + 1, nb), b0, b1, prod, sums, i32At(eventBase, 0), i32At(kmaxPerLevel, 0));
      store<i32>(count, tg + 1);
      for (let L = 1; L < gLevels; L++) {
        const tr = track + (<usize>L << 2);
        if (load<i32>(tr) == 0) { store<i32>(tr, 1); break; }
        store<i32>(tr, 0);
        const kPrev = i32At(count, L - 1); // events so far at level L-1; newest is kPrev-1
        const k = i32At(count, L);
        combine(ringRow(rings, L, k % nb), ringRow(rings, L - 1, (kPrev - 2) % nb), ringRow(rings, L - 1, (kPrev - 1) % nb), L, n);
        store<i32>(count + (<usize>L << 2), k + 1);
        if (emits(L, k)) correlate(rings, L, k, nb >> 1, min(k + 1, nb), b0, b1, prod, sums, i32At(eventBase, L), i32At(kmaxPerLevel, L));
      }
    }
  }
  heap.free(rings);
  heap.free(count);
  heap.free(track);
  return 0;
}
