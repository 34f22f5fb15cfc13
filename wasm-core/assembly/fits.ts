// FITS hot loops: Rice (RICE_1) tile decoding and encoding for tile-compressed images.
// Semantics follow the FITS tile-compression convention (Pence et al. 2009; FITS standard 4.0,
// section 10.4.1) as implemented by cfitsio's ricecomp.c (fits_rdecomp / fits_rcomp): blocks of
// `blocksize` pixel differences, each block prefixed by an FS code of fsbits bits; FS = -1 means
// all differences are zero, FS = fsmax means the differences are stored verbatim in bbits bits.
export * from "./common/memory";
import { RiceParams, riceParams } from "./common/fits-rice";
import {
  inputBit, inputNbits, overrun, qtreeDecode, readByte, readInt, readLong, resetBits, startInput,
} from "./common/fits-hbits";
import { hinv } from "./common/fits-hinv";
export { plioDecode } from "./common/fits-plio";

/** Status codes returned to the host. */
const OK: i32 = 0;
const TRUNCATED: i32 = 1;
const BAD_ARGS: i32 = 2;

/** Reads input byte `i` (0 beyond the end, so an overrun is detected after the block, not trapped). */
@inline function byteAt(inPtr: usize, inLen: i32, i: i32): u32 {
  return i < inLen ? <u32>load<u8>(inPtr + <usize>i) : 0;
}

@inline function storePixel(outPtr: usize, i: i32, bytepix: i32, v: u32): void {
  if (bytepix == 4) store<u32>(outPtr + (<usize>i << 2), v);
  else if (bytepix == 2) store<u16>(outPtr + (<usize>i << 1), <u16>v);
  else store<u8>(outPtr + <usize>i, <u8>v);
}

/** Undoes the zig-zag mapping of a difference (even -> >= 0, odd -> < 0), as fits_rdecomp. */
@inline function unmap(diff: u32): u32 {
  return (diff & 1) == 0 ? diff >> 1 : ~(diff >> 1);
}

/**
 * Decodes one Rice-compressed tile of `n` pixels into outPtr (little-endian integers of `bytepix`
 * bytes: 1, 2 or 4). Returns 0, 1 when the stream ends before `n` pixels, 2 on bad arguments.
 */
export function riceDecode(inPtr: usize, inLen: i32, outPtr: usize, n: i32, blocksize: i32, bytepix: i32): i32 {
  if (n <= 0) return OK;
  const p: RiceParams = riceParams(bytepix);
  if (p.fsbits == 0 || blocksize <= 0) return BAD_ARGS;
  if (inLen < bytepix + 1) return TRUNCATED;
  const fsbits = p.fsbits, fsmax = p.fsmax, bbits = p.bbits;
  // The first pixel is stored verbatim, big-endian.
  let lastpix: u32 = 0;
  let c: i32 = 0;
  for (; c < bytepix; c++) lastpix = (lastpix << 8) | byteAt(inPtr, inLen, c);
  let b: u32 = byteAt(inPtr, inLen, c++);
  let nbits: i32 = 8;
  let i: i32 = 0;
  while (i < n) {
    nbits -= fsbits;
    while (nbits < 0) { b = (b << 8) | byteAt(inPtr, inLen, c++); nbits += 8; }
    const fs: i32 = <i32>(b >> <u32>nbits) - 1;
    b &= (<u32>1 << <u32>nbits) - 1;
    let imax = i + blocksize;
    if (imax > n) imax = n;
    if (fs < 0) {
      for (; i < imax; i++) storePixel(outPtr, i, bytepix, lastpix);
    } else if (fs == fsmax) {
      for (; i < imax; i++) {
        let k: i32 = bbits - nbits;
        let diff: u32 = k >= 32 ? 0 : b << <u32>k;
        for (k -= 8; k >= 0; k -= 8) { b = byteAt(inPtr, inLen, c++); diff |= b << <u32>k; }
        if (nbits > 0) {
          b = byteAt(inPtr, inLen, c++);
          diff |= b >> <u32>(-k);
          b &= (<u32>1 << <u32>nbits) - 1;
        } else {
          b = 0;
        }
        lastpix = unmap(diff) + lastpix;
        storePixel(outPtr, i, bytepix, lastpix);
      }
    } else {
      for (; i < imax; i++) {
        while (b == 0) {
          nbits += 8;
          b = byteAt(inPtr, inLen, c++);
          if (c > inLen + 4) return TRUNCATED;
        }
        // Leading zeros before the terminating one-bit = quotient (diff >> fs).
        const nzero: i32 = nbits - (32 - <i32>clz(b));
        nbits -= nzero + 1;
        b ^= <u32>1 << <u32>nbits;
        nbits -= fs;
        while (nbits < 0) { b = (b << 8) | byteAt(inPtr, inLen, c++); nbits += 8; }
        const diff: u32 = (<u32>nzero << <u32>fs) | (b >> <u32>nbits);
        b &= (<u32>1 << <u32>nbits) - 1;
        lastpix = unmap(diff) + lastpix;
        storePixel(outPtr, i, bytepix, lastpix);
      }
    }
    if (c > inLen) return TRUNCATED;
  }
  return OK;
}

