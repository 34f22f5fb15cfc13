/**
 * Read side of the h5wasm wrapper: open (with superblock/truncation check), list, read datasets
 * into plain typed arrays with their HDF5 shape, and StagebookErrors naming file and dataset.
 * Values follow h5py's conventions: numeric scalars become numbers, arrays typed arrays in
 * C order, strings (fixed or variable length) JS strings. 64-bit integers become Float64Array
 * (exact up to 2^53, like JSON).
 */
import * as path from 'node:path';
import { StagebookError } from '../../errors/stagebook-error';
import { h5Reason, loadH5wasm, type H5Dataset, type H5File, type H5Group } from './h5wasm';
import { checkSuperblock } from './superblock';

/** Numeric array types a dataset can be read as. */
export type Hdf5NumericArray =
  Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

/** A dataset's value: number (numeric scalar), typed array, string or string[]. */
export type Hdf5Data = number | string | string[] | Hdf5NumericArray;

export interface Hdf5Dataset {
  /** Absolute path, e.g. "/exchange/tau". */
  path: string;
  /** HDF5 shape ([] for a scalar). */
  shape: number[];
  /** h5wasm dtype string, e.g. "<f8"-style "<d", "<i", "S", "A8". */
  dtype: string;
  value: Hdf5Data;
}

function normalisePath(p: string): string {
  return '/' + p.split('/').filter(Boolean).join('/');
}

function convertValue(v: unknown): Hdf5Data | undefined {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Float64Array.from(v, (x) => Number(x));
  if (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof Uint8ClampedArray))
    return v as Hdf5NumericArray;
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  return undefined;
}

/** An open HDF5 file (read-only). Close it when done, or use `withHdf5`. */
export class Hdf5Reader {
  private constructor(
    readonly file: string,
    private readonly h5: H5File,
  ) {}

  /** Opens `file` read-only; E_FILE_NOT_FOUND, E_FORMAT (not HDF5 / unreadable) or E_TRUNCATED. */
  static async open(file: string, where = 'openHdf5'): Promise<Hdf5Reader> {
    const abs = path.resolve(file);
    checkSuperblock(where, abs);
    const api = await loadH5wasm();
    try {
      return new Hdf5Reader(abs, new api.File(abs, 'r'));
    } catch (e) {
      throw new StagebookError(
        'E_FORMAT',
        `${where}: ${abs}: HDF5 cannot open the file: ${h5Reason(e)}`,
        { where, file: abs },
        { cause: e },
      );
    }
  }

  close(): void {
    this.guard('Hdf5Reader.close', '/', 'close the file at', () => this.h5.close());
  }

