import { describe, expect, it } from 'vitest';
import { expectStagebookError, lcg } from '../../../../test/support/helpers';
import { findPeaks } from './find-peaks';
import { peakProminences, peakWidths } from './prominences-widths';

/** Brute-force local maxima by definition: a plateau with a strictly smaller sample on each side. */
function bruteMaxima(x: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 1; i < x.length - 1; i++) {
    if (!(x[i - 1] < x[i])) continue;
    let j = i;
    while (j + 1 < x.length - 1 && x[j + 1] === x[i]) j++;
    if (j + 1 < x.length && x[j + 1] < x[i]) out.push((i + j) >> 1);
  }
  return out;
}

/** Definition of prominence: lowest point on each side before a strictly higher sample (or window end). */
function bruteProminence(x: ArrayLike<number>, p: number, wlen: number): { prom: number; left: number; right: number } {
  const lo = wlen >= 2 ? Math.max(0, p - Math.floor(wlen / 2)) : 0;
  const hi = wlen >= 2 ? Math.min(x.length - 1, p + Math.floor(wlen / 2)) : x.length - 1;
  let left = p;
  for (let i = p; i >= lo && x[i] <= x[p]; i--) if (x[i] < x[left]) left = i;
  let right = p;
  for (let i = p; i <= hi && x[i] <= x[p]; i++) if (x[i] < x[right]) right = i;
  return { prom: x[p] - Math.max(x[left], x[right]), left, right };
}

function randomSignal(rand: () => number, n: number, kind: number): Float64Array {
  const x = new Float64Array(n);
  let walk = 0;
  for (let i = 0; i < n; i++) {
    walk += rand() - 0.5;
    // kind 0: integer levels (many plateaus); 1: random walk; 2: bumps + noise (long flanks).
    x[i] =
      kind === 0
        ? Math.floor(rand() * 4)
        : kind === 1
          ? Math.round(walk * 10) / 10
          : Math.sin(i / 40) * (1 + i / n) + 0.05 * rand();
  }
  return x;
}