// ---- HCOMPRESS_1 ----

const HC_BAD_MAGIC: i32 = 3;
const HC_BAD_SHAPE: i32 = 4;
const HC_BAD_CODE: i32 = 5;

/**
 * Decodes one HCOMPRESS_1 tile (cfitsio fits_hdecompress64: decode, undigitize, hinv) of nx rows
 * by ny columns (ny = ZTILE1, the fast axis) into i32 pixels at outPtr. Returns 0, 1 when the
 * stream is truncated, 3 bad magic, 4 when the stream's shape is not nx x ny, 5 a bad code.
 */
export function hdecompress(inPtr: usize, inLen: i32, outPtr: usize, nx: i32, ny: i32, smooth: i32): i32 {
  startInput(inPtr, inLen);
  if (readByte() != 0xdd || readByte() != 0x99) return overrun ? TRUNCATED : HC_BAD_MAGIC;
  const snx = readInt(), sny = readInt(), scale = readInt();
  if (overrun) return TRUNCATED;
  if (snx != nx || sny != ny || nx <= 0 || ny <= 0) return HC_BAD_SHAPE;
  const sumall = readLong();
  const nb0 = readByte(), nb1 = readByte(), nb2 = readByte();
  const nel = nx * ny;
  const a = new StaticArray<i64>(nel);
  // dodecode: the four quadrants' bit planes, an end nybble, then one sign bit per nonzero value.
  const nx2 = (nx + 1) / 2, ny2 = (ny + 1) / 2;
  resetBits();
  if (!qtreeDecode(a, 0, ny, nx2, ny2, nb0)) return overrun ? TRUNCATED : HC_BAD_CODE;
  if (!qtreeDecode(a, ny2, ny, nx2, ny / 2, nb1)) return overrun ? TRUNCATED : HC_BAD_CODE;
  if (!qtreeDecode(a, ny * nx2, ny, nx / 2, ny2, nb1)) return overrun ? TRUNCATED : HC_BAD_CODE;
  if (!qtreeDecode(a, ny * nx2 + ny2, ny, nx / 2, ny / 2, nb2)) return overrun ? TRUNCATED : HC_BAD_CODE;
  if (inputNbits(4) != 0) return overrun ? TRUNCATED : HC_BAD_CODE;
  resetBits();
  for (let i = 0; i < nel; i++) if (unchecked(a[i]) != 0 && inputBit() != 0) unchecked(a[i] = -unchecked(a[i]));
  if (overrun) return TRUNCATED;
  unchecked(a[0] = sumall);
  if (scale > 1) for (let i = 0; i < nel; i++) unchecked(a[i] = unchecked(a[i]) * <i64>scale);
  hinv(a, nx, ny, smooth != 0, scale);
  for (let i = 0; i < nel; i++) store<i32>(outPtr + (<usize>i << 2), <i32>unchecked(a[i]));
  return OK;
}

// ---- encoder ----

let outBase: usize = 0;
let outCap: i32 = 0;
let outPos: i32 = 0;
let bitBuf: u64 = 0;
let bitCount: i32 = 0;
let overflow: bool = false;

