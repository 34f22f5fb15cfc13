// Radix-2 complex FFT on interleaved (re, im) f64 pairs, one v128 per complex number.
// Used by the signals family for FFT correlation (scipy.signal.correlate method='fft'); sizes are
// powers of two (the host zero-pads), which keeps the kernel short at the cost of up to 2x padding
// compared with pocketfft's 5-smooth lengths.

/** Fills `tw` (n/2 complex) with w_k = exp(-2 pi i k / n). Quarter-wave symmetry keeps it exact. */
export function fillTwiddles(tw: usize, n: i32): void {
  const half = n >> 1;
  const quarter = n >> 2;
  if (quarter == 0) {
    // n == 2 (or 1): only w_0 = 1 is needed.
    store<f64>(tw, 1.0);
    store<f64>(tw, 0.0, 8);
    return;
  }
  const step = (2.0 * Math.PI) / <f64>n;
  for (let k = 0; k < quarter; k++) {
    const angle = step * <f64>k;
    const p = tw + (<usize>k << 4);
    store<f64>(p, Math.cos(angle));
    store<f64>(p, -Math.sin(angle), 8);
  }
  // w_(k + n/4) = w_k * (-i): (re, im) -> (im, -re), exact.
  for (let k = quarter; k < half; k++) {
    const src = tw + (<usize>(k - quarter) << 4);
    const dst = tw + (<usize>k << 4);
    store<f64>(dst, load<f64>(src, 8));
    store<f64>(dst, -load<f64>(src), 8);
  }
}

function bitReverse(data: usize, n: i32): void {
  let j = 0;
  for (let i = 0; i < n - 1; i++) {
    if (i < j) {
      const pi = data + (<usize>i << 4);
      const pj = data + (<usize>j << 4);
      const t = v128.load(pi);
      v128.store(pi, v128.load(pj));
      v128.store(pj, t);
    }
    let m = n >> 1;
    while (m >= 1 && (j & m) != 0) {
      j ^= m;
      m >>= 1;
    }
    j |= m;
  }
}

/** Complex product a*b with both operands in (re, im) lanes. */
// @ts-ignore: decorator
@inline
export function cmul(a: v128, b: v128): v128 {
  const bre = f64x2.splat(f64x2.extract_lane(b, 0));
  const bim = f64x2.splat(f64x2.extract_lane(b, 1));
  const swapped = i64x2.shuffle(a, a, 1, 0); // (a.im, a.re)
  const signs = f64x2(-1.0, 1.0);
  return f64x2.add(f64x2.mul(a, bre), f64x2.mul(f64x2.mul(swapped, bim), signs));
}

/** In-place forward FFT (sign -1) of n complex values; `tw` from fillTwiddles(n). */
export function fftInPlace(data: usize, n: i32, tw: usize): void {
  if (n <= 1) return;
  bitReverse(data, n);
  // First stage (twiddle 1) separately: no multiply.
  for (let i = 0; i < n; i += 2) {
    const p = data + (<usize>i << 4);
    const u = v128.load(p);
    const v = v128.load(p, 16);
    v128.store(p, f64x2.add(u, v));
    v128.store(p, f64x2.sub(u, v), 16);
  }
  for (let half = 2; half < n; half <<= 1) {
    const stride = <usize>(n / (half << 1)) << 4;
    const span = <usize>half << 4;
    for (let start = 0; start < n; start += half << 1) {
      let p = data + (<usize>start << 4);
      let w = tw;
      const end = p + span;
      while (p < end) {
        const u = v128.load(p);
        const v = cmul(v128.load(p + span), v128.load(w));
        v128.store(p, f64x2.add(u, v));
        v128.store(p + span, f64x2.sub(u, v));
        p += 16;
        w += stride;
      }
    }
  }
}

/** In-place inverse FFT, unnormalised: conj(fft(conj(x))). The caller divides by n. */
export function ifftInPlaceUnscaled(data: usize, n: i32, tw: usize): void {
  conjugate(data, n);
  fftInPlace(data, n, tw);
  conjugate(data, n);
}

function conjugate(data: usize, n: i32): void {
  const signs = f64x2(1.0, -1.0);
  for (let i = 0; i < n; i++) {
    const p = data + (<usize>i << 4);
    v128.store(p, f64x2.mul(v128.load(p), signs));
  }
}
