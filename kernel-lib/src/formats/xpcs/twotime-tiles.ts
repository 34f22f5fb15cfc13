/**
 * Results file whose two-time maps are written as they are produced: `C2T_all/g2_%05d` are chunked
 * datasets grown row block by row block (h5wasm resize + write_slice), so the N x N maps never sit
 * whole in memory. The file is built at a temp sibling and renamed at the end (atomic, in place
 * or not, as writeXpcsCorrResults).
 */
import { writeAtomically } from '../hdf5/file-io';
import { loadH5wasm, type H5Group } from '../hdf5/h5wasm';
import { withHdf5 } from '../hdf5/reader';
import { writeHdf5, type Hdf5DatasetSpec, type Hdf5Dtype } from '../hdf5/writer';
import { HDF5_DTYPE_OF_NUMPY } from '../hdf5/numpy-dtypes';
import type { CorrDataset } from '../../numeric/xpcs/corr-twotime';
import type { TwoTimeTileSink } from '../../numeric/xpcs/corr-twotime-stream';
import type { WriteXpcsCorrResultsOptions } from './corr-results';

/** The parts of h5wasm's API used here beyond formats/hdf5/h5wasm.ts's typing. */
interface H5Growable {
  resize(shape: number[]): number;
  write_slice(ranges: Array<[number, number]>, data: Float64Array): void;
}
type H5GroupFull = H5Group & {
  create_dataset(args: {
    name: string;
    data: unknown;
    shape?: number[] | null;
    dtype?: string | null;
    maxshape?: Array<number | null>;
    chunks?: number[];
  }): unknown;
  create_group(name: string): H5GroupFull;
};

const DTYPE_OF = HDF5_DTYPE_OF_NUMPY;

function group(root: H5GroupFull, p: string): H5GroupFull {
  let g = root;
  for (const part of p.split('/').filter(Boolean))
    g = (g.keys().includes(part) ? g.get(part) : g.create_group(part)) as H5GroupFull;
  return g;
}

/**
 * Runs `produce(sink)` (e.g. xpcsTwoTimeStream) with a sink writing C2T rows into the file, then
 * writes the datasets it returns; carries the source file's datasets like writeXpcsCorrResults.
 */
export async function writeTwoTimeStreamed(
  target: string,
  frames: number,
  produce: (sink: TwoTimeTileSink) => Map<string, CorrDataset>,
  options: WriteXpcsCorrResultsOptions = {},
): Promise<void> {
  const where = 'writeTwoTimeStreamed';
  const outputData = (options.outputData ?? '/exchange').replace(/\/+$/, '');
  const inPlace = options.sourceFile !== undefined && options.sourceFile === target;
  const keep = (p: string) =>
    !p.startsWith(outputData + '/') && (inPlace || p.startsWith('/xpcs/') || p.startsWith('/measurement/'));
  const carried: Hdf5DatasetSpec[] = options.sourceFile
    ? await withHdf5(
        options.sourceFile,
        (r) =>
          r
            .datasetPaths()
            .filter(keep)
            .map((p) => {
              const d = r.read(p, where);
              const dtype =
                typeof d.value === 'string' || Array.isArray(d.value) ? undefined : (DTYPE_OF[d.dtype] ?? 'f8');
              return { path: p, data: d.value, shape: d.shape, dtype };
            }),
        where,
      )
    : [];
  const api = await loadH5wasm();
  await writeAtomically(where, target, async (tmp) => {
    await writeHdf5(tmp, carried);
    const f = new api.File(tmp, 'a');
    try {
      const root = f as unknown as H5GroupFull;
      const maps = group(root, `${outputData}/C2T_all`);
      const open = new Map<number, H5Growable>();
      const sink: TwoTimeTileSink = {
        rows(q, i0, i1, data) {
          let ds = open.get(q);
          if (!ds) {
            const chunkRows = Math.max(1, Math.min(frames, Math.floor(2 ** 20 / Math.max(1, frames))));
            ds = maps.create_dataset({
              name: `g2_${String(q).padStart(5, '0')}`,
              data: new Float64Array(0),
              shape: [0, frames],
              maxshape: [null, frames],
              chunks: [chunkRows, frames],
              dtype: '<d',
            }) as H5Growable;
            open.set(q, ds);
          }
          ds.resize([i1, frames]);
          ds.write_slice(
            [
              [i0, i1],
              [0, frames],
            ],
            data,
          );
        },
      };
      const rest = produce(sink);
      for (const [name, d] of rest) {
        const parent = group(root, `${outputData}/${name}`.split('/').slice(0, -1).join('/'));
        parent.create_dataset({ name: name.split('/').pop()!, data: d.data, shape: d.shape, dtype: '<d' });
      }
      f.flush();
    } finally {
      f.close();
    }
  });
}
