/**
 * IMM frame header (XPCS-Eigen `src/xpcs/io/imm.h`; the python readers' struct format
 * "ii32s16si16siiiiiiiiiiiiiddiiIiiI40sf…fffiiifc295s84s12s"). Every frame is a 1024-byte
 * little-endian header followed by its payload:
 *  - compression != 0 (6 = sparse): dlen x uint32 pixel indices, then dlen x uint16 values;
 *  - compression == 0 (dense): dlen x uint16 values (dlen = rows*cols).
 * Indices and values are read unsigned like xpcs-eigen's python `imm_file.py`
 * (np.uint32 / np.uint16): detector counts are never negative.
 */
import { StagebookError } from '../../errors/stagebook-error';

export const IMM_HEADER_BYTES = 1024;
/** The `compression` value XPCS-Eigen writes for sparse frames. */
export const IMM_COMPRESSION_SPARSE = 6;
/** `immversion` written by current detectors (and by our writer). */
export const IMM_VERSION = 12;

/** One process-variable slot of the header (pv1..pv10: 40-byte name + float32 value). */
export interface ImmPv {
  name: string;
  value: number;
}

/** Decoded IMM frame header. Field names follow imm.h (camelCase). */
export interface ImmFrameHeader {
  mode: number;
  /** 0 = dense; any other value (6 in practice) = sparse index/value payload. */
  compression: number;
  date: string;
  prefix: string;
  number: number;
  suffix: string;
  monitor: number;
  shutter: number;
  rowBeg: number;
  rowEnd: number;
  colBeg: number;
  colEnd: number;
  rowBin: number;
  colBin: number;
  rows: number;
  cols: number;
  /** Bytes per pixel value (2). */
  bytes: number;
  kinetics: number;
  kinwinsize: number;
  /** Acquisition clock in seconds (XPCS-Eigen's `timestamp_clock`). */
  elapsed: number;
  preset: number;
  topup: number;
  inject: number;
  /** Number of stored pixels in the payload. */
  dlen: number;
  roiNumber: number;
  bufferNumber: number;
  systick: number;
  pv: ImmPv[];
  imageserver: number;
  cpuSpeed: number;
  immversion: number;
  /** Detector tick counter (XPCS-Eigen's `timestamp_tick`). */
  corecotick: number;
  cameratype: number;
  threshhold: number;
}

function readCString(bytes: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + off, end - off).toString('latin1');
}

function writeCString(bytes: Uint8Array, off: number, len: number, s: string): void {
  const b = Buffer.from(s, 'latin1');
  bytes.set(b.subarray(0, len - 1), off); // keep a terminating NUL like the C writer
}

/** Decodes the 1024-byte header at `bytes[off..off+1024)`. */
export function decodeImmHeader(bytes: Uint8Array, off = 0): ImmFrameHeader {
  const v = new DataView(bytes.buffer, bytes.byteOffset + off, IMM_HEADER_BYTES);
  const i32 = (o: number): number => v.getInt32(o, true);
  const pv: ImmPv[] = [];
  for (let k = 0; k < 10; k++) {
    const o = 168 + k * 44;
    pv.push({ name: readCString(bytes, off + o, 40), value: v.getFloat32(o + 40, true) });
  }
  return {
    mode: i32(0),
    compression: i32(4),
    date: readCString(bytes, off + 8, 32),
    prefix: readCString(bytes, off + 40, 16),
    number: i32(56),
    suffix: readCString(bytes, off + 60, 16),
    monitor: i32(76),
    shutter: i32(80),
    rowBeg: i32(84),
    rowEnd: i32(88),
    colBeg: i32(92),
    colEnd: i32(96),
    rowBin: i32(100),
    colBin: i32(104),
    rows: i32(108),
    cols: i32(112),
    bytes: i32(116),
    kinetics: i32(120),
    kinwinsize: i32(124),
    elapsed: v.getFloat64(128, true),
    preset: v.getFloat64(136, true),
    topup: i32(144),
    inject: i32(148),
    dlen: v.getUint32(152, true),
    roiNumber: i32(156),
    bufferNumber: i32(160),
    systick: v.getUint32(164, true),
    pv,
    imageserver: v.getFloat32(608, true),
    cpuSpeed: v.getFloat32(612, true),
    immversion: i32(616),
    corecotick: i32(620),
    cameratype: i32(624),
    threshhold: v.getFloat32(628, true),
  };
}

