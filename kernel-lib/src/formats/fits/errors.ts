/**
 * FITS error helpers. Every FITS failure is a StagebookError whose context names the file, the
 * HDU index and, where known, the byte offset or the 1-based card number, so a notebook user can
 * find the broken spot with a hex viewer or `fitsverify`.
 *
 * Codes (to be listed in StagebookErrorCode by the lead):
 * - E_FITS_TRUNCATED: the file ends before a header END card or before the end of a data unit.
 * - E_FITS_CARD: a header card cannot be parsed (bad characters, bad value, bad CONTINUE).
 * - E_FITS_BITPIX: BITPIX (or ZBITPIX) is not one of 8, 16, 32, 64, -32, -64.
 * - E_FITS_FORMAT: any other structural violation (missing SIMPLE/XTENSION, bad NAXIS, bad TFORM...).
 * - E_FITS_UNSUPPORTED: valid FITS that this reader does not implement (e.g. an unknown ZCMPTYPE).
 * - E_FITS_CHECKSUM: CHECKSUM/DATASUM verification failed.
 * - E_FITS_IO: the operating system refused a read or write.
 */
import { StagebookError, StagebookErrorContext } from '../../errors/stagebook-error';

export type FitsErrorCode =
  | 'E_FITS_TRUNCATED'
  | 'E_FITS_CARD'
  | 'E_FITS_BITPIX'
  | 'E_FITS_FORMAT'
  | 'E_FITS_UNSUPPORTED'
  | 'E_FITS_CHECKSUM'
  | 'E_FITS_IO';

/** Where in a file a problem is: any subset of file, HDU index, byte offset, card number. */
export interface FitsLocation {
  file?: string;
  hdu?: number;
  offset?: number;
  card?: number;
  column?: number;
  where?: string;
}

function describe(loc: FitsLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.file);
  if (loc.hdu !== undefined) parts.push(`HDU ${loc.hdu}`);
  if (loc.card !== undefined) parts.push(`card ${loc.card}`);
  if (loc.offset !== undefined) parts.push(`byte ${loc.offset}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** Throws a FITS StagebookError; the message ends with the location so it reads well in a notebook. */
export function fitsError(code: FitsErrorCode, message: string, loc: FitsLocation = {}, cause?: unknown): never {
  const context: StagebookErrorContext = { ...loc };
  const where = loc.where ? `${loc.where}: ` : '';
  throw new StagebookError(
    code,
    `${where}${message}${describe(loc)}`,
    context,
    cause === undefined ? undefined : { cause },
  );
}
