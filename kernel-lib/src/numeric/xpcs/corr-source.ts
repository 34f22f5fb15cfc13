/**
 * The frame source corr's preprocessing pulls from: sequential, like corr's readers
 * (io/imm.cpp NextFrames / SkipFrames). Values are the file's raw unsigned counts; the filter
 * decides how to interpret them (corr reads IMM int16 as signed, io/imm.cpp:87-99).
 */
import { StagebookError } from '../../errors/stagebook-error';

/** One raw frame: dense (H*W counts) or sparse (ascending pixel indices + counts). */
export interface CorrRawFrame {
  elapsed: number;
  tick: number;
  dense?: ArrayLike<number>;
  indices?: ArrayLike<number>;
  values?: ArrayLike<number>;
}

export interface CorrFrameSource {
  /** True for compressed (sparse) files: corr then skips the dark step (main.cpp:227). */
  readonly sparse: boolean;
  /** Frames in the source. */
  readonly frameCount: number;
  /** 0-based position of the next frame. */
  readonly position: number;
  next(): CorrRawFrame;
  skip(n: number): void;
  rewind(): void;
}

/** In-memory source over per-frame arrays (oracle cases, tests, simulators). */
export class ArrayCorrSource implements CorrFrameSource {
  position = 0;
  constructor(
    readonly sparse: boolean,
    private readonly frames: CorrRawFrame[],
    readonly where = 'ArrayCorrSource',
  ) {}

  get frameCount(): number {
    return this.frames.length;
  }

  next(): CorrRawFrame {
    if (this.position >= this.frames.length) throw pastEnd(this.where, this.position, this.frames.length);
    return this.frames[this.position++];
  }

  skip(n: number): void {
    if (this.position + n > this.frames.length) throw pastEnd(this.where, this.position + n - 1, this.frames.length);
    this.position += n;
  }

  rewind(): void {
    this.position = 0;
  }
}

/** corr reads past the end of the file without checking (undefined behaviour): refused. */
export function pastEnd(where: string, frame: number, count: number): StagebookError {
  return new StagebookError(
    'E_TRUNCATED',
    `${where}: frame ${frame + 1} requested but the source holds ${count} frames (check /xpcs/data_end_todo, stride_frames, avg_frames, dark_*_todo)`,
    {
      where,
      frame,
      count,
    },
  );
}
