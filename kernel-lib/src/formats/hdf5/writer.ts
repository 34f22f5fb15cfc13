/**
 * Write side of the h5wasm wrapper: a list of datasets (path, data, shape, dtype, attributes)
 * becomes a new HDF5 file. Groups are created as needed. The file is written under a temporary
 * name and renamed on success, so a failure halfway leaves nothing at the target. Object headers carry
 * no wall-clock times (see withFixedClock): writing the same datasets twice gives identical bytes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StagebookError, invalidArgument } from '../../errors/stagebook-error';
import { h5Reason, loadH5wasm, withFixedClock, type H5File, type H5Group } from './h5wasm';
import { writeAtomically } from './file-io';
import { withHdf5, type Hdf5NumericArray } from './reader';

/** HDF5 element types we write (numpy names). */
export type Hdf5Dtype = 'f8' | 'f4' | 'i8' | 'i4' | 'u4' | 'i2' | 'u2' | 'i1' | 'u1';

export interface Hdf5DatasetSpec {
  /** Absolute dataset path, e.g. "/exchange/norm-0-g2". */
  path: string;
  /** Numbers (C order), a single number, a string or strings. */
  data: Hdf5NumericArray | number[] | number | string | string[];
  /** HDF5 shape; default [n] for arrays, [] for scalars. Its product must equal the length. */
  shape?: number[];
  /** Element type; default from the typed array (number/number[] give 'f8'). */
  dtype?: Hdf5Dtype;
  /** Scalar attributes on the dataset. */
  attrs?: Record<string, number | string>;
}

const H5_DTYPE: Record<Hdf5Dtype, string> = {
  f8: '<d',
  f4: '<f',
  i8: '<q',
  i4: '<i',
  u4: '<I',
  i2: '<h',
  u2: '<H',
  i1: '<b',
  u1: '<B',
};

function inferDtype(data: Hdf5DatasetSpec['data']): Hdf5Dtype | undefined {
  if (data instanceof Float32Array) return 'f4';
  if (data instanceof Int32Array) return 'i4';
  if (data instanceof Uint32Array) return 'u4';
  if (data instanceof Int16Array) return 'i2';
  if (data instanceof Uint16Array) return 'u2';
  if (data instanceof Int8Array) return 'i1';
  if (data instanceof Uint8Array) return 'u1';
  if (typeof data === 'string' || (Array.isArray(data) && typeof data[0] === 'string')) return undefined;
  return 'f8';
}

/** Converts data to what h5wasm wants for `dtype` (int64 needs a BigInt64Array). */
function h5Data(where: string, spec: Hdf5DatasetSpec, dtype: Hdf5Dtype): unknown {
  const d = spec.data;
  const arr = typeof d === 'number' ? [d] : (d as ArrayLike<number>);
  if (dtype === 'i8') {
    return BigInt64Array.from(Array.from(arr), (x) => {
      if (!Number.isSafeInteger(x)) invalidArgument(where, spec.path, `int64 dataset needs safe integers, got ${x}`);
      return BigInt(x);
    });
  }
  const Ctor = {
    f8: Float64Array,
    f4: Float32Array,
    i4: Int32Array,
    u4: Uint32Array,
    i2: Int16Array,
    u2: Uint16Array,
    i1: Int8Array,
    u1: Uint8Array,
  }[dtype];
  return arr instanceof Ctor ? arr : Ctor.from(arr);
}

function checkSpec(where: string, spec: Hdf5DatasetSpec, i: number): { shape: number[]; dtype?: Hdf5Dtype } {
  const field = `datasets[${i}]`;
  if (
    typeof spec?.path !== 'string' ||
    !spec.path.startsWith('/') ||
    spec.path.endsWith('/') ||
    spec.path.includes('//')
  ) {
    invalidArgument(
      where,
      `${field}.path`,
      `must be an absolute dataset path like "/exchange/tau", got ${JSON.stringify(spec?.path)}`,
    );
  }
  const d = spec.data;
  const n = typeof d === 'number' || typeof d === 'string' ? 1 : d?.length;
  if (n === undefined) invalidArgument(where, `${field}.data`, `${spec.path}: data must be numbers or strings`);
  const shape = spec.shape ?? (typeof d === 'number' || typeof d === 'string' ? [] : [n]);
  if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0))
    invalidArgument(
      where,
      `${field}.shape`,
      `${spec.path}: shape must be non-negative integers, got ${JSON.stringify(shape)}`,
    );
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== n)
    invalidArgument(where, `${field}.shape`, `${spec.path}: shape [${shape}] holds ${size} values but data has ${n}`);
  const dtype = spec.dtype ?? inferDtype(d);
  if (spec.dtype !== undefined && !(spec.dtype in H5_DTYPE))
    invalidArgument(where, `${field}.dtype`, `${spec.path}: unknown dtype ${JSON.stringify(spec.dtype)}`);
  if (dtype !== undefined && (typeof d === 'string' || (Array.isArray(d) && typeof d[0] === 'string')))
    invalidArgument(where, `${field}.dtype`, `${spec.path}: strings take no numeric dtype`);
  return { shape, dtype };
}

