/**
 * Un-quantisation of tile-compressed floating-point images (FITS standard 4.0 section 10.2;
 * cfitsio fits_init_randoms and unquantize_i4r4/i4r8). The dither sequence is the Park-Miller
 * generator (a = 16807, m = 2^31 - 1, seed 1) stored as 10000 float32 values; tile t (0-based)
 * starts at iseed = (t + ZDITHER0 - 1) mod 10000 and offset floor(rand[iseed] * 500).
 */
export const N_RANDOM = 10000;
/** Quantised value meaning NaN (cfitsio NULL_VALUE). */
export const NULL_VALUE = -2147483647;
/** SUBTRACTIVE_DITHER_2 value meaning exactly 0.0 (cfitsio ZERO_VALUE). */
export const ZERO_VALUE = -2147483646;

let randoms: Float32Array | undefined;

/** The standard sequence of 10000 uniform deviates in (0, 1), as float32. */
export function ditherRandoms(): Float32Array {
  if (!randoms) {
    const a = 16807;
    const m = 2147483647;
    let seed = 1;
    randoms = new Float32Array(N_RANDOM);
    for (let i = 0; i < N_RANDOM; i++) {
      const temp = a * seed;
      seed = temp - m * Math.trunc(temp / m);
      randoms[i] = seed / m;
    }
  }
  return randoms;
}

export type QuantizeMethod = 'NO_DITHER' | 'SUBTRACTIVE_DITHER_1' | 'SUBTRACTIVE_DITHER_2';

export interface TileQuantization {
  method: QuantizeMethod;
  scale: number;
  zero: number;
  /** Quantised value that stands for NaN, if any. */
  blank?: number;
  /** 0-based tile number and ZDITHER0, for the dither offsets. */
  tile: number;
  ditherSeed: number;
}

/** Writes the physical values of one tile into `out` starting at `at` (float32 or float64). */
export function unquantizeTile(
  ints: Int32Array,
  q: TileQuantization,
  out: Float32Array | Float64Array,
  at: number,
): void {
  const { scale, zero } = q;
  const blank = q.blank;
  if (q.method === 'NO_DITHER') {
    for (let i = 0; i < ints.length; i++) {
      const v = ints[i];
      out[at + i] = blank !== undefined && v === blank ? NaN : v * scale + zero;
    }
    return;
  }
  const rand = ditherRandoms();
  const zeroCode = q.method === 'SUBTRACTIVE_DITHER_2';
  let iseed = (q.tile + q.ditherSeed - 1) % N_RANDOM;
  let next = Math.trunc(Math.fround(rand[iseed] * 500));
  for (let i = 0; i < ints.length; i++) {
    const v = ints[i];
    if (blank !== undefined && v === blank) out[at + i] = NaN;
    else if (zeroCode && v === ZERO_VALUE) out[at + i] = 0;
    else out[at + i] = (v - rand[next] + 0.5) * scale + zero;
    next++;
    if (next === N_RANDOM) {
      iseed = (iseed + 1) % N_RANDOM;
      next = Math.trunc(Math.fround(rand[iseed] * 500));
    }
  }
}
