// Signal kernels: direct and FFT cross-correlation (numpy.correlate / scipy.signal.correlate) and
// the direct-form II transposed IIR filter of scipy.signal.lfilter. f64 throughout.
export * from "./common/memory";
import { fillTwiddles, fftInPlace, ifftInPlaceUnscaled } from "./common/signals-fft";

/** Dot product of n f64 at pa and pb (two SIMD accumulators). */
// @ts-ignore: decorator
@inline
function dot(pa: usize, pb: usize, n: i32): f64 {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 3;
    acc0 = f64x2.add(acc0, f64x2.mul(v128.load(pa + off), v128.load(pb + off)));
    acc1 = f64x2.add(acc1, f64x2.mul(v128.load(pa + off, 16), v128.load(pb + off, 16)));
  }
  const acc = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) s += load<f64>(pa + (<usize>i << 3)) * load<f64>(pb + (<usize>i << 3));
  return s;
}

/**
 * Direct cross-correlation, a window of the 'full' output:
 * full[k] = sum_m a[m + lag] * v[m], lag = k - (n2 - 1), k = 0 .. n1 + n2 - 2
 * (scipy.signal.correlate(a, v, 'full') == numpy.correlate(a, v, 'full')).
 * Writes out[i] = full[start + i] for i < count.
 */
export function correlateDirect(a: usize, n1: i32, v: usize, n2: i32, out: usize, start: i32, count: i32): void {
  for (let i = 0; i < count; i++) {
    const lag = start + i - (n2 - 1);
    const m0 = lag < 0 ? -lag : 0;
    const m1 = min(n2, n1 - lag);
    const len = m1 - m0;
    const s = len > 0 ? dot(a + (<usize>(m0 + lag) << 3), v + (<usize>m0 << 3), len) : 0.0;
    store<f64>(out + (<usize>i << 3), s);
  }
}

/**
 * FFT cross-correlation (same window contract as correlateDirect). `work` holds nfft complex
 * values (2*nfft f64) and `tw` nfft/2 complex twiddles; nfft is a power of two >= n1 + n2 - 1.
 * Both real inputs share one complex transform: z = a + i*reverse(v), then
 * A_k = (Z_k + conj Z_-k)/2, B_k = (Z_k - conj Z_-k)/(2i), and the correlation is ifft(A*B).
 */
export function correlateFft(a: usize, n1: i32, v: usize, n2: i32, out: usize, start: i32, count: i32, work: usize, tw: usize, nfft: i32): void {
  packInputs(a, n1, v, n2, work, nfft);
  fillTwiddles(tw, nfft);
  fftInPlace(work, nfft, tw);
  multiplySpectra(work, nfft);
  ifftInPlaceUnscaled(work, nfft, tw);
  const scale = 1.0 / <f64>nfft;
  for (let i = 0; i < count; i++) {
    store<f64>(out + (<usize>i << 3), load<f64>(work + (<usize>(start + i) << 4)) * scale);
  }
}

function packInputs(a: usize, n1: i32, v: usize, n2: i32, work: usize, nfft: i32): void {
  memory.fill(work, 0, <usize>nfft << 4);
  for (let j = 0; j < n1; j++) store<f64>(work + (<usize>j << 4), load<f64>(a + (<usize>j << 3)));
  for (let j = 0; j < n2; j++) store<f64>(work + (<usize>j << 4), load<f64>(v + (<usize>(n2 - 1 - j) << 3)), 8);
}

/** Replaces Z by the spectrum A*B of the product (pairs k and n-k are handled together). */
function multiplySpectra(work: usize, n: i32): void {
  for (let k = 0; k <= (n >> 1); k++) {
    const kk = (n - k) & (n - 1);
    const pk = work + (<usize>k << 4);
    const pkk = work + (<usize>kk << 4);
    const zr = load<f64>(pk), zi = load<f64>(pk, 8);
    const wr = load<f64>(pkk), wi = load<f64>(pkk, 8);
    // C_k = A_k B_k with A_k = ((zr+wr) + i(zi-wi))/2, B_k = ((zi+wi) - i(zr-wr))/2.
    const ar = 0.5 * (zr + wr), ai = 0.5 * (zi - wi);
    const br = 0.5 * (zi + wi), bi = -0.5 * (zr - wr);
    const cr = ar * br - ai * bi, ci = ar * bi + ai * br;
    // C_(n-k) = conj(C_k) because the correlation is real.
    store<f64>(pk, cr);
    store<f64>(pk, ci, 8);
    if (kk != k) {
      store<f64>(pkk, cr);
      store<f64>(pkk, -ci, 8);
    }
  }
}

/**
 * Direct form II transposed filter, exactly the recurrence of scipy's _linear_filter:
 *   y[n] = z[0] + b[0] x[n];  z[i] = z[i+1] + b[i+1] x[n] - a[i+1] y[n];  z[nc-2] = b[nc-1] x[n] - a[nc-1] y[n]
 * b and a are already normalised by a[0] and zero-padded to nc coefficients; z (nc-1 values) is the
 * initial state and receives the final state. `reverse` != 0 walks x from the end (filtfilt's
 * backward pass without copying). x and y may alias.
 */
export function lfilterDf2t(b: usize, a: usize, nc: i32, x: usize, y: usize, n: i32, z: usize, reverse: i32): void {
  const b0 = load<f64>(b);
  if (nc == 1) {
    for (let k = 0; k < n; k++) {
      const off = <usize>(reverse ? n - 1 - k : k) << 3;
      store<f64>(y + off, b0 * load<f64>(x + off));
    }
    return;
  }
  if (nc == 3) {
    lfilter3(b, a, x, y, n, z, reverse);
    return;
  }
  const last = nc - 1;
  for (let k = 0; k < n; k++) {
    const off = <usize>(reverse ? n - 1 - k : k) << 3;
    const xn = load<f64>(x + off);
    const yn = load<f64>(z) + b0 * xn;
    for (let i = 0; i < last - 1; i++) {
      const pi = <usize>i << 3;
      store<f64>(z + pi, load<f64>(z + pi, 8) + xn * load<f64>(b + pi, 8) - yn * load<f64>(a + pi, 8));
    }
    store<f64>(z + (<usize>(last - 1) << 3), xn * load<f64>(b + (<usize>last << 3)) - yn * load<f64>(a + (<usize>last << 3)));
    store<f64>(y + off, yn);
  }
}

/** The nc == 3 case (moving average of 3, biquads) with the state in locals. */
function lfilter3(b: usize, a: usize, x: usize, y: usize, n: i32, z: usize, reverse: i32): void {
  const b0 = load<f64>(b), b1 = load<f64>(b, 8), b2 = load<f64>(b, 16);
  const a1 = load<f64>(a, 8), a2 = load<f64>(a, 16);
  let z0 = load<f64>(z), z1 = load<f64>(z, 8);
  for (let k = 0; k < n; k++) {
    const off = <usize>(reverse ? n - 1 - k : k) << 3;
    const xn = load<f64>(x + off);
    const yn = z0 + b0 * xn;
    z0 = z1 + xn * b1 - yn * a1;
    z1 = xn * b2 - yn * a2;
    store<f64>(y + off, yn);
  }
  store<f64>(z, z0);
  store<f64>(z, z1, 8);
}
