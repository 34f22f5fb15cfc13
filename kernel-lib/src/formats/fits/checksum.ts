/**
 * FITS checksums (FITS standard 4.0 appendix J; cfitsio ffcsum / ffesum / ffdsum, astropy
 * _File checksum code): a 32-bit ones'-complement sum of the big-endian 32-bit words of a unit,
 * DATASUM as its decimal string, CHECKSUM as 16 ASCII characters chosen so that the whole HDU
 * (header + data) sums to -0 (0xFFFFFFFF).
 */

const TWO16 = 65536;

/** Ones'-complement sum of `bytes` (length a multiple of 4), continuing from `start`. */
export function onesComplementSum(bytes: Uint8Array, start = 0): number {
  if (bytes.length % 4 !== 0) throw new RangeError('checksum needs whole 32-bit words');
  let hi = Math.floor(start / TWO16);
  let lo = start % TWO16;
  // 16-bit halves summed separately and folded at the end (cfitsio ffcsum). Sums stay below 2^53
  // for any unit up to 2^37 bytes; fold every 2^28 words to be safe for larger ones.
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const stop = Math.min(n, i + (1 << 30));
    let h = 0;
    let l = 0;
    for (; i < stop; i += 4) {
      h += (bytes[i] << 8) | bytes[i + 1];
      l += (bytes[i + 2] << 8) | bytes[i + 3];
    }
    hi += h;
    lo += l;
    [hi, lo] = fold(hi, lo);
  }
  return hi * TWO16 + lo;
}

function fold(hi: number, lo: number): [number, number] {
  while (hi >= TWO16 || lo >= TWO16) {
    const hiCarry = Math.floor(hi / TWO16);
    const loCarry = Math.floor(lo / TWO16);
    hi = (hi % TWO16) + loCarry;
    lo = (lo % TWO16) + hiCarry;
  }
  return [hi, lo];
}

/** Ones'-complement addition of two 32-bit sums. */
export function addSums(a: number, b: number): number {
  const s = a + b;
  return s > 0xffffffff ? s - 0xffffffff : s;
}

const EXCLUDE = [0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60];

/** The 16-character ASCII encoding of the complement of `sum` (cfitsio ffesum with complement=1). */
export function encodeChecksum(sum: number): string {
  const value = (0xffffffff - sum) >>> 0;
  const asc = new Array<number>(16);
  for (let ii = 0; ii < 4; ii++) {
    const byte = (value >>> (24 - 8 * ii)) & 0xff;
    const ch = [0, 0, 0, 0].map(() => Math.floor(byte / 4) + 0x30);
    ch[0] += byte % 4;
    // Avoid punctuation: move pairs of characters apart while one of them is excluded.
    for (let changed = true; changed;) {
      changed = false;
      for (const kk of EXCLUDE) {
        for (let jj = 0; jj < 4; jj += 2) {
          if (ch[jj] === kk || ch[jj + 1] === kk) {
            ch[jj]++;
            ch[jj + 1]--;
            changed = true;
          }
        }
      }
    }
    for (let jj = 0; jj < 4; jj++) asc[4 * jj + ii] = ch[jj];
  }
  // Rotate right by one character, as the convention requires.
  let out = '';
  for (let ii = 0; ii < 16; ii++) out += String.fromCharCode(asc[(ii + 15) % 16]);
  return out;
}

export const CHECKSUM_PLACEHOLDER = '0000000000000000';
