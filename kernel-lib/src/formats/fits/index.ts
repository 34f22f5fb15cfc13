/**
 * FITS for stagebook (astropy.io.fits is the reference): read/write images, BINTABLE, ASCII TABLE
 * (read), ordered headers, checksums, and tile-compressed `.fits.fz` images.
 */
export { FitsHeader } from './header';
export type { FitsCardInput } from './header';
export type { FitsCard, FitsValue, FitsValueKind, FitsComplex } from './card';
export type { FitsImageData, Bitpix } from './image';
export { FitsHdu } from './hdu';
export type { FitsHduKind, FitsImage, ReadTableOptions, ChecksumStatus } from './hdu';
export type { FitsTable, FitsColumn, FitsColumnValues, FitsVlaValue } from './bintable';
export type { FitsGroups, FitsGroupParameter } from './groups';
export { FitsFile, openFits, readFits, readFitsHeader } from './file';
export type { ReadFitsOptions, OpenFitsOptions, FitsHduContent } from './file';
export { writeFits } from './write';
export { fitsCreationDate } from './creation-date';
export { verifyFits } from './verify';
export type { FitsVerifyIssue, FitsVerifyReport } from './verify';
export type { FitsHduInput, FitsImageInput, FitsTableInput, WriteFitsOptions } from './write';
export type { FitsColumnInput } from './bintable-write';
export type { FitsErrorCode, FitsLocation } from './errors';
export { rewritePrimaryHeader, hduDataIdentical } from './header-update';
