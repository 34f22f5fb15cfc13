// HCOMPRESS_1 bit input and quadtree bit-plane decoding (R. White's H-compress as in cfitsio
// fits_hdecompress.c: decode / dodecode / qtree_decode / qtree_expand / qtree_copy / qtree_bitins /
// read_bdirect / input_huffman / bit input). Coefficients are held as i64, as cfitsio's
// fits_hdecompress64 (used for 32-bit and float tiles) does; for 8/16-bit tiles the 32-bit path
// gives the same values because no sum can overflow there.

let inBase: usize = 0;
let inLen: i32 = 0;
let pos: i32 = 0;
let buffer2: i32 = 0;
let bitsToGo: i32 = 0;
/** Set when the decoder asked for bytes beyond the input (a truncated or corrupt tile). */
export let overrun: bool = false;

export function startInput(ptr: usize, len: i32): void {
  inBase = ptr; inLen = len; pos = 0; buffer2 = 0; bitsToGo = 0; overrun = false;
}

/** Next input byte; 0 past the end (and `overrun` set) so a corrupt stream never reads out of bounds. */
@inline function nextByte(): i32 {
  const p = pos++;
  if (p < inLen) return <i32>load<u8>(inBase + <usize>p);
  overrun = true;
  return 0;
}

export function readByte(): i32 { return nextByte(); }

/** Big-endian 32-bit integer (qread.c readint). */
export function readInt(): i32 {
  let a: i32 = 0;
  for (let i = 0; i < 4; i++) a = (a << 8) | nextByte();
  return a;
}

/** Big-endian 64-bit integer (qread.c readlonglong). */
export function readLong(): i64 {
  let a: i64 = 0;
  for (let i = 0; i < 8; i++) a = (a << 8) | <i64>nextByte();
  return a;
}

export function resetBits(): void { bitsToGo = 0; }

export function inputBit(): i32 {
  if (bitsToGo == 0) { buffer2 = nextByte(); bitsToGo = 8; }
  bitsToGo -= 1;
  return (buffer2 >> bitsToGo) & 1;
}

/** The next n (<= 8) bits. */
export function inputNbits(n: i32): i32 {
  if (bitsToGo < n) { buffer2 = (buffer2 << 8) | nextByte(); bitsToGo += 8; }
  bitsToGo -= n;
  return (buffer2 >> bitsToGo) & ((1 << n) - 1);
}

/** Fixed Huffman code of the 4-bit quadtree values (input_huffman). */
function inputHuffman(): i32 {
  let c = inputNbits(3);
  if (c < 4) return 1 << c;
  c = inputBit() | (c << 1);
  if (c == 8) return 3;
  if (c == 9) return 5;
  if (c == 10) return 10;
  if (c == 11) return 12;
  if (c == 12) return 15;
  c = inputBit() | (c << 1);
  if (c == 26) return 6;
  if (c == 27) return 7;
  if (c == 28) return 9;
  if (c == 29) return 11;
  if (c == 30) return 13;
  c = inputBit() | (c << 1);
  return c == 62 ? 0 : 14;
}

/** ceil(log2(n)), the number of quadtree levels (cfitsio's rounded log, then +1 if too small). */
export function ceilLog2(n: i32): i32 {
  let k = 0;
  while ((1 << k) < n) k++;
  return k;
}

/**
 * Copies 4-bit codes of a[(nx+1)/2, (ny+1)/2] to b[nx, ny] (row length n), one bit per pixel of
 * each 2x2 block: bit 3 -> [i, j], bit 2 -> [i, j+1], bit 1 -> [i+1, j], bit 0 -> [i+1, j+1].
 * a and b are the same scratch array, so the codes are spread from the end first (qtree_copy).
 */