  /**
   * Runs one h5wasm call; an HDF5 failure (a corrupt B-tree, heap or object header raises
   * "HDF5-DIAG ... H5Lvisit2(): link visitation failed" and the like) becomes E_FORMAT naming the
   * file and the HDF5 path, never a plain Error and never "missing".
   */
  private guard<T>(where: string, p: string, what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof StagebookError) throw e;
      throw new StagebookError(
        'E_FORMAT',
        `${where}: ${this.file}: HDF5 cannot ${what} ${p} (the file is corrupt): ${h5Reason(e)}`,
        { where, file: this.file, hdf5Path: p, field: p },
        { cause: e },
      );
    }
  }

  /** The object at an absolute path, or null when a link on the way is absent (HDF5 errors propagate). */
  private lookup(where: string, p: string): H5Group | H5Dataset | null {
    const parts = normalisePath(p).split('/').filter(Boolean);
    let node: H5Group | H5Dataset = this.h5;
    let at = '';
    for (const part of parts) {
      if (node.type !== 'Group') return null;
      const group = node as H5Group;
      const names = this.guard(where, at || '/', 'list the group', () => group.keys());
      if (!names.includes(part)) return null;
      at += `/${part}`;
      const next = this.guard(where, at, 'open', () => group.get(part));
      if (!next) return null;
      node = next;
    }
    return node;
  }

  /** Every object path (groups and datasets), absolute, in HDF5 order. */
  paths(where = 'Hdf5Reader.paths'): string[] {
    try {
      return this.h5.paths().map(normalisePath);
    } catch (e) {
      // Walk the tree ourselves to name the group that cannot be listed, then report the original failure.
      this.walk(where, '/');
      return this.guard(where, '/', 'list the objects under', () => {
        throw e;
      });
    }
  }

  private walk(where: string, group: string): void {
    const node = this.lookup(where, group) as H5Group | null;
    if (!node || node.type !== 'Group') return;
    for (const name of this.guard(where, group, 'list the group', () => node.keys())) {
      const child = group === '/' ? `/${name}` : `${group}/${name}`;
      const obj = this.guard(where, child, 'open', () => node.get(name));
      if (obj?.type === 'Group') this.walk(where, child);
    }
  }

  /** Absolute paths of all datasets. */
  datasetPaths(where = 'Hdf5Reader.datasetPaths'): string[] {
    return this.paths(where).filter((p) => this.guard(where, p, 'open', () => this.h5.get(p))?.type === 'Dataset');
  }

  /** True when a dataset exists at `p` (false when absent; E_FORMAT when the file is corrupt on the way). */
  has(p: string, where = 'Hdf5Reader.has'): boolean {
    return this.lookup(where, p)?.type === 'Dataset';
  }

  /** True when a group exists at `p`. */
  hasGroup(p: string, where = 'Hdf5Reader.hasGroup'): boolean {
    return this.lookup(where, p)?.type === 'Group';
  }

  private dataset(where: string, p: string): H5Dataset {
    const abs = normalisePath(p);
    const obj = this.lookup(where, abs);
    if (!obj || obj.type !== 'Dataset') {
      throw new StagebookError('E_MISSING_DATASET', `${where}: ${this.file}: dataset ${abs} is missing`, {
        where,
        file: this.file,
        dataset: abs,
        field: abs,
      });
    }
    return obj as H5Dataset;
  }

  /** Shape of the dataset at `p` without reading it. */
  shapeOf(p: string, where = 'Hdf5Reader.shapeOf'): number[] {
    const ds = this.dataset(where, p);
    return this.guard(where, normalisePath(p), 'read the shape of', () => ds.shape) ?? [];
  }

  /** Reads the dataset at `p`; E_MISSING_DATASET if absent, E_FORMAT if its type is unsupported or unreadable. */
  read(p: string, where = 'Hdf5Reader.read'): Hdf5Dataset {
    const abs = normalisePath(p);
    const ds = this.dataset(where, abs);
    const raw = this.guard(where, abs, 'read the dataset', () => ds.value);
    const dtype = this.guard(where, abs, 'read the type of', () => ds.dtype);
    const value = convertValue(raw);
    if (value === undefined) {
      // `unsupportedType` lets callers that skip exotic types (compound, references) tell them from corruption.
      throw new StagebookError(
        'E_FORMAT',
        `${where}: ${this.file}: dataset ${abs} has an unsupported type (${JSON.stringify(dtype)})`,
        { where, file: this.file, dataset: abs, unsupportedType: true },
      );
    }
    const shape = this.guard(where, abs, 'read the shape of', () => ds.shape) ?? [];
    return { path: abs, shape, dtype: typeof dtype === 'string' ? dtype : JSON.stringify(dtype), value };
  }

  /** Reads a numeric dataset as Float64Array (scalars give length 1) plus its shape. */
  readNumeric(p: string, where = 'Hdf5Reader.readNumeric'): { data: Float64Array; shape: number[] } {
    const d = this.read(p, where);
    if (typeof d.value === 'number') return { data: Float64Array.of(d.value), shape: d.shape };
    if (typeof d.value === 'string' || Array.isArray(d.value)) {
      throw new StagebookError(
        'E_FORMAT',
        `${where}: ${this.file}: dataset ${d.path} holds strings, expected numbers`,
        { where, file: this.file, dataset: d.path },
      );
    }
    return { data: d.value instanceof Float64Array ? d.value : Float64Array.from(d.value), shape: d.shape };
  }

  /** Reads a dataset holding one number (scalar or a single-element array such as (1,1)). */
  readScalar(p: string, where = 'Hdf5Reader.readScalar'): number {
    const { data, shape } = this.readNumeric(p, where);
    if (data.length !== 1) {
      throw new StagebookError(
        'E_INVALID_SHAPE',
        `${where}: ${this.file}: dataset ${normalisePath(p)} has shape [${shape}], expected one value`,
        { where, file: this.file, dataset: normalisePath(p) },
      );
    }
    return data[0];
  }

  /** Reads a dataset holding one string (scalar or one-element array). */
  readString(p: string, where = 'Hdf5Reader.readString'): string {
    const d = this.read(p, where);
    const v = Array.isArray(d.value) && d.value.length === 1 ? d.value[0] : d.value;
    if (typeof v !== 'string') {
      throw new StagebookError('E_FORMAT', `${where}: ${this.file}: dataset ${d.path} is not a string`, {
        where,
        file: this.file,
        dataset: d.path,
      });
    }
    return v;
  }

  /** Attributes of the object at `p` that convert to plain values. */
  attrs(p: string, where = 'Hdf5Reader.attrs'): Record<string, Hdf5Data> {
    const abs = normalisePath(p);
    const obj = this.lookup(where, abs) as H5Dataset | null;
    const out: Record<string, Hdf5Data> = {};
    if (!obj) return out;
    for (const [k, a] of Object.entries(this.guard(where, abs, 'read the attributes of', () => obj.attrs))) {
      const v = convertValue(this.guard(where, `${abs} attribute ${k}`, 'read', () => a.value));
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
}

/** Opens `file`, runs `fn`, and always closes the file. */
export async function withHdf5<T>(file: string, fn: (r: Hdf5Reader) => T | Promise<T>, where = 'withHdf5'): Promise<T> {
  const r = await Hdf5Reader.open(file, where);
  let result: T;
  try {
    result = await fn(r);
  } catch (e) {
    try {
      r.close();
    } catch {
      /* the first failure is the one to report */
    }
    throw e;
  }
  r.close();
  return result;
}
