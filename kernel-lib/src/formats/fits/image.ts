/**
 * Image pixels: big-endian storage <-> physical values. Mirrors astropy.io.fits ImageHDU
 * (_get_scaled_image_data, _dtype_for_bitpix, _convert_pseudo_integer):
 * - no BSCALE/BZERO/BLANK: the stored type (BITPIX 8 -> Uint8Array ... -64 -> Float64Array);
 * - BSCALE = 1 with the unsigned convention (BZERO = 2^(bits-1), or -128 for BITPIX 8): unsigned
 *   (resp. Int8Array) values, exact;
 * - otherwise physical = stored * BSCALE + BZERO as float32 for BITPIX 8/16/-32 (numpy float32
 *   arithmetic, so Math.fround after each step) and float64 for BITPIX 32/64/-64, with stored ==
 *   BLANK mapped to NaN for integer BITPIX.
 */
import { fitsError, FitsLocation } from './errors';
import { FitsHeader } from './header';

/** Any pixel array this reader returns or the writer accepts. */
export type FitsImageData =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

export type Bitpix = 8 | 16 | 32 | 64 | -32 | -64;
const BITPIXES: readonly number[] = [8, 16, 32, 64, -32, -64];

export interface ImageScaling {
  bitpix: Bitpix;
  bscale: number;
  /** BZERO as a bigint when it is an integer (2^63 is not exact as a double), else a number. */
  bzero: number | bigint;
  blank?: bigint;
}

/** Validates BITPIX (E_FITS_BITPIX names file, HDU and card). */
export function checkBitpix(value: unknown, loc: FitsLocation, key = 'BITPIX'): Bitpix {
  if (typeof value !== 'number' || !BITPIXES.includes(value)) {
    return fitsError('E_FITS_BITPIX', `${key} = ${String(value)} is not one of 8, 16, 32, 64, -32, -64`, loc);
  }
  return value as Bitpix;
}

export function scalingOf(header: FitsHeader, bitpix: Bitpix): ImageScaling {
  const z = header.get('BZERO');
  const blank = bitpix > 0 ? header.get('BLANK') : undefined;
  return {
    bitpix,
    bscale: header.getNumber('BSCALE', 1),
    bzero: typeof z === 'bigint' ? z : typeof z === 'number' ? z : 0,
    blank: typeof blank === 'number' || typeof blank === 'bigint' ? BigInt(blank) : undefined,
  };
}

const UNSIGNED_ZERO: Record<number, bigint> = { 8: -128n, 16: 32768n, 32: 2147483648n, 64: 9223372036854775808n };

function isZero(z: number | bigint): boolean {
  return typeof z === 'bigint' ? z === 0n : z === 0;
}

/** True when BSCALE/BZERO is the unsigned-integer (or int8) convention. */
export function isPseudoUnsigned(s: ImageScaling): boolean {
  if (s.bscale !== 1 || s.bitpix < 0) return false;
  const z = s.bzero;
  if (typeof z === 'number' && !Number.isInteger(z)) return false;
  return BigInt(z) === UNSIGNED_ZERO[s.bitpix];
}

/** Swaps big-endian `bytes` to host order in place and views them as the stored type. */
export function storedView(bytes: Buffer, bitpix: Bitpix): FitsImageData {
  const ab = bytes.buffer;
  const off = bytes.byteOffset;
  const n = bytes.length / (Math.abs(bitpix) / 8);
  switch (bitpix) {
    case 8:
      return new Uint8Array(ab, off, n);
    case 16:
      bytes.swap16();
      return new Int16Array(ab, off, n);
    case 32:
      bytes.swap32();
      return new Int32Array(ab, off, n);
    case 64:
      bytes.swap64();
      return new BigInt64Array(ab, off, n);
    case -32:
      bytes.swap32();
      return new Float32Array(ab, off, n);
    case -64:
      bytes.swap64();
      return new Float64Array(ab, off, n);
  }
}

/** Flips the sign bit of each element in place (stored signed <-> unsigned with BZERO = 2^(bits-1)). */
function flipSignBits(raw: FitsImageData, bitpix: Bitpix): void {
  const { buffer, byteOffset, byteLength } = raw;
  if (bitpix === 8) {
    const u = new Uint8Array(buffer, byteOffset, byteLength);
    for (let i = 0; i < u.length; i++) u[i] ^= 0x80;
  } else if (bitpix === 16) {
    const u = new Uint16Array(buffer, byteOffset, byteLength / 2);
    for (let i = 0; i < u.length; i++) u[i] ^= 0x8000;
  } else {
    // 32-bit words; for 64-bit elements only the high word (odd index, little-endian host) flips.
    const u = new Uint32Array(buffer, byteOffset, byteLength / 4);
    const step = bitpix === 64 ? 2 : 1;
    for (let i = step - 1; i < u.length; i += step) u[i] ^= 0x80000000;
  }
}

