// Archive clients behind one interface (search, then fetch with the shared Downloader).
export { recordsToItems } from './types';
export type { ArchiveClient, ArchiveRecord } from './types';
export { LcoArchiveClient, lcoFrameToRecord, frameMd5, lcoTime } from './lco';
export type { LcoArchiveOptions, LcoFrameQuery } from './lco';
export { AvailabilityCatalogue, ALEXIS_WINDOWS, availabilityToRecords } from './catalogue';
export type { AvailabilityRow, WindowQuery } from './catalogue';
export {
  parseDirectoryListing,
  listDirectory,
  dayDirectories,
  parseSxiName,
  listingToRecords,
  SXI_NAME,
} from './listing';
export { getJson, getText } from './http-json';
export type { GetOptions } from './http-json';
export { followListing } from './pagination';
export type { ListingPage, ListingWalk, ListingResult } from './pagination';
// ALEXIS's archives: JSOC DRMS (AIA, HARPs), NCEI SXI listings, NOAA XRS science files, HEK flares.
export { DrmsClient, JsocAiaClient, aiaLev1FileName, jsocTimeMs, AIA_QUERY_KEYS } from './jsoc';
export type { DrmsResult, AiaQuery } from './jsoc';
export { queryHarps, HARP_KEYS } from './harp';
export type { HarpRecord } from './harp';
export { NceiSxiClient } from './ncei-sxi';
export type { SxiQuery } from './ncei-sxi';
export { NoaaXrsClient, readXrsFile, xrsRowsKept, XRS_EPOCH_UNIX_S, XRS_FILE } from './noaa-xrs';
export type { XrsQuery, XrsFileData } from './noaa-xrs';
export { queryHekFlares } from './hek';
export type { HekFlare } from './hek';
