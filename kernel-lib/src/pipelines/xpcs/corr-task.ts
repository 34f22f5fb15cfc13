/**
 * Worker-side task of the XPCS stage: one extra engine pass (sector maps, or the two-time pass)
 * over the same IMM file, run in a worker thread while the calling thread runs the main pass.
 * Every pass is deterministic, so the results do not depend on where it runs.
 */
import { ImmCorrSource } from '../../formats/xpcs/imm-corr-source';
import { xpcsCorr, type CorrDataset, type XpcsCorrSettings } from '../../numeric/xpcs';

export interface CorrPassTask {
  imm: string;
  settings: XpcsCorrSettings;
}

export interface CorrPassResult {
  datasets: Array<[string, CorrDataset]>;
  frames: number;
  delays: Array<[number, number]>;
  dynamicBins: number[];
}

export function xpcsCorrPassTask(t: CorrPassTask): CorrPassResult {
  const src = new ImmCorrSource(t.imm, 'xpcs-corr pass');
  try {
    const r = xpcsCorr(src, t.settings);
    return { datasets: [...r.datasets], frames: r.frames, delays: r.delays, dynamicBins: r.dynamicBins };
  } finally {
    src.close();
  }
}