/** Applies the convention of `scaling` to stored values (host order); may reuse their memory. */
export function toPhysical(raw: FitsImageData, s: ImageScaling): FitsImageData {
  const scaled = !(s.bscale === 1 && isZero(s.bzero));
  if (!scaled && s.blank === undefined) return raw;
  if (scaled && isPseudoUnsigned(s)) {
    flipSignBits(raw, s.bitpix);
    const { buffer, byteOffset, length } = raw;
    if (s.bitpix === 8) return new Int8Array(buffer, byteOffset, length);
    if (s.bitpix === 16) return new Uint16Array(buffer, byteOffset, length);
    if (s.bitpix === 32) return new Uint32Array(buffer, byteOffset, length);
    return new BigUint64Array(buffer, byteOffset, length);
  }
  const single = s.bitpix === 8 || s.bitpix === 16 || s.bitpix === -32;
  return single ? scaleToFloat32(raw, s) : scaleToFloat64(raw, s);
}

function scaleToFloat32(raw: FitsImageData, s: ImageScaling): Float32Array {
  const out = raw instanceof Float32Array ? raw : new Float32Array(raw.length);
  const scale = Math.fround(s.bscale);
  const zero = Math.fround(Number(s.bzero));
  const blank = s.blank === undefined || s.bitpix < 0 ? undefined : Number(s.blank);
  const src = raw as Uint8Array | Int16Array | Float32Array;
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    out[i] = blank !== undefined && v === blank ? NaN : Math.fround(Math.fround(v * scale) + zero);
  }
  return out;
}

function scaleToFloat64(raw: FitsImageData, s: ImageScaling): Float64Array {
  const out = raw instanceof Float64Array ? raw : new Float64Array(raw.length);
  const scale = s.bscale;
  const zero = Number(s.bzero);
  if (raw instanceof BigInt64Array) {
    const blank = s.blank;
    for (let i = 0; i < raw.length; i++)
      out[i] = blank !== undefined && raw[i] === blank ? NaN : Number(raw[i]) * scale + zero;
    return out;
  }
  const blank = s.blank === undefined || s.bitpix < 0 ? undefined : Number(s.blank);
  const src = raw as Int32Array | Float64Array;
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    out[i] = blank !== undefined && v === blank ? NaN : v * scale + zero;
  }
  return out;
}

/** Storage description of a typed array for writing: BITPIX and the BZERO of the unsigned convention. */
export function storageOf(data: FitsImageData): { bitpix: Bitpix; bzero?: bigint } {
  if (data instanceof Uint8Array) return { bitpix: 8 };
  if (data instanceof Int8Array) return { bitpix: 8, bzero: -128n };
  if (data instanceof Int16Array) return { bitpix: 16 };
  if (data instanceof Uint16Array) return { bitpix: 16, bzero: 32768n };
  if (data instanceof Int32Array) return { bitpix: 32 };
  if (data instanceof Uint32Array) return { bitpix: 32, bzero: 2147483648n };
  if (data instanceof BigInt64Array) return { bitpix: 64 };
  if (data instanceof BigUint64Array) return { bitpix: 64, bzero: 9223372036854775808n };
  if (data instanceof Float32Array) return { bitpix: -32 };
  return { bitpix: -64 };
}

/** Big-endian stored bytes of `data` (unsigned convention applied), padded with zeros to `paddedLength`. */
export function toStoredBytes(data: FitsImageData, paddedLength?: number): Buffer {
  const { bitpix, bzero } = storageOf(data);
  const len = data.byteLength;
  const out = Buffer.from(new ArrayBuffer(paddedLength ?? len));
  out.set(new Uint8Array(data.buffer, data.byteOffset, len));
  const body = out.subarray(0, len);
  if (bzero !== undefined) {
    const view = storedViewNoSwap(body, bitpix);
    flipSignBits(view, bitpix);
  }
  if (bitpix === 16) body.swap16();
  else if (bitpix === 32 || bitpix === -32) body.swap32();
  else if (bitpix === 64 || bitpix === -64) body.swap64();
  return out;
}

function storedViewNoSwap(bytes: Buffer, bitpix: Bitpix): FitsImageData {
  const n = bytes.length / (Math.abs(bitpix) / 8);
  if (bitpix === 8) return new Uint8Array(bytes.buffer, bytes.byteOffset, n);
  if (bitpix === 16) return new Int16Array(bytes.buffer, bytes.byteOffset, n);
  if (bitpix === 32) return new Int32Array(bytes.buffer, bytes.byteOffset, n);
  return new BigInt64Array(bytes.buffer, bytes.byteOffset, n);
}
