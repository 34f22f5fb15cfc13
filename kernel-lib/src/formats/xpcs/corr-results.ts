/**
 * Writes the datasets of an `xpcsCorr` run under the output group (corr's H5Result,
 * xpcs-eigen h5_result.cpp), either into a new file with the configuration copied, or into the
 * configuration file itself as corr does (in place, but atomically: the whole file is rewritten
 * to a temp sibling and renamed, so a crash leaves the original untouched).
 * Values are float64 (corr writes float32; the legacy readers accept both).
 */
import { withHdf5, type Hdf5Reader } from '../hdf5/reader';
import { writeHdf5, type Hdf5DatasetSpec, type Hdf5Dtype } from '../hdf5/writer';
import { HDF5_DTYPE_OF_NUMPY } from '../hdf5/numpy-dtypes';
import type { CorrDataset } from '../../numeric/xpcs/corr-twotime';

const DTYPE_OF = HDF5_DTYPE_OF_NUMPY;

/** Every dataset of an open file outside `skipPrefix`, as specs (strings stay strings). */
function copySpecs(r: Hdf5Reader, where: string, keep: (p: string) => boolean): Hdf5DatasetSpec[] {
  return r
    .datasetPaths()
    .filter(keep)
    .map((p) => {
      const d = r.read(p, where);
      const dtype = typeof d.value === 'string' || Array.isArray(d.value) ? undefined : (DTYPE_OF[d.dtype] ?? 'f8');
      return { path: p, data: d.value, shape: d.shape, dtype };
    });
}

export function corrResultSpecs(datasets: Map<string, CorrDataset>, outputData: string): Hdf5DatasetSpec[] {
  const g = outputData.replace(/\/+$/, '');
  return [...datasets].map(([name, d]) => ({ path: `${g}/${name}`, data: d.data, shape: d.shape }));
}

export interface WriteXpcsCorrResultsOptions {
  /** Result group (default /exchange). */
  outputData?: string;
  /**
   * File whose datasets are carried over. In place (`target === sourceFile`), everything but the
   * old result group is kept; otherwise only `/xpcs` and `/measurement` are copied.
   */
  sourceFile?: string;
}

export async function writeXpcsCorrResults(
  target: string,
  datasets: Map<string, CorrDataset>,
  options: WriteXpcsCorrResultsOptions = {},
): Promise<void> {
  const where = 'writeXpcsCorrResults';
  const outputData = options.outputData ?? '/exchange';
  const prefix = outputData.replace(/\/+$/, '') + '/';
  const inPlace = options.sourceFile !== undefined && options.sourceFile === target;
  const keep = (p: string) =>
    !p.startsWith(prefix) && (inPlace || p.startsWith('/xpcs/') || p.startsWith('/measurement/'));
  const carried = options.sourceFile ? await withHdf5(options.sourceFile, (r) => copySpecs(r, where, keep), where) : [];
  await writeHdf5(target, [...carried, ...corrResultSpecs(datasets, outputData)]);
}