describe('findPeaks: scipy semantics', () => {
  it('finds plateau midpoints (rounded down) and never the first/last sample', () => {
    const r = findPeaks([5, 1, 2, 2, 1, 3, 3, 3, 3, 1, 6]);
    expect(Array.from(r.peaks)).toEqual([2, 6]);
    expect(r.properties).toEqual({});
  });

  it('agrees with brute-force local maxima on random signals', () => {
    const rand = lcg(11);
    for (let t = 0; t < 60; t++) {
      const x = randomSignal(rand, 1 + Math.floor(rand() * 300), t % 3);
      expect(Array.from(findPeaks(x).peaks)).toEqual(bruteMaxima(x));
    }
  });

  it('prominences and bases match the brute-force definition (block skips included)', () => {
    const rand = lcg(5);
    for (let t = 0; t < 30; t++) {
      const x = randomSignal(rand, 200 + Math.floor(rand() * 3000), t % 3);
      const wlen = t % 2 ? -1 : 3 + Math.floor(rand() * 400);
      const r = findPeaks(x, { prominence: [null, null], wlen: wlen > 0 ? wlen : null });
      const peaks = Array.from(r.peaks);
      peaks.forEach((p, k) => {
        const b = bruteProminence(x, p, wlen);
        expect(r.properties.prominences![k]).toBe(b.prom);
        expect(r.properties.leftBases![k]).toBe(b.left);
        expect(r.properties.rightBases![k]).toBe(b.right);
      });
    }
  });

  it('unsorted peak lists (walk kernel) agree with ascending ones (stack kernel) and brute force', () => {
    const rand = lcg(21);
    for (let t = 0; t < 12; t++) {
      const x = randomSignal(rand, 500 + Math.floor(rand() * 4000), t % 3);
      const sorted = Array.from({ length: 60 }, () => Math.floor(rand() * x.length)).sort((a, b) => a - b);
      const reversed = [...sorted].reverse();
      const wlen = t % 2 ? null : 2 + rand() * 300;
      const a = peakProminences(x, sorted, wlen);
      const b = peakProminences(x, reversed, wlen);
      sorted.forEach((p, k) => {
        const e = bruteProminence(x, p, wlen === null ? -1 : Math.ceil(wlen));
        expect([a.prominences[k], a.leftBases[k], a.rightBases[k]]).toEqual([e.prom, e.left, e.right]);
        const j = sorted.length - 1 - k;
        expect([b.prominences[j], b.leftBases[j], b.rightBases[j]]).toEqual([e.prom, e.left, e.right]);
      });
    }
  });

  it('widths lie on the interpolated signal at the evaluation height', () => {
    const rand = lcg(9);
    const x = randomSignal(rand, 5000, 2);
    const r = findPeaks(x, { width: [null, null], relHeight: 0.4 });
    const p = r.properties;
    const interp = (pos: number) => {
      const i = Math.floor(pos);
      return i === pos ? x[i] : x[i] + (x[i + 1] - x[i]) * (pos - i);
    };
    for (let k = 0; k < r.peaks.length; k++) {
      expect(p.widthHeights![k]).toBeCloseTo(x[r.peaks[k]] - 0.4 * p.prominences![k], 14);
      expect(p.widths![k]).toBeCloseTo(p.rightIps![k] - p.leftIps![k], 12);
      // Either the intersection is interpolated onto the height, or the walk stopped at a base.
      const left = p.leftIps![k];
      if (left > p.leftBases![k]) expect(interp(left)).toBeCloseTo(p.widthHeights![k], 9);
      const right = p.rightIps![k];
      if (right < p.rightBases![k]) expect(interp(right)).toBeCloseTo(p.widthHeights![k], 9);
    }
  });

  it('accepts number, [min, max] with null, and per-sample borders', () => {
    const x = [0, 1, 0, 3, 0, 2, 0, 5, 0];
    expect(Array.from(findPeaks(x, { height: 2 }).peaks)).toEqual([3, 5, 7]);
    expect(Array.from(findPeaks(x, { height: [null, 3] }).peaks)).toEqual([1, 3, 5]);
    expect(Array.from(findPeaks(x, { height: [2, 3] }).peaks)).toEqual([3, 5]);
    const perSample = [0, 2, 0, 4, 0, 1, 0, 1, 0];
    expect(Array.from(findPeaks(x, { height: [perSample, null] }).peaks)).toEqual([5, 7]);
    expect(Array.from(findPeaks(x, { height: Float64Array.from(perSample) }).peaks)).toEqual([5, 7]);
    expect(Array.from(findPeaks(x, { height: [null, perSample] }).peaks)).toEqual([1, 3]);
    expect(Array.from(findPeaks(x, { height: [null, null] }).properties.peakHeights!)).toEqual([1, 3, 2, 5]);
  });

  it('threshold compares the smaller side with min and the larger side with max', () => {
    const x = [0, 2, 1, 5, 4, 0];
    // Peak 3: sides 4 and 1 -> min 1 >= 1 but max 4 > 3.5.
    expect(Array.from(findPeaks(x, { threshold: [1, 3.5] }).peaks)).toEqual([1]);
    expect(Array.from(findPeaks(x, { threshold: [1.5, null] }).peaks)).toEqual([]);
    const all = findPeaks(x, { threshold: [null, null] });
    expect(Array.from(all.properties.leftThresholds!)).toEqual([2, 4]);
    expect(Array.from(all.properties.rightThresholds!)).toEqual([1, 1]);
    expect(Array.from(findPeaks(x, { threshold: 1 }).peaks)).toEqual([1, 3]);
    expect(Array.from(findPeaks(x, { threshold: [null, 3] }).peaks)).toEqual([1]);
  });

  it('distance keeps higher peaks first and rounds up', () => {
    const x = [0, 3, 0, 1, 0, 2, 0, 4, 0];
    expect(Array.from(findPeaks(x, { distance: 2 }).peaks)).toEqual([1, 3, 5, 7]);
    // Peak 7 (height 4) removes 5; peak 1 (height 3) removes 3.
    expect(Array.from(findPeaks(x, { distance: 3 }).peaks)).toEqual([1, 7]);
    // ceil(2.5) = 3 behaves like 3.
    expect(Array.from(findPeaks(x, { distance: 2.5 }).peaks)).toEqual(Array.from(findPeaks(x, { distance: 3 }).peaks));
  });

  it('plateau sizes and edges', () => {
    const r = findPeaks([0, 1, 1, 0, 2, 2, 2, 0, 3, 0], { plateauSize: [2, null] });
    expect(Array.from(r.peaks)).toEqual([1, 5]);
    expect(Array.from(r.properties.plateauSizes!)).toEqual([2, 3]);
    expect(Array.from(r.properties.leftEdges!)).toEqual([1, 4]);
    expect(Array.from(r.properties.rightEdges!)).toEqual([2, 6]);
  });

  it('reports PeakPropertyWarnings instead of printing them', () => {
    const zeroWidth = findPeaks([0, 1, 0, 2, 0], { width: [null, null], relHeight: 0 });
    expect(zeroWidth.warnings).toEqual(['some peaks have a width of 0']);
    const zeroProm = peakProminences([0, 1, 0, 2, 0], [0, 1]);
    expect(zeroProm.warnings).toEqual(['some peaks have a prominence of 0']);
    expect(findPeaks([0, 1, 0, 2, 0], { prominence: 0 }).warnings).toEqual([]);
  });

  it('matches the scipy docstring example for peak_prominences', () => {
    const x = [0, 1, 0, 3, 1, 3, 0, 4, 0];
    const r = peakProminences(x, [5]);
    expect([r.prominences[0], r.leftBases[0], r.rightBases[0]]).toEqual([3, 2, 6]);
    const w = peakProminences(x, [5], 3.1);
    expect([w.prominences[0], w.leftBases[0], w.rightBases[0]]).toEqual([2, 4, 6]);
  });

  it('handles empty and tiny inputs', () => {
    expect(findPeaks([]).peaks.length).toBe(0);
    expect(findPeaks([1], { prominence: 0, width: 0 }).properties.widths!.length).toBe(0);
  });
});

