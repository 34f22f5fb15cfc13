/** Step 9 for one gridsearch file, as a worker task (runInWorkers; lasso-fit's `threads` parameter). */
import { gridsearchFileSchema, readCatalogueFile, type FitRow } from './catalogue-files';
import { fitGridsearch } from './lasso-steps';

export interface LassoFitPayload {
  file: string;
  lams: number[];
}

/** Reads one step-8 file and fits every pair (wasm-core, this thread's instance). */
export function fitGridsearchFile(p: LassoFitPayload): FitRow[] {
  return fitGridsearch(readCatalogueFile(p.file, gridsearchFileSchema), p.lams);
}
