/** Worker task of peakLocalMaxParallel: candidates of one band of rows (runs in worker_threads). */
import { bandCandidates, type BandCandidates, type BandRequest } from './candidates';

export function peakBandTask(request: BandRequest): BandCandidates {
  return bandCandidates(request);
}