@inline function flushBytes(): void {
  while (bitCount >= 8) {
    bitCount -= 8;
    if (outPos < outCap) store<u8>(outBase + <usize>outPos, <u8>(bitBuf >> <u64>bitCount));
    else overflow = true;
    outPos++;
  }
  bitBuf &= (<u64>1 << <u64>bitCount) - 1;
}

/** Appends the low `nbits` (<= 32) bits of `value`, most significant first. */
@inline function putBits(value: u32, nbits: i32): void {
  if (nbits == 0) return;
  const mask: u64 = nbits >= 32 ? 0xFFFFFFFF : (<u64>1 << <u64>nbits) - 1;
  bitBuf = (bitBuf << <u64>nbits) | (<u64>value & mask);
  bitCount += nbits;
  flushBytes();
}

/** Appends `count` zero bits followed by a one bit (the unary part of a Rice code). */
function putUnary(count: i32): void {
  while (count >= 24) { putBits(0, 24); count -= 24; }
  putBits(1, count + 1);
}

@inline function loadPixel(ptr: usize, i: i32, bytepix: i32): i32 {
  if (bytepix == 4) return load<i32>(ptr + (<usize>i << 2));
  if (bytepix == 2) return <i32>load<i16>(ptr + (<usize>i << 1));
  return <i32>load<i8>(ptr + <usize>i);
}

/** Difference wrapped to the pixel width, then zig-zag mapped (always fits in bbits bits). */
@inline function mappedDiff(next: i32, last: i32, bytepix: i32): u32 {
  let d: i32 = next - last;
  if (bytepix == 2) d = <i32><i16>d;
  else if (bytepix == 1) d = <i32><i8>d;
  const m: u32 = d < 0 ? ~(<u32>d << 1) : <u32>d << 1;
  return bytepix == 4 ? m : m & ((<u32>1 << <u32>(bytepix * 8)) - 1);
}

/**
 * Rice-encodes `n` signed integers of `bytepix` bytes at inPtr into outPtr (capacity `cap`).
 * Returns the number of bytes written, or -1 when the output would exceed `cap`.
 * FS selection follows fits_rcomp (mean mapped difference per block).
 */
export function riceEncode(inPtr: usize, n: i32, blocksize: i32, bytepix: i32, outPtr: usize, cap: i32): i32 {
  const p: RiceParams = riceParams(bytepix);
  if (p.fsbits == 0 || blocksize <= 0 || n <= 0) return -1;
  outBase = outPtr; outCap = cap; outPos = 0; bitBuf = 0; bitCount = 0; overflow = false;
  const fsbits = p.fsbits, fsmax = p.fsmax, bbits = p.bbits;
  let lastpix = loadPixel(inPtr, 0, bytepix);
  putBits(<u32>lastpix, bytepix * 8);
  const diffs = new StaticArray<u32>(blocksize);
  for (let i: i32 = 0; i < n; i += blocksize) {
    const count = min(blocksize, n - i);
    let pixelsum: f64 = 0;
    for (let j: i32 = 0; j < count; j++) {
      const next = loadPixel(inPtr, i + j, bytepix);
      const m = mappedDiff(next, lastpix, bytepix);
      unchecked(diffs[j] = m);
      pixelsum += <f64>m;
      lastpix = next;
    }
    let dpsum: f64 = (pixelsum - <f64>(count / 2) - 1) / <f64>count;
    if (dpsum < 0) dpsum = 0;
    let psum: u32 = (<u32>dpsum) >> 1;
    let fs: i32 = 0;
    for (; psum > 0; fs++) psum >>= 1;
    if (fs >= fsmax) {
      putBits(<u32>(fsmax + 1), fsbits);
      for (let j: i32 = 0; j < count; j++) putBits(unchecked(diffs[j]), bbits);
    } else if (fs == 0 && pixelsum == 0) {
      putBits(0, fsbits);
    } else {
      putBits(<u32>(fs + 1), fsbits);
      const fsmask: u32 = (<u32>1 << <u32>fs) - 1;
      for (let j: i32 = 0; j < count; j++) {
        const v = unchecked(diffs[j]);
        putUnary(<i32>(v >> <u32>fs));
        if (fs > 0) putBits(v & fsmask, fs);
      }
    }
    if (overflow) return -1;
  }
  if (bitCount > 0) putBits(0, 8 - bitCount);
  return overflow ? -1 : outPos;
}
