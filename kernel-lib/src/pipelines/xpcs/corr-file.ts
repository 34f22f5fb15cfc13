/**
 * `corr <hdf> --imm F` as one call: reads the strict configuration, opens the frame file, runs
 * `xpcsCorr`, and writes every dataset under the output group, in place (atomically) or to a
 * new file. Shared by the L1 stage and `stagebook xpcs corr`.
 */
import path from 'node:path';
import { StagebookError } from '../../errors/stagebook-error';
import { readXpcsCorrConfig, type XpcsCorrConfig } from '../../formats/xpcs/corr-config';
import { withHdf5 } from '../../formats/hdf5/reader';
import { writeXpcsCorrResults } from '../../formats/xpcs/corr-results';
import { writeXpcsNexusResults } from '../../formats/xpcs/nexus-write';
import { xpcsFitDatasets } from './fit-datasets';
import { corrFrameCounts } from '../../numeric/xpcs/corr-settings';
import { frameKindOf, openCorrSource, type FrameFileKind } from './frame-source';
import { writeTwoTimeStreamed } from '../../formats/xpcs/twotime-tiles';
import {
  xpcsCorr,
  xpcsCorrStream,
  xpcsTwoTimeStream,
  type CorrDataset,
  type TwoTimeTileSink,
  type XpcsCorrResult,
  type XpcsCorrStreamOptions,
} from '../../numeric/xpcs';

export interface CorrelateXpcsFileOptions {
  /** IMM frame file (corr --imm); default `/xpcs/input_file_local`, relative to the HDF5 file's directory. */
  imm?: string;
  /** Rigaku 64-bit `.bin` event file (corr --rigaku). */
  rigaku?: string;
  /** HDF5 frame stack with /entry/data/data (corr --hdf5). */
  hdf5?: string;
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
  stream?: Pick<XpcsCorrStreamOptions, 'memoryBudgetBytes' | 'kernel' | 'onPass' | 'threads'>;
  /** Result layout: 'legacy' (/exchange, corr's) or 'nexus' (a new file, default `<hdf stem>.nxs`). */
  layout?: 'legacy' | 'nexus';
  /** Also write the fit datasets (*FIT1, *FIT2, g2avgFIT1/2) the 8-ID QC and plots read (multi-tau). */
  fits?: boolean;
  /** Overrides applied to the settings read from the file (e.g. a sector map as dqmap/sqmap). */
  override?: (config: XpcsCorrConfig) => XpcsCorrConfig;
}

export interface CorrelateXpcsFileResult {
  result: XpcsCorrResult;
  config: XpcsCorrConfig;
  frameFile: string;
  output: string | null;
}

/** The frame file: explicit --imm/--rigaku/--hdf5, else input_file_local beside the HDF5 file (kind by extension). */
export function frameFileOf(
  hdf: string,
  config: XpcsCorrConfig,
  options: Pick<CorrelateXpcsFileOptions, 'imm' | 'rigaku' | 'hdf5'> = {},
): { file: string; kind: FrameFileKind } {
  const given = (['imm', 'rigaku', 'hdf5'] as const).filter((k) => options[k] !== undefined);
  if (given.length > 1) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `correlateXpcsFile: give one frame file, got ${given.join(' and ')}`,
      { where: 'correlateXpcsFile', field: given[1] },
    );
  }
  if (given.length === 1) return { file: options[given[0]]!, kind: given[0] };
  if (!config.inputFileLocal) {
    throw new StagebookError(
      'E_INVALID_ARGUMENT',
      `correlateXpcsFile: ${hdf}: no frame file given and /xpcs/input_file_local is absent`,
      { where: 'correlateXpcsFile', file: hdf, field: 'imm' },
    );
  }
  const file = path.resolve(path.dirname(hdf), config.inputFileLocal);
  return { file, kind: frameKindOf(file) };
}

