/**
 * The working set of find_peaks: peak positions and their property arrays, all in WASM memory.
 * Each condition computes a keep mask and every array is compacted in place (scipy's
 * `properties = {key: array[keep] ...}`), so nothing crosses to JS until the survivors are copied out.
 */
import { StagebookError } from '../../errors/stagebook-error';
import type { Arena, Block } from '../wasm/core';
import type { Bound, Interval } from './args';
import type { Peaks1dKernels } from './kernels';
import type { PeakProperties } from './types';

export type PropertyName = keyof PeakProperties;
type PropertyBlock = { type: 'f64'; block: Block<Float64Array> } | { type: 'i32'; block: Block<Int32Array> };

const BOUND_KIND = { none: 0, scalar: 1, perSample: 2 } as const;

export class PeakSet {
  private readonly properties = new Map<PropertyName, PropertyBlock>();

  constructor(
    private readonly k: Peaks1dKernels,
    private readonly arena: Arena,
    readonly peaks: Block<Int32Array>,
    public count: number,
  ) {}

  setF64(name: PropertyName, block: Block<Float64Array>): void {
    this.properties.set(name, { type: 'f64', block });
  }

  setI32(name: PropertyName, block: Block<Int32Array>): void {
    this.properties.set(name, { type: 'i32', block });
  }

  f64(name: PropertyName): Block<Float64Array> {
    const p = this.properties.get(name);
    if (!p || p.type !== 'f64') throw new StagebookError('E_INTERNAL', `findPeaks: internal: no f64 property ${name}`);
    return p.block;
  }

  i32(name: PropertyName): Block<Int32Array> {
    const p = this.properties.get(name);
    if (!p || p.type !== 'i32') throw new StagebookError('E_INTERNAL', `findPeaks: internal: no i32 property ${name}`);
    return p.block;
  }

  /**
   * Keeps the peaks with min <= low[k] and high[k] <= max (low = high for one property; the two
   * thresholds for `threshold`), as scipy's `_select_by_property` / `_select_by_peak_threshold`.
   */
  selectByInterval(interval: Interval, low: PropertyName, high: PropertyName = low): void {
    if (interval.min.kind === 'none' && interval.max.kind === 'none') return;
    const lowP = this.properties.get(low)!;
    const highP = this.properties.get(high)!;
    const minB = this.boundIn(interval.min);
    const maxB = this.boundIn(interval.max);
    const keep = this.arena.u8(this.count);
    const kept = this.k.selectByInterval(
      lowP.block.ptr,
      highP.block.ptr,
      lowP.type === 'i32' ? 1 : 0,
      this.count,
      this.peaks.ptr,
      minB.kind,
      minB.scalar,
      minB.ptr,
      maxB.kind,
      maxB.scalar,
      maxB.ptr,
      keep.ptr,
    );
    if (kept < this.count) this.compact(keep, kept);
  }

  /** Applies a keep mask computed on the JS side (distance condition). */
  keepMask(mask: Uint8Array, kept: number): void {
    if (kept < this.count) this.compact(this.arena.copyIn(mask), kept);
  }

  private boundIn(b: Bound): { kind: number; scalar: number; ptr: number } {
    if (b.kind === 'scalar') return { kind: BOUND_KIND.scalar, scalar: b.value, ptr: 0 };
    if (b.kind === 'perSample') return { kind: BOUND_KIND.perSample, scalar: 0, ptr: this.arena.copyIn(b.values).ptr };
    return { kind: BOUND_KIND.none, scalar: 0, ptr: 0 };
  }

  private compact(keep: Block<Uint8Array>, kept: number): void {
    this.k.compactI32(this.peaks.ptr, keep.ptr, this.count);
    for (const p of this.properties.values()) {
      if (p.type === 'f64') this.k.compactF64(p.block.ptr, keep.ptr, this.count);
      else this.k.compactI32(p.block.ptr, keep.ptr, this.count);
    }
    this.count = kept;
  }

  /** Copies the surviving peaks and properties out, in scipy's key order. */
  copyOut(): { peaks: Int32Array; properties: PeakProperties } {
    const properties: PeakProperties = {};
    const target = properties as Record<PropertyName, Float64Array | Int32Array>;
    for (const [name, p] of this.properties) target[name] = p.block.copyOut(this.count);
    return { peaks: this.peaks.copyOut(this.count), properties };
  }
}
