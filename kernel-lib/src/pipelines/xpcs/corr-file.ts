/**
 * `corr <hdf> --imm F` as one call: reads the strict configuration, opens the frame file, runs
 * `xpcsCorr`, and writes every dataset under the output group, in place (atomically) or to a
 * new file. Shared by the L1 stage and `stagebook xpcs corr`.
 */
import path from 'node:path';
import { StagebookError } from '../../errors/stagebook-error';
import { checkCompression, readXpcsCorrConfig, type XpcsCorrConfig } from '../../formats/xpcs/corr-config';
import { writeXpcsCorrResults } from '../../formats/xpcs/corr-results';
import { ImmCorrSource } from '../../formats/xpcs/imm-corr-source';
import { writeTwoTimeStreamed } from '../../formats/xpcs/twotime-tiles';
import { xpcsCorr, xpcsCorrStream, xpcsTwoTimeStream, type TwoTimeTileSink, type XpcsCorrResult } from '../../numeric/xpcs';
import { corrFrameCounts } from '../../numeric/xpcs/corr-settings';

export interface CorrelateXpcsFileOptions {
  /** IMM frame file; default `/xpcs/input_file_local`, relative to the HDF5 file's directory. */
  imm?: string;
  compat?: 'none' | 'xpcs-eigen';
  /** Entry group of the configuration (corr --inpath, default /xpcs). */
  inpath?: string;
  /** Result group (corr --outpath; default `/xpcs/output_data`, else /exchange). */
  outpath?: string;
  g2out?: boolean;
  darkout?: boolean;
  frameout?: number;
  /** Where to write; default: into `hdf` itself, as corr does (atomically). null = do not write. */
  output?: string | null;
  /**
   * Larger than memory: multi-tau streams from the frame file (default mode, xpcsCorrStream) and
   * two-time is written in row tiles as produced (xpcsTwoTimeStream); memory bounded by the budget.
   */
  stream?: { memoryBudgetBytes?: number };
  /** Overrides applied to the settings read from the file (e.g. a sector map as dqmap/sqmap). */
  override?: (config: XpcsCorrConfig) => XpcsCorrConfig;
}

export interface CorrelateXpcsFileResult {
  result: XpcsCorrResult;
  config: XpcsCorrConfig;
  frameFile: string;
  output: string | null;
}

/** The frame file the config names (input_file_local), resolved beside the HDF5 file. */
export function frameFileOf(hdf: string, config: XpcsCorrConfig, explicit?: string): string {
  if (explicit) return explicit;
  if (!config.inputFileLocal) {
    throw new StagebookError('E_INVALID_ARGUMENT', `correlateXpcsFile: ${hdf}: no frame file given and /xpcs/input_file_local is absent`, { where: 'correlateXpcsFile', file: hdf, field: 'imm' });
  }
  return path.resolve(path.dirname(hdf), config.inputFileLocal);
}

export async function correlateXpcsFile(hdf: string, options: CorrelateXpcsFileOptions = {}): Promise<CorrelateXpcsFileResult> {
  let config = await readXpcsCorrConfig(hdf, { compat: options.compat, inpath: options.inpath, g2out: options.g2out, darkout: options.darkout, frameout: options.frameout });
  if (options.override) config = options.override(config);
  const frameFile = frameFileOf(hdf, config, options.imm);
  const src = new ImmCorrSource(frameFile, 'correlateXpcsFile');
  const output = options.output === undefined ? hdf : options.output;
  const writeOpts = { outputData: options.outpath ?? config.outputData, sourceFile: hdf };
  let result: XpcsCorrResult;
  try {
    checkCompression(config, src.sparse, frameFile);
    const budget = { memoryBudgetBytes: options.stream?.memoryBudgetBytes };
    if (options.stream && config.settings.analysisType === 'Twotime') {
      const N = corrFrameCounts(config.settings).frames;
      let r: XpcsCorrResult | undefined;
      const run = (sink: TwoTimeTileSink) => (r = xpcsTwoTimeStream(src, config.settings, sink, budget)).datasets;
      if (output === null) run({ rows: () => undefined });
      else await writeTwoTimeStreamed(output, N, run, writeOpts);
      return { result: r!, config, frameFile, output };
    }
    result = options.stream ? xpcsCorrStream(src, config.settings, budget) : xpcsCorr(src, config.settings);
  } finally {
    src.close();
  }
  if (output !== null) await writeXpcsCorrResults(output, result.datasets, writeOpts);
  return { result, config, frameFile, output };
}
