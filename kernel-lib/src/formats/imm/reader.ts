/**
 * IMM readers: whole file into one preallocated [T,H,W] stack, a CSR-style sparse stack, and an
 * async frame stream for files too large to hold. Semantics follow XPCS-Eigen (`imm.cpp`) and
 * its python `imm_file.py`: frames are back to back, sparse pixel index = row*cols + col.
 */
import { StagebookError, invalidArgument } from '../../errors/stagebook-error';
import type { Frames } from '../../numeric/frames';
import { IMM_HEADER_BYTES, immPayloadBytes, type ImmFrameHeader } from './header';
import { ImmSource, withImmSource, type ImmFrameLocation } from './source';

/** Which frames to read: `first` (0-based, default 0) and `count` (default: to the end). */
export interface ImmSelection {
  first?: number;
  count?: number;
}

export interface ReadImmOptions extends ImmSelection {
  /**
   * Caller-owned stack to fill (length >= T*H*W); `frames.data` is then a view of it. Reusing
   * one buffer across files skips allocating and first-touching a fresh [T,H,W] array.
   */
  into?: Uint16Array;
}

/** A whole IMM file (or a selection) as one dense stack plus the per-frame headers. */
export interface ImmStack {
  frames: Frames & { data: Uint16Array };
  headers: ImmFrameHeader[];
  /** True when the file stores sparse (compression != 0) frames. */
  sparse: boolean;
}

/** Sparse stack: frame t owns entries [ptr[t], ptr[t+1]) of `indices`/`values`. */
export interface ImmSparseStack {
  shape: [number, number, number];
  ptr: Float64Array;
  indices: Uint32Array;
  values: Uint16Array;
  headers: ImmFrameHeader[];
}

/** One streamed frame. `dense` is set in 'dense' mode, `sparse` in 'sparse' mode. */
export interface ImmFrame {
  /** 0-based frame number in the file. */
  index: number;
  /** Byte offset of the frame header. */
  offset: number;
  header: ImmFrameHeader;
  dense?: Uint16Array;
  sparse?: { indices: Uint32Array; values: Uint16Array };
}

export interface ImmStreamOptions extends ImmSelection {
  /** 'dense' (default): a rows*cols Uint16Array per frame; 'sparse': nonzero indices/values. */
  as?: 'dense' | 'sparse';
}

function checkSelection(where: string, sel: ImmSelection | undefined): { first: number; count: number } {
  const first = sel?.first ?? 0;
  const count = sel?.count ?? Infinity;
  if (!Number.isInteger(first) || first < 0)
    invalidArgument(where, 'options.first', `must be a non-negative integer, got ${first}`);
  if (count !== Infinity && (!Number.isInteger(count) || count < 0))
    invalidArgument(where, 'options.count', `must be a non-negative integer, got ${count}`);
  return { first, count };
}

function selectFrames(where: string, file: string, all: ImmFrameLocation[], sel?: ImmSelection): ImmFrameLocation[] {
  const { first, count } = checkSelection(where, sel);
  if (first > all.length || (count !== Infinity && first + count > all.length)) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `${where}: ${file} has ${all.length} frames; cannot select first=${first} count=${count}`,
      { where, file, field: 'options' },
    );
  }
  return all.slice(first, count === Infinity ? undefined : first + count);
}

function commonShape(where: string, file: string, locs: ImmFrameLocation[], firstIndex: number): [number, number] {
  if (locs.length === 0) return [0, 0];
  const { rows, cols } = locs[0].header;
  locs.forEach((l, i) => {
    if (l.header.rows !== rows || l.header.cols !== cols) {
      throw new StagebookError(
        'E_FORMAT',
        `${where}: ${file}: frame ${firstIndex + i} (byte offset ${l.offset}) is ${l.header.rows}x${l.header.cols}, frame ${firstIndex} is ${rows}x${cols}`,
        {
          where,
          file,
          frame: firstIndex + i,
          offset: l.offset,
          field: 'rows',
        },
      );
    }
  });
  return [rows, cols];
}

function stackBuffer(where: string, into: Uint16Array | undefined, n: number): Uint16Array {
  if (into === undefined) return new Uint16Array(n);
  if (!(into instanceof Uint16Array)) invalidArgument(where, 'options.into', 'must be a Uint16Array');
  if (into.length < n) invalidArgument(where, 'options.into', `holds ${into.length} values, the stack needs ${n}`);
  return into.subarray(0, n);
}

/** Reads only the frame headers (and their byte offsets); validates the whole file's framing. */
export async function readImmHeaders(file: string): Promise<Array<ImmFrameHeader & { offset: number }>> {
  return withImmSource('readImmHeaders', file, (src) => src.scan().map((l) => ({ ...l.header, offset: l.offset })));
}