describe('findPeaks / peakProminences / peakWidths: errors', () => {
  const x = [0, 1, 0, 2, 0, 1, 0];
  it('distance < 1', () =>
    expectStagebookError(() => findPeaks(x, { distance: 0.5 }), /distance.*greater or equal to 1/));
  it('rel_height < 0 with a width condition', () =>
    expectStagebookError(() => findPeaks(x, { width: 0, relHeight: -0.5 }), /rel_height.*greater or equal to 0/));
  it('rel_height < 0 is ignored without width (as scipy)', () =>
    expect(findPeaks(x, { relHeight: -1 }).peaks.length).toBe(3));
  it('wlen <= 1', () => expectStagebookError(() => findPeaks(x, { prominence: 0, wlen: 1 }), /wlen.*larger than 1/));
  it('NaN in x', () => expectStagebookError(() => findPeaks([0, NaN, 0]), /x.*\[1\] is NaN/));
  it('non-1-D x', () =>
    expectStagebookError(
      () =>
        findPeaks([
          [0, 1],
          [1, 0],
        ] as unknown as number[]),
      /1-D/,
    ));
  it('unknown option', () =>
    expectStagebookError(() => findPeaks(x, { rel_height: 1 } as never), /rel_height.*not a known option/));
  it('bad option type', () => expectStagebookError(() => findPeaks(x, { height: 'high' as never }), /height/));
  it('interval with three elements', () =>
    expectStagebookError(() => findPeaks(x, { height: [1, 2, 3] as never }), /height/));
  it('per-sample border of the wrong size', () =>
    expectStagebookError(
      () => findPeaks(x, { height: [[1, 2], null] }),
      /array size of lower interval border must match x/,
    ));
  it('peak out of bounds', () => expectStagebookError(() => peakProminences(x, [1, 7]), /peak 7 is not a valid index/));
  it('negative peak', () => expectStagebookError(() => peakProminences(x, [-1]), /peak -1 is not a valid index/));
  it('non-integer peaks', () => expectStagebookError(() => peakProminences(x, [1.5]), /peaks.*integer/));
  it('peak_widths rel_height < 0', () => expectStagebookError(() => peakWidths(x, [3], -1), /rel_height/));
  it('peak_widths invalid prominence data', () =>
    expectStagebookError(
      () => peakWidths(x, [3], 0.5, { prominences: [2], leftBases: [4], rightBases: [5] }),
      /prominence data is invalid for peak 3/,
    ));
  it('peak_widths prominence data of another shape', () =>
    expectStagebookError(
      () => peakWidths(x, [3], 0.5, { prominences: [2, 1], leftBases: [0], rightBases: [6] }),
      /same shape/,
    ));
});