/** Seconds per correlated frame and the q lists, from the configuration file (absent: 1 s per frame). */
async function readExtras(
  hdf: string,
  config: XpcsCorrConfig,
): Promise<{ frameSeconds: number; dqlist?: Float64Array; sqlist?: Float64Array }> {
  return withHdf5(
    hdf,
    (r) => {
      const p = '/measurement/instrument/detector/exposure_period';
      const period = r.has(p) ? r.readScalar(p, 'correlateXpcsFile') : 1;
      const list = (n: string) => (r.has(n) ? r.readNumeric(n, 'correlateXpcsFile').data : undefined);
      return {
        frameSeconds: period * config.settings.strideFrames * config.settings.avgFrames,
        dqlist: list('/xpcs/dqlist'),
        sqlist: list('/xpcs/sqlist'),
      };
    },
    'correlateXpcsFile',
  );
}

export async function correlateXpcsFile(
  hdf: string,
  options: CorrelateXpcsFileOptions = {},
): Promise<CorrelateXpcsFileResult> {
  let config = await readXpcsCorrConfig(hdf, {
    compat: options.compat,
    inpath: options.inpath,
    g2out: options.g2out,
    darkout: options.darkout,
    frameout: options.frameout,
  });
  if (options.override) config = options.override(config);
  const { file: frameFile, kind } = frameFileOf(hdf, config, options);
  const src = await openCorrSource(config.settings, frameFile, kind, config);
  const output = options.output === undefined ? hdf : options.output;
  const writeOpts = { outputData: options.outpath ?? config.outputData, sourceFile: hdf };
  let result: XpcsCorrResult;
  try {
    const budget = { memoryBudgetBytes: options.stream?.memoryBudgetBytes };
    if (options.stream && config.settings.analysisType === 'Twotime') {
      const multiTauOnly = options.stream.kernel
        ? 'stream.kernel'
        : options.stream.threads !== undefined
          ? 'stream.threads'
          : undefined;
      if (options.layout === 'nexus' || multiTauOnly) {
        throw new StagebookError(
          'E_INVALID_ARGUMENT',
          multiTauOnly
            ? `correlateXpcsFile: ${multiTauOnly} applies to the streamed multi-tau; the streamed two-time does not use it`
            : 'correlateXpcsFile: layout nexus is not written by the streamed two-time path (its maps go to C2T_all tiles)',
          { where: 'correlateXpcsFile', field: multiTauOnly ?? 'layout' },
        );
      }
      const N = corrFrameCounts(config.settings).frames;
      let r: XpcsCorrResult | undefined;
      const run = (sink: TwoTimeTileSink) => (r = xpcsTwoTimeStream(src, config.settings, sink, budget)).datasets;
      if (output === null) run({ rows: () => undefined });
      else await writeTwoTimeStreamed(output, N, run, writeOpts);
      return { result: r!, config, frameFile, output };
    }
    result = options.stream
      ? xpcsCorrStream(src, config.settings, {
          ...budget,
          kernel: options.stream.kernel,
          onPass: options.stream.onPass,
          threads: options.stream.threads,
        })
      : xpcsCorr(src, config.settings);
  } finally {
    src.close();
  }
  if (output === null) return { result, config, frameFile, output };
  const extras = await readExtras(hdf, config);
  const fits =
    options.fits && result.datasets.has('norm-0-g2')
      ? xpcsFitDatasets(
          Array.from(result.datasets.get('tau')!.data, (t) => t * extras.frameSeconds),
          result.datasets.get('norm-0-g2')!,
          result.datasets.get('norm-0-stderr')!,
        )
      : new Map<string, CorrDataset>();
  if (options.layout === 'nexus') {
    const target = options.output ?? hdf.replace(/\.[^./]+$/, '') + '.nxs';
    await writeXpcsNexusResults(target, {
      datasets: result.datasets,
      settings: config.settings,
      frameSeconds: extras.frameSeconds,
      dqlist: extras.dqlist,
      sqlist: extras.sqlist,
      fits,
    });
    return { result, config, frameFile, output: target };
  }
  await writeXpcsCorrResults(output, new Map([...result.datasets, ...fits]), writeOpts);
  return { result, config, frameFile, output };
}
