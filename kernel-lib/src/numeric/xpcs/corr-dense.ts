/**
 * The in-memory multi-tau of dense frames (default mode): the preprocessed frames are kept as a
 * dense float64 series per labelled pixel (0 where corr stores nothing) and multiTau2's per-pixel
 * sums come from the WebAssembly kernel eigPixelSums (wasm-core/assembly/common/xpcs-eigen.ts),
 * the integer path's kernel fed float64. Same sums, bit for bit, as the sparse rows of
 * corr-multitau.ts: the rows add only stored pairs, the dense kernel adds every pair, and an
 * unstored partner contributes +0, which leaves a sum unchanged (a sum is never -0); level changes
 * are (a + b) * 0.5 vs (a + b) / 2, the same exact halving. Only a non-finite stored value (0/0
 * after frame-sum normalisation of an all-zero frame) would differ (0 * NaN): then the rows are
 * rebuilt from the series and the row path runs.
 */
import type { Frames } from '../frames';
import type { CorrBins } from './corr-bins';
import { eigenPixelSums } from './eigen';
import type { CorrPixelSums, CorrRow } from './corr-multitau';

/** Pixels per kernel call: one chunk's [T][C] float64 series stays under this many bytes of WebAssembly memory. */
const CHUNK_BYTES = 256 * 2 ** 20;

export class DenseCorrSeries {
  /** slot of each raster pixel (-1: not labelled), in raster order. */
  readonly slotOf: Int32Array;
  readonly slots: number;
  private readonly C: number;
  private readonly chunks: Float64Array[] = [];
  /** stored[f * slots + slot]: corr stored a value there (it may be 0 for a flat field of 0). */
  private readonly stored: Uint8Array;

  constructor(
    bins: CorrBins,
    readonly frames: number,
  ) {
    const px = bins.valid.length;
    this.slotOf = new Int32Array(px).fill(-1);
    let n = 0;
    for (let p = 0; p < px; p++) if (bins.valid[p]) this.slotOf[p] = n++;
    this.slots = n;
    this.C = Math.max(1, Math.min(n, Math.floor(CHUNK_BYTES / (8 * Math.max(frames, 1)))));
    for (let s0 = 0; s0 < n; s0 += this.C) this.chunks.push(new Float64Array(frames * Math.min(this.C, n - s0)));
    this.stored = new Uint8Array(frames * n);
  }

  /** Chunks are pixel-major ([pixel][frame]): the kernel reads each pixel's series contiguously. */
  private at(f: number, slot: number): [Float64Array, number] {
    const c = Math.floor(slot / this.C);
    return [this.chunks[c], (slot - c * this.C) * this.frames + f];
  }

  /** False once a stored value is not finite (the dense kernel then would not match the rows). */
  private allFinite = true;

  /** Output frame f of the filter (pixels ascending). */
  add(f: number, pixels: Int32Array, values: Float64Array, n: number): void {
    const { C, slots, stored, slotOf, frames } = this;
    const row = f * slots;
    for (let k = 0; k < n; k++) {
      const slot = slotOf[pixels[k]];
      if (slot < 0) continue;
      const c = (slot / C) | 0;
      const v = values[k];
      this.chunks[c][(slot - c * C) * frames + f] = v;
      stored[row + slot] = 1;
      if (!Number.isFinite(v)) this.allFinite = false;
    }
  }

  /** main.cpp:313-337 on the stored values, as normalizeByFramesum does on the rows. */
  normalizeByFramesum(frameMean: Float64Array): void {
    let sum = 0;
    for (let f = 0; f < frameMean.length; f++) sum += frameMean[f];
    const mean = sum / frameMean.length;
    for (let f = 0; f < this.frames; f++)
      for (let s = 0; s < this.slots; s++) {
        if (!this.stored[f * this.slots + s]) continue;
        const [chunk, i] = this.at(f, s);
        chunk[i] = chunk[i] / (frameMean[f] / mean);
        if (!Number.isFinite(chunk[i])) this.allFinite = false;
      }
  }

  /** True when every stored value is finite (the dense kernel then matches the rows bit for bit). */
  finite(): boolean {
    return this.allFinite;
  }

  /** multiTau2's per-pixel sums, delay-major over slots (X[d * slots + slot]). */
  sums(delays: Array<[number, number]>): CorrPixelSums {
    const nd = delays.length;
    const out: CorrPixelSums = {
      G2: new Float64Array(nd * this.slots),
      IP: new Float64Array(nd * this.slots),
      IF: new Float64Array(nd * this.slots),
      slots: this.slots,
    };
    this.chunks.forEach((data, c) => {
      const width = data.length / Math.max(this.frames, 1);
      // Element (t, pixel i) is at i*T + t: frame stride 1, pixel offsets i*T.
      const pix = Int32Array.from({ length: width }, (_, i) => i * this.frames);
      const part = eigenPixelSums(data as Frames['data'], 3, this.frames, 1, pix, delays);
      for (let d = 0; d < nd; d++) {
        const to = d * this.slots + c * this.C;
        out.G2.set(part.G2.subarray(d * width, (d + 1) * width), to);
        out.IP.set(part.IP.subarray(d * width, (d + 1) * width), to);
        out.IF.set(part.IF.subarray(d * width, (d + 1) * width), to);
      }
    });
    return out;
  }

  /** The sparse rows of the stored values (the fallback when a stored value is not finite). */
  rows(): (CorrRow | undefined)[] {
    const rows: (CorrRow | undefined)[] = new Array(this.slotOf.length);
    this.slotOf.forEach((slot, p) => {
      if (slot < 0) return;
      const idx: number[] = [];
      const val: number[] = [];
      for (let f = 0; f < this.frames; f++) {
        if (!this.stored[f * this.slots + slot]) continue;
        const [chunk, i] = this.at(f, slot);
        idx.push(f);
        val.push(chunk[i]);
      }
      if (idx.length) rows[p] = { idx: Int32Array.from(idx), val: Float64Array.from(val) };
    });
    return rows;
  }
}
