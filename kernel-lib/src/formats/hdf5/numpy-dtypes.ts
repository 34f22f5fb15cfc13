/**
 * numpy dtype strings (as h5wasm reports a dataset's `dtype`) to the writer's dtype names: the one
 * table the XPCS writers use when they copy or extend a dataset with its own type.
 */
import type { Hdf5Dtype } from './writer';

export const HDF5_DTYPE_OF_NUMPY: Readonly<Record<string, Hdf5Dtype>> = {
  '<d': 'f8',
  '<f': 'f4',
  '<q': 'i8',
  '<i': 'i4',
  '<I': 'u4',
  '<h': 'i2',
  '<H': 'u2',
  '<b': 'i1',
  '<B': 'u1',
};