function ensureGroup(root: H5Group, groupPath: string): H5Group {
  let g = root;
  for (const part of groupPath.split('/').filter(Boolean)) {
    const next = g.keys().includes(part) ? g.get(part) : g.create_group(part);
    if (!next || next.type !== 'Group') throw new Error(`${part} in ${groupPath} exists and is not a group`);
    g = next as H5Group;
  }
  return g;
}

function writeOne(
  f: H5File,
  spec: Hdf5DatasetSpec,
  shape: number[],
  dtype: Hdf5Dtype | undefined,
  where: string,
): void {
  const parent = ensureGroup(f, path.posix.dirname(spec.path));
  const name = path.posix.basename(spec.path);
  const data = dtype === undefined ? spec.data : h5Data(where, spec, dtype);
  const ds = parent.create_dataset({ name, data, shape, dtype: dtype === undefined ? null : H5_DTYPE[dtype] });
  for (const [k, v] of Object.entries(spec.attrs ?? {})) ds.create_attribute(k, v);
}

export interface WriteHdf5Options {
  /** Attributes on the root group. */
  rootAttrs?: Record<string, number | string>;
  /**
   * Start from a byte copy of this HDF5 file and add the datasets to it, so every object of the
   * base keeps its exact types (big-endian, fixed-length strings) and attributes, which h5wasm
   * could not re-create. A dataset path that already exists in the base is refused.
   */
  base?: string;
}

/** Refuses datasets that already exist (as dataset or group) in the base file. */
async function checkBase(where: string, base: string, datasets: Hdf5DatasetSpec[]): Promise<void> {
  const taken = await withHdf5(
    base,
    (r) => datasets.map((s) => s.path).filter((p) => r.has(p, where) || r.hasGroup(p, where)),
    where,
  );
  if (taken.length) invalidArgument(where, 'options.base', `${path.resolve(base)} already holds ${taken.join(', ')}`);
}

/**
 * Writes `datasets` to a new HDF5 file at `file` (replacing it only on success).
 * Throws E_INVALID_ARGUMENT for a bad spec before anything is written, E_WRITE_FAILED naming the
 * dataset if HDF5 fails halfway (the target is then untouched).
 */
export async function writeHdf5(
  file: string,
  datasets: Hdf5DatasetSpec[],
  options: WriteHdf5Options = {},
): Promise<void> {
  const where = 'writeHdf5';
  if (!Array.isArray(datasets)) invalidArgument(where, 'datasets', 'must be an array of dataset specs');
  const checked = datasets.map((s, i) => checkSpec(where, s, i));
  const seen = new Set<string>();
  for (const s of datasets) {
    if (seen.has(s.path)) invalidArgument(where, 'datasets', `${s.path} appears twice`);
    seen.add(s.path);
  }
  if (options.base !== undefined) {
    if (typeof options.base !== 'string' || options.base === '')
      invalidArgument(where, 'options.base', 'must be a path to an HDF5 file');
    await checkBase(where, options.base, datasets);
  }
  const api = await loadH5wasm();
  await writeAtomically(where, file, (tmp) => {
    if (options.base !== undefined) fs.copyFileSync(options.base, tmp);
    withFixedClock(() => {
      const f = new api.File(tmp, options.base !== undefined ? 'a' : 'w');
      let current = '/';
      try {
        for (const [k, v] of Object.entries(options.rootAttrs ?? {})) f.create_attribute(k, v);
        datasets.forEach((s, i) => {
          current = s.path;
          writeOne(f, s, checked[i].shape, checked[i].dtype, where);
        });
        f.flush();
      } catch (e) {
        throw new StagebookError(
          'E_WRITE_FAILED',
          `${where}: ${path.resolve(file)}: writing dataset ${current} failed (nothing written): ${h5Reason(e)}`,
          { where, file: path.resolve(file), dataset: current },
          { cause: e },
        );
      } finally {
        f.close();
      }
    });
  });
}