function qtreeCopy(s: StaticArray<u8>, nx: i32, ny: i32, n: i32): void {
  const nx2 = (nx + 1) / 2, ny2 = (ny + 1) / 2;
  let k = ny2 * (nx2 - 1) + ny2 - 1;
  for (let i = nx2 - 1; i >= 0; i--) {
    let s00 = 2 * (n * i + ny2 - 1);
    for (let j = ny2 - 1; j >= 0; j--) { unchecked(s[s00] = unchecked(s[k])); k--; s00 -= 2; }
  }
  let i = 0;
  for (; i < nx - 1; i += 2) {
    let s00 = n * i, s10 = s00 + n;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const v = unchecked(s[s00]);
      unchecked(s[s10 + 1] = v & 1);
      unchecked(s[s10] = (v >> 1) & 1);
      unchecked(s[s00 + 1] = (v >> 2) & 1);
      unchecked(s[s00] = (v >> 3) & 1);
      s00 += 2; s10 += 2;
    }
    if (j < ny) { const v = unchecked(s[s00]); unchecked(s[s10] = (v >> 1) & 1); unchecked(s[s00] = (v >> 3) & 1); }
  }
  if (i < nx) {
    let s00 = n * i;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const v = unchecked(s[s00]);
      unchecked(s[s00 + 1] = (v >> 2) & 1);
      unchecked(s[s00] = (v >> 3) & 1);
      s00 += 2;
    }
    if (j < ny) unchecked(s[s00] = (unchecked(s[s00]) >> 3) & 1);
  }
}

function qtreeExpand(s: StaticArray<u8>, nx: i32, ny: i32): void {
  qtreeCopy(s, nx, ny, ny);
  for (let i = nx * ny - 1; i >= 0; i--) if (unchecked(s[i]) != 0) unchecked(s[i] = <u8>inputHuffman());
}

/**
 * ORs bit plane `bit` from the 4-bit codes of `s` into a[base + ...] (row length n) (qtree_bitins).
 * Indices depend only on the tile shape, so the accesses are unchecked.
 */
function qtreeBitins(s: StaticArray<u8>, nx: i32, ny: i32, a: StaticArray<i64>, base: i32, n: i32, bit: i32): void {
  const p: i64 = <i64>1 << <i64>bit;
  let k = 0;
  let i = 0;
  for (; i < nx - 1; i += 2) {
    let s00 = base + n * i;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const v = unchecked(s[k]);
      if (v & 1) unchecked(a[s00 + n + 1] |= p);
      if (v & 2) unchecked(a[s00 + n] |= p);
      if (v & 4) unchecked(a[s00 + 1] |= p);
      if (v & 8) unchecked(a[s00] |= p);
      s00 += 2; k++;
    }
    if (j < ny) {
      const v = unchecked(s[k]);
      if (v & 2) unchecked(a[s00 + n] |= p);
      if (v & 8) unchecked(a[s00] |= p);
      k++;
    }
  }
  if (i < nx) {
    let s00 = base + n * i;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const v = unchecked(s[k]);
      if (v & 4) unchecked(a[s00 + 1] |= p);
      if (v & 8) unchecked(a[s00] |= p);
      s00 += 2; k++;
    }
    if (j < ny && (unchecked(s[k]) & 8)) unchecked(a[s00] |= p);
  }
}

/** Decodes `nbitplanes` bit planes of the nqx x nqy quadrant at a[base] (row length n). Returns false on a bad code. */
export function qtreeDecode(a: StaticArray<i64>, base: i32, n: i32, nqx: i32, nqy: i32, nbitplanes: i32): bool {
  const log2n = ceilLog2(max(nqx, nqy));
  const nqx2 = (nqx + 1) / 2, nqy2 = (nqy + 1) / 2;
  const s = new StaticArray<u8>(max(1, nqx2 * nqy2));
  for (let bit = nbitplanes - 1; bit >= 0; bit--) {
    const b = inputNbits(4);
    if (b == 0) {
      // Bit plane written directly, 4 pixels per nybble (read_bdirect).
      for (let i = 0; i < nqx2 * nqy2; i++) unchecked(s[i] = <u8>inputNbits(4));
      qtreeBitins(s, nqx, nqy, a, base, n, bit);
    } else if (b != 0xf) {
      return false;
    } else {
      unchecked(s[0] = <u8>inputHuffman());
      let nx = 1, ny = 1, nfx = nqx, nfy = nqy, c = 1 << log2n;
      for (let k = 1; k < log2n; k++) {
        // n[k-1] = (n[k] + 1) / 2 with n[log2n] = nqx or nqy.
        c >>= 1; nx <<= 1; ny <<= 1;
        if (nfx <= c) nx -= 1; else nfx -= c;
        if (nfy <= c) ny -= 1; else nfy -= c;
        qtreeExpand(s, nx, ny);
        if (overrun) return false;
      }
      qtreeBitins(s, nqx, nqy, a, base, n, bit);
    }
    if (overrun) return false;
  }
  return true;
}
