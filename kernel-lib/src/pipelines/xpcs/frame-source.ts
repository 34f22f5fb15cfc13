/**
 * Opening the frame file of a corr run by kind (IMM, Rigaku `.bin`, HDF5 stack), with the checks
 * every kind shares: frame shape vs the configured detector, `/xpcs/compression` vs an IMM file,
 * and compat mode refused for Rigaku input. Used by correlateXpcsFile and the stage's worker passes.
 */
import { StagebookError } from '../../errors/stagebook-error';
import { checkCompression, type XpcsCorrConfig } from '../../formats/xpcs/corr-config';
import { Hdf5StackCorrSource } from '../../formats/xpcs/hdf5-stack';
import { ImmCorrSource } from '../../formats/xpcs/imm-corr-source';
import { RigakuCorrSource } from '../../formats/xpcs/rigaku';
import type { CorrFrameSource } from '../../numeric/xpcs/corr-source';
import { configUnsupported, type XpcsCorrSettings } from '../../numeric/xpcs/corr-settings';

export type FrameFileKind = 'imm' | 'rigaku' | 'hdf5';
export type ClosableCorrSource = CorrFrameSource & { close(): void };

/** The reader a frame file needs, by extension: `.bin` Rigaku, `.h5/.hdf5/.nxs` stack, else IMM. */
export function frameKindOf(file: string): FrameFileKind {
  return /\.bin$/i.test(file) ? 'rigaku' : /\.(h5|hdf5|nxs)$/i.test(file) ? 'hdf5' : 'imm';
}

/** Opens `file` for `settings`; `config` (when given) also checks `/xpcs/compression` against an IMM file. */
export async function openCorrSource(
  settings: XpcsCorrSettings,
  file: string,
  kind: FrameFileKind,
  config?: XpcsCorrConfig,
): Promise<ClosableCorrSource> {
  const where = 'correlateXpcsFile';
  const compat = settings.compat === 'xpcs-eigen';
  if (kind === 'rigaku') {
    if (compat)
      configUnsupported(
        where,
        '--rigaku',
        file,
        "compat mode cannot reproduce corr's Rigaku reader (it drops frames without events and shifts the rest); use the default mode",
      );
    return new RigakuCorrSource(file, settings.shape, where);
  }
  const src =
    kind === 'hdf5'
      ? await Hdf5StackCorrSource.open(file, { where, asSparse: compat })
      : new ImmCorrSource(file, where);
  const [h, w] = src.frameShape;
  if (h * w !== settings.shape[0] * settings.shape[1]) {
    src.close();
    throw new StagebookError(
      'E_INVALID_SHAPE',
      `${where}: ${file} holds ${h}x${w} frames but the configuration describes a ${settings.shape[0]}x${settings.shape[1]} detector`,
      { where, file },
    );
  }
  if (kind === 'imm' && config) {
    try {
      checkCompression(config, src.sparse, file);
    } catch (e) {
      src.close();
      throw e;
    }
  }
  return src;
}
