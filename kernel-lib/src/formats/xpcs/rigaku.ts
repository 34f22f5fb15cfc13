/**
 * Rigaku 500K `.bin` event files as XPCS-Eigen reads them (`corr --rigaku`, xpcs-eigen@08486b7
 * src/xpcs/io/rigaku.cpp): a stream of little-endian 64-bit words, one per photon-counting event,
 * ordered by frame:
 *   bits 40..63  frame number (1-based: corr skips frames <= data_begin_todo - 1, rigaku.cpp:124)
 *   bits 16..35  pixel index in column-major order: row = i % H, col = i / H (rigaku.cpp:176)
 *   bits  0..10  count
 * `RigakuCorrSource` yields one sparse frame per frame number (frames without events are empty
 * frames: corr's reader drops them, shifting every later frame, which the default mode does not
 * reproduce; compat mode is refused for Rigaku input). Memory: one read buffer and one frame.
 */
import * as fs from 'node:fs';
import { StagebookError } from '../../errors/stagebook-error';
import { fsError, openForRead, writeAtomically } from '../hdf5/file-io';
import type { CorrFrameSource, CorrRawFrame } from '../../numeric/xpcs/corr-source';

const WORDS = 1 << 16;

export class RigakuCorrSource implements CorrFrameSource {
  readonly sparse = true;
  readonly frameCount: number;
  position = 0;
  private readonly fd: number;
  private readonly size: number;
  private readonly buf = new BigUint64Array(WORDS);
  private bufStart = 0;
  private bufLen = 0;
  /** Index of the next unread word. */
  private word = 0;

  constructor(
    readonly file: string,
    readonly shape: [number, number],
    readonly where = 'RigakuCorrSource',
  ) {
    const { fd, size } = openForRead(where, file);
    this.fd = fd;
    this.size = size;
    if (size % 8 !== 0)
      this.fail(Math.floor(size / 8) * 8, `the file is ${size} bytes, not a whole number of 64-bit words`);
    this.frameCount = size === 0 ? 0 : this.frameOf(this.at(size / 8 - 1), size / 8 - 1);
  }

  private fail(offset: number, why: string): never {
    throw new StagebookError('E_FORMAT', `${this.where}: ${this.file}: byte offset ${offset}: ${why}`, {
      where: this.where,
      file: this.file,
      offset,
    });
  }

  private at(i: number): bigint {
    if (i < this.bufStart || i >= this.bufStart + this.bufLen) {
      const bytes = new Uint8Array(this.buf.buffer);
      let got = 0;
      const want = Math.min(WORDS, this.size / 8 - i) * 8;
      try {
        while (got < want) {
          const n = fs.readSync(this.fd, bytes, got, want - got, i * 8 + got);
          if (n === 0) break;
          got += n;
        }
      } catch (e) {
        throw fsError(this.where, this.file, e, `read ${want} bytes at byte offset ${i * 8} of`);
      }
      this.bufStart = i;
      this.bufLen = got / 8;
    }
    return this.buf[i - this.bufStart];
  }

  private frameOf(w: bigint, i: number): number {
    const f = Number(w >> 40n);
    if (f < 1) this.fail(i * 8, 'frame number 0 (Rigaku frames are numbered from 1)');
    return f;
  }

  next(): CorrRawFrame {
    const k = this.position + 1;
    if (k > this.frameCount)
      throw new StagebookError(
        'E_TRUNCATED',
        `${this.where}: ${this.file}: frame ${k} requested but the last event is in frame ${this.frameCount}`,
        { where: this.where, file: this.file, frame: k },
      );
    const [H, W] = this.shape;
    const indices: number[] = [];
    const values: number[] = [];
    const total = this.size / 8;
    while (this.word < total) {
      const w = this.at(this.word);
      const f = this.frameOf(w, this.word);
      if (f < k) this.fail(this.word * 8, `frame ${f} after frame ${k - 1}: events must be ordered by frame`);
      if (f > k) break;
      const raw = Number((w >> 16n) & 0xfffffn);
      if (raw >= H * W) this.fail(this.word * 8, `pixel ${raw} outside the ${H}x${W} detector`);
      indices.push((raw % H) * W + Math.floor(raw / H));
      values.push(Number(w & 0x7ffn));
      this.word++;
    }
    this.position++;
    return { elapsed: this.position - 1, tick: this.position - 1, indices, values };
  }

  skip(n: number): void {
    for (let i = 0; i < n; i++) this.next();
  }

  rewind(): void {
    this.position = 0;
    this.word = 0;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Writes sparse frames (row-major pixel indices, counts < 2048) as a Rigaku `.bin` file (atomic). */
export async function writeRigakuBin(
  file: string,
  shape: [number, number],
  frames: Array<{ indices: ArrayLike<number>; values: ArrayLike<number> }>,
): Promise<void> {
  const [H, W] = shape;
  const words: bigint[] = [];
  frames.forEach((fr, t) => {
    for (let k = 0; k < fr.indices.length; k++) {
      const p = fr.indices[k];
      const v = fr.values[k];
      if (!(v >= 0 && v < 2048 && Number.isInteger(v)))
        throw new StagebookError('E_INVALID_ARGUMENT', `writeRigakuBin: frame ${t}: count ${v} does not fit 11 bits`, {
          where: 'writeRigakuBin',
          field: 'values',
        });
      const colMajor = (p % W) * H + Math.floor(p / W);
      words.push((BigInt(t + 1) << 40n) | (BigInt(colMajor) << 16n) | BigInt(v));
    }
  });
  await writeAtomically('writeRigakuBin', file, (tmp) =>
    fs.writeFileSync(tmp, new Uint8Array(BigUint64Array.from(words).buffer)),
  );
}