/** Header fields with defaults for a frame of `rows` x `cols` (what our writer fills in). */
export function defaultImmHeader(rows: number, cols: number, index: number): ImmFrameHeader {
  return {
    mode: 2,
    compression: 0,
    date: '',
    prefix: '',
    number: index,
    suffix: '',
    monitor: 0,
    shutter: 0,
    rowBeg: 0,
    rowEnd: rows - 1,
    colBeg: 0,
    colEnd: cols - 1,
    rowBin: 1,
    colBin: 1,
    rows,
    cols,
    bytes: 2,
    kinetics: 0,
    kinwinsize: 0,
    elapsed: index,
    preset: 1,
    topup: 0,
    inject: 0,
    dlen: rows * cols,
    roiNumber: 0,
    bufferNumber: index,
    systick: 0,
    pv: [],
    imageserver: 0,
    cpuSpeed: 0,
    immversion: IMM_VERSION,
    corecotick: index,
    cameratype: 0,
    threshhold: 0,
  };
}

/** Encodes `h` into `bytes[off..off+1024)` (zero-filled first). */
export function encodeImmHeader(h: ImmFrameHeader, bytes: Uint8Array, off = 0): void {
  bytes.fill(0, off, off + IMM_HEADER_BYTES);
  const v = new DataView(bytes.buffer, bytes.byteOffset + off, IMM_HEADER_BYTES);
  const ints: Array<[number, number]> = [
    [0, h.mode],
    [4, h.compression],
    [56, h.number],
    [76, h.monitor],
    [80, h.shutter],
    [84, h.rowBeg],
    [88, h.rowEnd],
    [92, h.colBeg],
    [96, h.colEnd],
    [100, h.rowBin],
    [104, h.colBin],
    [108, h.rows],
    [112, h.cols],
    [116, h.bytes],
    [120, h.kinetics],
    [124, h.kinwinsize],
    [144, h.topup],
    [148, h.inject],
    [156, h.roiNumber],
    [160, h.bufferNumber],
    [616, h.immversion],
    [620, h.corecotick],
    [624, h.cameratype],
  ];
  for (const [o, x] of ints) v.setInt32(o, x, true);
  v.setFloat64(128, h.elapsed, true);
  v.setFloat64(136, h.preset, true);
  v.setUint32(152, h.dlen, true);
  v.setUint32(164, h.systick, true);
  v.setFloat32(608, h.imageserver, true);
  v.setFloat32(612, h.cpuSpeed, true);
  v.setFloat32(628, h.threshhold, true);
  writeCString(bytes, off + 8, 32, h.date);
  writeCString(bytes, off + 40, 16, h.prefix);
  writeCString(bytes, off + 60, 16, h.suffix);
  h.pv.slice(0, 10).forEach((p, k) => {
    writeCString(bytes, off + 168 + k * 44, 40, p.name);
    v.setFloat32(168 + k * 44 + 40, p.value, true);
  });
}

/** Payload size in bytes that follows a header (6 B per pixel sparse, 2 B dense). */
export function immPayloadBytes(h: ImmFrameHeader): number {
  return h.compression !== 0 ? h.dlen * 6 : h.dlen * 2;
}

/**
 * Rejects headers that cannot describe a frame; the error names file, frame and byte offset
 * (a corrupt or non-IMM file usually fails here rather than producing garbage frames).
 */
export function checkImmHeader(where: string, file: string, frame: number, offset: number, h: ImmFrameHeader): void {
  const fail = (why: string, field: string): never => {
    throw new StagebookError(
      'E_FORMAT',
      `${where}: ${file}: frame ${frame} (header at byte offset ${offset}): ${why}`,
      { where, file, frame, offset, field },
    );
  };
  if (!(h.rows > 0 && h.rows <= 1 << 16)) fail(`rows=${h.rows} is not in 1..65536`, 'rows');
  if (!(h.cols > 0 && h.cols <= 1 << 16)) fail(`cols=${h.cols} is not in 1..65536`, 'cols');
  if (h.bytes !== 2 && h.bytes !== 0) fail(`bytes=${h.bytes} per pixel is not supported (only 16-bit values)`, 'bytes');
  const pixels = h.rows * h.cols;
  if (h.compression === 0 && h.dlen !== pixels) fail(`dense frame has dlen=${h.dlen} but rows*cols=${pixels}`, 'dlen');
  if (h.compression !== 0 && h.dlen > pixels) fail(`sparse frame has dlen=${h.dlen} > rows*cols=${pixels}`, 'dlen');
}
