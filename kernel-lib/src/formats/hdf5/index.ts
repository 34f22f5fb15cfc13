// HDF5 through h5wasm (loaded lazily): reader, writer, atomic file helpers.
export { Hdf5Reader, withHdf5 } from './reader';
export type { Hdf5Data, Hdf5Dataset, Hdf5NumericArray } from './reader';
export { writeHdf5 } from './writer';
export type { Hdf5DatasetSpec, Hdf5Dtype, WriteHdf5Options } from './writer';
export { checkSuperblock } from './superblock';
export type { SuperblockInfo } from './superblock';
export { writeAtomically } from './file-io';
