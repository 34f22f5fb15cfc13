/**
 * Worker-side task of the XPCS stage: one extra engine pass (sector maps, or the two-time pass)
 * over the same IMM file, run in a worker thread while the calling thread runs the main pass.
 * Every pass is deterministic, so the results do not depend on where it runs.
 */
import { xpcsCorr, type CorrDataset, type XpcsCorrSettings } from '../../numeric/xpcs';
import { openCorrSource, type FrameFileKind } from './frame-source';

export interface CorrPassTask {
  file: string;
  kind: FrameFileKind;
  settings: XpcsCorrSettings;
}

export interface CorrPassResult {
  datasets: Array<[string, CorrDataset]>;
  frames: number;
  delays: Array<[number, number]>;
  dynamicBins: number[];
}

export async function xpcsCorrPassTask(t: CorrPassTask): Promise<CorrPassResult> {
  const src = await openCorrSource(t.settings, t.file, t.kind);
  try {
    const r = xpcsCorr(src, t.settings);
    return { datasets: [...r.datasets], frames: r.frames, delays: r.delays, dynamicBins: r.dynamicBins };
  } finally {
    src.close();
  }
}
