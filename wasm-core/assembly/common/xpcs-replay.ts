// skbeam `_one_time_process` running means, replayed from the engine's per-event sums in skbeam's
// order (levels, events, lags, ROIs): G += (binned / num_pixels - G) / normalize, the same float64
// operations as skbeam, so G, past and future intensities are bit-identical to its state.

@inline function f64At(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/**
 * prod[((eventBase[L]+k)*nb + i)*R + r], sums[(eventBase[L]+k)*R + r] (float units), events[L]
 * events per level, N[r] pixels per ROI. G/IP/IF: ((levels+1)*nb/2) x R, zero on entry.
 */
export function oneTimeReplay(prod: usize, sums: usize, eventBase: usize, events: usize, levels: i32, nb: i32, R: i32, N: usize, G: usize, IP: usize, IF: usize): void {
  const half = nb >> 1;
  for (let L = 0; L < levels; L++) {
    const iLo = L == 0 ? 0 : half;
    const eb = load<i32>(eventBase + (<usize>L << 2));
    const nEvents = load<i32>(events + (<usize>L << 2));
    for (let k = 0; k < nEvents; k++) {
      const iHi = min(k + 1, nb);
      for (let i = iLo; i < iHi; i++) {
        const row = (L * half + i) * R;
        const n = <f64>(k + 1 - i); // skbeam normalize = img_per_level[level] - i
        const pOff = ((eb + k) * nb + i) * R;
        const pastOff = (eb + k - i) * R;
        const futOff = (eb + k) * R;
        for (let r = 0; r < R; r++) {
          const nr = f64At(N, r);
          const g = G + (<usize>(row + r) << 3);
          const ip = IP + (<usize>(row + r) << 3);
          const fi = IF + (<usize>(row + r) << 3);
          store<f64>(g, load<f64>(g) + (f64At(prod, pOff + r) / nr - load<f64>(g)) / n);
          store<f64>(ip, load<f64>(ip) + (f64At(sums, pastOff + r) / nr - load<f64>(ip)) / n);
          store<f64>(fi, load<f64>(fi) + (f64At(sums, futOff + r) / nr - load<f64>(fi)) / n);
        }
      }
    }
  }
}
