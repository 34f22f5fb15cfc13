// Archive clients behind one interface (search, then fetch with the shared Downloader).
export { recordsToItems } from './types';
export type { ArchiveClient, ArchiveRecord } from './types';
export { LcoArchiveClient, lcoFrameToRecord, frameMd5, lcoTime } from './lco';
export type { LcoArchiveOptions, LcoFrameQuery } from './lco';
export { AvailabilityCatalogue, ALEXIS_WINDOWS, availabilityToRecords } from './catalogue';
export type { AvailabilityRow, WindowQuery } from './catalogue';
export { parseDirectoryListing, listDirectory, dayDirectories, parseSxiName, listingToRecords, SXI_NAME } from './listing';
export { getJson, getText } from './http-json';
export type { GetOptions } from './http-json';
export { followListing } from './pagination';
export type { ListingPage, ListingWalk, ListingResult } from './pagination';