/**
 * Reads an IMM file (dense or sparse frames) into one preallocated Uint16Array [T, H, W]:
 * dense payloads are read straight into the stack, sparse ones scattered into it (one copy).
 * Throws E_TRUNCATED / E_FORMAT naming the file, frame and byte offset.
 */
export async function readImm(file: string, options?: ReadImmOptions): Promise<ImmStack> {
  const where = 'readImm';
  return withImmSource(where, file, (src) => {
    const locs = selectFrames(where, file, src.scan(), options);
    const first = options?.first ?? 0;
    const [rows, cols] = commonShape(where, file, locs, first);
    const pixels = rows * cols;
    const data = stackBuffer(where, options?.into, locs.length * pixels);
    locs.forEach((loc, t) => {
      if (options?.into && loc.header.compression !== 0) data.fill(0, t * pixels, (t + 1) * pixels);
      src.decodeInto(loc, first + t, data, t * pixels);
    });
    return {
      frames: { data, shape: [locs.length, rows, cols] },
      headers: locs.map((l) => l.header),
      sparse: locs.length > 0 && locs[0].header.compression !== 0,
    };
  });
}

/** Nonzero pixels of a dense payload as sparse lists. */
function denseToSparse(values: Uint16Array): { indices: Uint32Array; values: Uint16Array } {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) n++;
  const idx = new Uint32Array(n);
  const val = new Uint16Array(n);
  for (let i = 0, k = 0; i < values.length; i++) {
    if (values[i] !== 0) {
      idx[k] = i;
      val[k++] = values[i];
    }
  }
  return { indices: idx, values: val };
}

function readSparseFrame(
  src: ImmSource,
  loc: ImmFrameLocation,
  frame: number,
): { indices: Uint32Array; values: Uint16Array } {
  const h = loc.header;
  if (h.compression === 0) {
    const dense = new Uint16Array(h.dlen);
    src.decodeInto(loc, frame, dense, 0);
    return denseToSparse(dense);
  }
  const sp = src.sparsePayload(loc, true);
  const pixels = h.rows * h.cols;
  for (let k = 0; k < sp.indices.length; k++) {
    if (sp.indices[k] >= pixels) throw src.badIndex(loc, frame, k, sp.indices[k], pixels);
  }
  return sp;
}

/**
 * Reads an IMM file as a sparse stack (xpcs-eigen keeps sparse frames as per-pixel lists; this
 * is the frame-major equivalent). Dense files are converted to their nonzero pixels.
 */
export async function readImmSparse(file: string, options?: ImmSelection): Promise<ImmSparseStack> {
  const where = 'readImmSparse';
  return withImmSource(where, file, (src) => {
    const locs = selectFrames(where, file, src.scan(), options);
    const first = options?.first ?? 0;
    const [rows, cols] = commonShape(where, file, locs, first);
    const parts = locs.map((loc, t) => readSparseFrame(src, loc, first + t));
    const ptr = new Float64Array(locs.length + 1);
    parts.forEach((p, t) => (ptr[t + 1] = ptr[t] + p.indices.length));
    const total = ptr[locs.length];
    const indices = new Uint32Array(total);
    const values = new Uint16Array(total);
    parts.forEach((p, t) => {
      indices.set(p.indices, ptr[t]);
      values.set(p.values, ptr[t]);
    });
    return { shape: [locs.length, rows, cols], ptr, indices, values, headers: locs.map((l) => l.header) };
  });
}

/**
 * Streams frames one at a time without scanning the file first (memory: one frame). Each
 * yielded array is fresh and may be kept. Truncation is reported when the stream reaches it.
 */
export async function* streamImm(file: string, options?: ImmStreamOptions): AsyncGenerator<ImmFrame, void, undefined> {
  const where = 'streamImm';
  const { first, count } = checkSelection(where, options);
  const as = options?.as ?? 'dense';
  if (as !== 'dense' && as !== 'sparse')
    invalidArgument(where, 'options.as', `must be 'dense' or 'sparse', got ${JSON.stringify(as)}`);
  const src = new ImmSource(where, file);
  try {
    let pos = 0;
    for (let index = 0; pos < src.size && index < first + count; index++) {
      const loc = src.headerAt(index, pos);
      pos += IMM_HEADER_BYTES + immPayloadBytes(loc.header);
      if (index < first) continue;
      if (as === 'sparse') {
        yield { index, offset: loc.offset, header: loc.header, sparse: readSparseFrame(src, loc, index) };
      } else {
        const dense = new Uint16Array(loc.header.rows * loc.header.cols);
        src.decodeInto(loc, index, dense, 0);
        yield { index, offset: loc.offset, header: loc.header, dense };
      }
    }
  } finally {
    src.close();
  }
}
