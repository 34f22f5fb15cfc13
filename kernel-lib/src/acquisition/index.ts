// Data acquisition: downloader, content-addressed cache, retry policy, progress, ledger records.
export {
  DEFAULT_DOWNLOAD_POLICY,
  DEFAULT_RETRY_POLICY,
  resolveDownloadPolicy,
  backoffDelayMs,
  parseRetryAfterMs,
  isRetryableStatus,
} from './policy';
export type { DownloadPolicy, DownloadPolicyInput, RetryPolicy } from './policy';
export { DownloadCache, cacheHash, hashFile } from './cache';
export type { CacheEntry, PartialInfo, BadMarker } from './cache';
export { Downloader, downloadAll, stableKey, unsafeDestReason } from './downloader';
export type { DownloadItem, DownloadedFile, DownloadFailure, DownloadResult, DownloaderOptions } from './downloader';
export { displayUrl } from './attempt';
export { DownloadRecorder } from './record';
export type { DownloadRecordRow, DownloadOutcomeStatus } from './record';
export {
  DownloadProgressTracker,
  formatBytes,
  formatDownloadProgress,
  terminalProgress,
  eventBusProgress,
} from './progress';
export type { DownloadProgressSnapshot, DownloadProgressListener } from './progress';
export { Semaphore, HostGate, sleep } from './limits';
export {
  archiveNameProblem,
  checkArchiveName,
  relativePathProblem,
  escapeForLog,
  quoteName,
  sanitizeSegment,
} from './names';
