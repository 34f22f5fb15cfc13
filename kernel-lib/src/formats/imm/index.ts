// IMM (XPCS-Eigen detector format): readers, stream, writer.
export {
  IMM_HEADER_BYTES,
  IMM_COMPRESSION_SPARSE,
  IMM_VERSION,
  decodeImmHeader,
  encodeImmHeader,
  defaultImmHeader,
  immPayloadBytes,
} from './header';
export type { ImmFrameHeader, ImmPv } from './header';
export { readImm, readImmSparse, readImmHeaders, streamImm } from './reader';
export type { ImmSelection, ReadImmOptions, ImmStack, ImmSparseStack, ImmFrame, ImmStreamOptions } from './reader';
export { writeImm } from './writer';
export type { WriteImmOptions } from './writer';
