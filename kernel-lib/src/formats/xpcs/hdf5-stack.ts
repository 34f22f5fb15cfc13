/**
 * HDF5 frame stacks as area detectors write them (`/entry/data/data`, [T, H, W] uint16 or uint32,
 * chunked, gzip or uncompressed), read frame by frame like corr --hdf5 (xpcs-eigen io/hdf5.cpp:
 * one hyperslab per frame; clock and tick are the frame index). A filter h5wasm cannot decode
 * (bitshuffle, LZ4, Blosc, ...) is refused up front naming the filter, not discovered as a read
 * error halfway through. Frames are handed to corr's dense path (so dark frames work; corr itself
 * routes HDF5 input through its sparse path, which has no dark step).
 */
import { StagebookError } from '../../errors/stagebook-error';
import { writeAtomically } from '../hdf5/file-io';
import { h5Reason, loadH5wasm } from '../hdf5/h5wasm';
import type { CorrFrameSource, CorrRawFrame } from '../../numeric/xpcs/corr-source';

export const HDF5_STACK_PATH = '/entry/data/data';

/** Filters h5wasm 0.10 decodes (HDF5 built-ins and the LZF it bundles). */
const DECODABLE = new Map<number, string>([
  [1, 'deflate (gzip)'],
  [2, 'shuffle'],
  [3, 'fletcher32'],
  [5, 'nbit'],
  [6, 'scaleoffset'],
  [32000, 'lzf'],
]);
/** Registered ids of common detector filters, for the error message. */
const KNOWN = new Map<number, string>([
  [4, 'szip'],
  [307, 'bzip2'],
  [32001, 'blosc'],
  [32004, 'lz4'],
  [32008, 'bitshuffle (with LZ4 when cd_values[4] = 2)'],
  [32015, 'zstd'],
  [32017, 'blosc2'],
]);

interface H5Stack {
  shape: number[];
  dtype: string;
  filters: Array<{ id: number; name: string }>;
  slice(ranges: number[][]): ArrayLike<number> | null;
}

export class Hdf5StackCorrSource implements CorrFrameSource {
  position = 0;

  readonly sparse: boolean;

  private constructor(
    readonly file: string,
    private readonly h5: { close(): void },
    private readonly ds: H5Stack,
    asSparse: boolean,
  ) {
    this.sparse = asSparse;
  }

  /** Opens `file` and checks the stack's shape, type and filters. */
  /** `asSparse`: hand frames over as nonzero lists, so corr's sparse path runs (compat mode: corr's HDF5 reader says compression()). */
  static async open(
    file: string,
    options: { where?: string; path?: string; asSparse?: boolean } = {},
  ): Promise<Hdf5StackCorrSource> {
    const where = options.where ?? 'Hdf5StackCorrSource';
    const path = options.path ?? HDF5_STACK_PATH;
    const api = await loadH5wasm();
    let f: { close(): void; get(p: string): unknown };
    try {
      f = new api.File(file, 'r') as unknown as typeof f;
    } catch (e) {
      throw new StagebookError(
        'E_FORMAT',
        `${where}: ${file}: not readable as HDF5: ${h5Reason(e)}`,
        { where, file },
        { cause: e },
      );
    }
    const ds = f.get(path) as H5Stack | null;
    const fail = (why: string, code: 'E_MISSING_DATASET' | 'E_FORMAT' | 'E_UNSUPPORTED' = 'E_FORMAT'): never => {
      f.close();
      throw new StagebookError(code, `${where}: ${file}: ${path}: ${why}`, { where, file, dataset: path });
    };
    if (!ds || !Array.isArray(ds.shape))
      fail('no such dataset (area detectors write the frames there)', 'E_MISSING_DATASET');
    if (ds!.shape.length !== 3) fail(`shape [${ds!.shape}], expected [frames, H, W]`);
    if (!['<H', '<I', '<B', '>H', '>I'].includes(ds!.dtype))
      fail(`element type ${ds!.dtype}, expected unsigned 8/16/32-bit counts`, 'E_UNSUPPORTED');
    for (const flt of ds!.filters ?? []) {
      if (!DECODABLE.has(flt.id))
        fail(
          `compressed with filter ${flt.id} (${KNOWN.get(flt.id) ?? flt.name}), which h5wasm cannot decode; rewrite it with gzip or without compression (e.g. h5repack -f GZIP=4)`,
          'E_UNSUPPORTED',
        );
    }
    return new Hdf5StackCorrSource(file, f, ds!, options.asSparse ?? false);
  }

  get frameCount(): number {
    return this.ds.shape[0];
  }

  get frameShape(): [number, number] {
    return [this.ds.shape[1], this.ds.shape[2]];
  }

  next(): CorrRawFrame {
    const k = this.position;
    if (k >= this.frameCount)
      throw new StagebookError(
        'E_TRUNCATED',
        `Hdf5StackCorrSource: ${this.file}: frame ${k + 1} requested but the stack holds ${this.frameCount}`,
        { where: 'Hdf5StackCorrSource', file: this.file, frame: k + 1 },
      );
    let dense: ArrayLike<number> | null;
    try {
      dense = this.ds.slice([[k, k + 1], [], []]);
    } catch (e) {
      throw new StagebookError(
        'E_FORMAT',
        `Hdf5StackCorrSource: ${this.file}: frame ${k} cannot be read: ${h5Reason(e)}`,
        { where: 'Hdf5StackCorrSource', file: this.file, frame: k },
        { cause: e },
      );
    }
    this.position++;
    if (!this.sparse) return { elapsed: k, tick: k, dense: dense! };
    const indices: number[] = [];
    const values: number[] = [];
    for (let p = 0; p < dense!.length; p++)
      if (dense![p] !== 0) {
        indices.push(p);
        values.push(dense![p]);
      }
    return { elapsed: k, tick: k, indices, values };
  }

  skip(n: number): void {
    this.position += n;
  }

  rewind(): void {
    this.position = 0;
  }

  close(): void {
    this.h5.close();
  }
}

/** Writes a [T, H, W] uint16 stack at /entry/data/data, one chunk per frame, gzip level 4 or uncompressed. */
export async function writeHdf5FrameStack(
  file: string,
  data: Uint16Array,
  shape: [number, number, number],
  options: { compression?: 'gzip' | null } = {},
): Promise<void> {
  const api = await loadH5wasm();
  await writeAtomically('writeHdf5FrameStack', file, (tmp) => {
    const f = new api.File(tmp, 'w') as unknown as {
      create_group(n: string): { create_group(n: string): { create_dataset(a: object): unknown } };
      close(): void;
    };
    try {
      const g = f.create_group('entry').create_group('data');
      const gz = (options.compression ?? 'gzip') === 'gzip';
      g.create_dataset({
        name: 'data',
        data,
        shape,
        dtype: '<H',
        chunks: [1, shape[1], shape[2]],
        ...(gz ? { compression: 'gzip', compression_opts: 4 } : {}),
      });
    } finally {
      f.close();
    }
  });
}
