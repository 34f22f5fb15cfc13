/**
 * Rewrites an HDF5 configuration with some datasets replaced or added (atomic: temp + rename).
 * writeXpcsLegacyConfig writes the common fields; this adds the preprocessing ones (dark range,
 * lld, sigma, stride/avg, flat field) without widening that writer.
 */
import { withHdf5 } from '../hdf5/reader';
import { writeHdf5, type Hdf5DatasetSpec, type Hdf5Dtype } from '../hdf5/writer';
import { HDF5_DTYPE_OF_NUMPY } from '../hdf5/numpy-dtypes';

const DTYPE_OF = HDF5_DTYPE_OF_NUMPY;

export async function editXpcsConfig(file: string, changes: Hdf5DatasetSpec[]): Promise<void> {
  const replaced = new Set(changes.map((c) => c.path));
  const kept = await withHdf5(
    file,
    (r) =>
      r
        .datasetPaths()
        .filter((p) => !replaced.has(p))
        .map((p): Hdf5DatasetSpec => {
          const d = r.read(p, 'editXpcsConfig');
          const dtype = typeof d.value === 'string' || Array.isArray(d.value) ? undefined : (DTYPE_OF[d.dtype] ?? 'f8');
          return { path: p, data: d.value, shape: d.shape, dtype };
        }),
    'editXpcsConfig',
  );
  await writeHdf5(file, [...kept, ...changes]);
}
