// XPCS-Eigen Corr::multiTau2 per-pixel sums (dense port): for each delay d (level L, tau in
// level-L frames) and pixel p, over the level-L series Y (Y_0 = frames; on each level change the
// frame count is made even and adjacent frames are averaged, 0.5 * (a + b)):
//   G2 = sum_{t < last-tau} Y[t] Y[t+tau],  IP = sum_{t < last-tau} Y[t],  IF = sum_{tau <= t < last} Y[t]
// each divided by (last - tau) when positive (xpcs-eigen src/xpcs/corr.cpp).
import { pixelF64 } from "./xpcs-pixel";

/**
 * Pixels are processed in pairs (two f64 lanes; each lane sums its own pixel sequentially in time).
 * pix: i32[npx] raster indices; levels/taus: i32[nd]; outputs f64[nd * npx] (delay-major).
 */
export function eigPixelSums(stack: usize, kind: i32, T: i32, P: usize, pix: usize, npx: i32, levels: usize, taus: usize, nd: i32, outG2: usize, outIP: usize, outIF: usize): i32 {
  const buf = heap.alloc(<usize>max(T, 1) << 4);
  for (let q = 0; q < npx; q += 2) {
    const pa = load<i32>(pix + (<usize>q << 2));
    const hasB = q + 1 < npx;
    const pb = hasB ? load<i32>(pix + (<usize>(q + 1) << 2)) : pa;
    for (let t = 0; t < T; t++) {
      const base = <usize>t * P;
      store<f64>(buf + (<usize>t << 4), pixelF64(stack, kind, base + <usize>pa));
      store<f64>(buf + (<usize>t << 4) + 8, hasB ? pixelF64(stack, kind, base + <usize>pb) : 0.0);
    }
    let last = T;
    let ll = 0;
    const half = f64x2.splat(0.5);
    for (let d = 0; d < nd; d++) {
      const L = load<i32>(levels + (<usize>d << 2));
      const tau = load<i32>(taus + (<usize>d << 2));
      if (L != ll) {
        if (last % 2) last -= 1;
        last = last / 2;
        for (let k = 0; k < last; k++) {
          const s = f64x2.add(v128.load(buf + (<usize>(2 * k) << 4)), v128.load(buf + (<usize>(2 * k + 1) << 4)));
          v128.store(buf + (<usize>k << 4), f64x2.mul(half, s));
        }
        ll = L;
      }
      const n = last - tau;
      let g = f64x2.splat(0), ip = f64x2.splat(0), iff = f64x2.splat(0);
      for (let t = 0; t < n; t++) {
        const x = v128.load(buf + (<usize>t << 4));
        const y = v128.load(buf + (<usize>(t + tau) << 4));
        g = f64x2.add(g, f64x2.mul(x, y));
        ip = f64x2.add(ip, x);
        iff = f64x2.add(iff, y);
      }
      if (n > 0) {
        const dn = f64x2.splat(<f64>n);
        g = f64x2.div(g, dn); ip = f64x2.div(ip, dn); iff = f64x2.div(iff, dn);
      }
      const o = (<usize>d * <usize>npx + <usize>q) << 3;
      store<f64>(outG2 + o, f64x2.extract_lane(g, 0));
      store<f64>(outIP + o, f64x2.extract_lane(ip, 0));
      store<f64>(outIF + o, f64x2.extract_lane(iff, 0));
      if (hasB) {
        store<f64>(outG2 + o + 8, f64x2.extract_lane(g, 1));
        store<f64>(outIP + o + 8, f64x2.extract_lane(ip, 1));
        store<f64>(outIF + o + 8, f64x2.extract_lane(iff, 1));
      }
    }
  }
  heap.free(buf);
  return 0;
}
