// XPCS file layouts: legacy config/results (/xpcs, /measurement, /exchange), NeXus, metadata, QC.
export { readXpcsLegacyConfig, xpcsLegacyConfigFrom } from './legacy-config';
export type { XpcsLegacyConfig, XpcsMap, XpcsDetectorGeometry } from './legacy-config';
export { writeXpcsLegacyResults, readXpcsLegacyResults, xpcsLegacyResultSpecs } from './legacy-results';
export type { XpcsLegacyResults, XpcsLegacyResultArrays, WriteXpcsResultsOptions, ShapedArray } from './legacy-results';
export { detectXpcsLayout, xpcsLayoutOf, readXpcsNexus, xpcsNexusFrom, XPCS_NEXUS_PATHS } from './nexus';
export type { XpcsLayout, XpcsNexusData, XpcsNexusKey } from './nexus';
export {
  flattenXpcsMetadata,
  xpcsMetadataFrom,
  cleanXpcsMetadata,
  xpcsMetadataKey,
  apsCycleFromRootFolder,
  XPCS_SPOILED_KEYS,
  XPCS_PILOT_DROPPED_KEYS,
} from './metadata';
export type { XpcsMetadata, XpcsMetadataValue, FlattenXpcsMetadataOptions } from './metadata';
export { checkXpcsFile, xpcsQcFrom, XPCS_QC_CHECKLIST } from './qc';
export type { XpcsQcItem, XpcsQcOptions, XpcsQcReport } from './qc';
export { writeXpcsLegacyConfig } from './legacy-config-write';
export type { XpcsLegacyConfigInput } from './legacy-config-write';
export { readXpcsCorrConfig, xpcsCorrConfigFrom, checkCompression, XPCS_CORR_FIELDS } from './corr-config';
export type { XpcsCorrConfig, ReadXpcsCorrConfigOptions } from './corr-config';
export { writeXpcsCorrResults, corrResultSpecs } from './corr-results';
export type { WriteXpcsCorrResultsOptions } from './corr-results';
export { ImmCorrSource } from './imm-corr-source';
export { writeTwoTimeStreamed } from './twotime-tiles';
export { RigakuCorrSource, writeRigakuBin } from './rigaku';
export { Hdf5StackCorrSource, writeHdf5FrameStack, HDF5_STACK_PATH } from './hdf5-stack';
export { writeXpcsNexusResults, xpcsNexusSpecs } from './nexus-write';
export type { XpcsNexusWriteInput } from './nexus-write';
export { checkXpcsFileAps, xpcsApsQcFrom, XPCS_APS_QC_LIST } from './qc-aps';
export type { XpcsApsQcItem, XpcsApsQcReport } from './qc-aps';
export { editXpcsConfig } from './config-edit';
