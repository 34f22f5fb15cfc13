/**
 * An IMM file as corr's sequential frame source (xpcs-eigen io/imm.cpp NextFrames/SkipFrames):
 * one frame in memory at a time; skipping reads headers only. Whether the file is sparse is
 * decided from the first frame header, as corr does (io/imm.cpp:64).
 */
import { IMM_HEADER_BYTES, immPayloadBytes } from '../imm/header';
import { ImmSource } from '../imm/source';
import type { CorrFrameSource, CorrRawFrame } from '../../numeric/xpcs/corr-source';

export class ImmCorrSource implements CorrFrameSource {
  readonly sparse: boolean;
  position = 0;
  private offset = 0;
  private readonly src: ImmSource;
  private count: number | null = null;

  constructor(
    readonly file: string,
    readonly where = 'ImmCorrSource',
  ) {
    this.src = new ImmSource(where, file);
    this.sparse = this.src.size > 0 && this.src.headerAt(0, 0).header.compression !== 0;
  }

  /** [rows, cols] of the first frame. */
  get frameShape(): [number, number] {
    const h = this.src.headerAt(0, 0).header;
    return [h.rows, h.cols];
  }

  /** Frames in the file (walks the headers once, on first use). */
  get frameCount(): number {
    if (this.count === null) this.count = this.src.scan().length;
    return this.count;
  }

  private advance(): ReturnType<ImmSource['headerAt']> {
    if (this.offset >= this.src.size)
      throw this.src.truncated(
        this.position,
        this.offset,
        `frame ${this.position + 1} is needed (check /xpcs/data_end_todo, stride_frames, avg_frames, dark_*_todo)`,
      );
    const loc = this.src.headerAt(this.position, this.offset);
    this.offset += IMM_HEADER_BYTES + immPayloadBytes(loc.header);
    this.position++;
    return loc;
  }

  next(): CorrRawFrame {
    const index = this.position;
    const loc = this.advance();
    const h = loc.header;
    if (h.compression === 0) {
      const dense = new Uint16Array(h.rows * h.cols);
      this.src.decodeInto(loc, index, dense, 0);
      return { elapsed: h.elapsed, tick: h.corecotick, dense };
    }
    const { indices, values } = this.src.sparsePayload(loc, true);
    const pixels = h.rows * h.cols;
    for (let k = 0; k < indices.length; k++)
      if (indices[k] >= pixels) throw this.src.badIndex(loc, index, k, indices[k], pixels);
    return { elapsed: h.elapsed, tick: h.corecotick, indices, values };
  }

  skip(n: number): void {
    for (let i = 0; i < n; i++) this.advance();
  }

  rewind(): void {
    this.position = 0;
    this.offset = 0;
  }

  close(): void {
    this.src.close();
  }
}
