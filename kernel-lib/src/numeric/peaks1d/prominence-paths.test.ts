// findPeaks computes prominences with the valley kernels (peaks1d-valleys.ts: every local maximum,
// O(n)) or, for a minimum prominence with a window, with the pruned walks (peaks1d-pruned.ts).
// Both must reproduce scipy's walk exactly: peaks kept, prominences, bases, widths and the
// zero-prominence warning, here against a literal port of scipy's `_peak_prominences` loop.
import { describe, expect, it } from 'vitest';
import { findPeaks } from './find-peaks';
import { peakWidths } from './prominences-widths';
import type { FindPeaksOptions } from './types';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(1664525, s) + 1013904223) >>> 0) / 2 ** 32;
}

/** scipy 1.10 _peak_prominences, line by line. */
function scipyProminences(x: Float64Array, peaks: ArrayLike<number>, wlen: number) {
  const n = x.length;
  return Array.from(peaks, (peak) => {
    let iMin = 0,
      iMax = n - 1;
    if (wlen >= 2) {
      iMin = Math.max(peak - (wlen >> 1), iMin);
      iMax = Math.min(peak + (wlen >> 1), iMax);
    }
    let i = peak,
      leftMin = x[peak],
      left = peak;
    while (iMin <= i && x[i] <= x[peak]) {
      if (x[i] < leftMin) {
        leftMin = x[i];
        left = i;
      }
      i--;
    }
    i = peak;
    let rightMin = x[peak],
      right = peak;
    while (i <= iMax && x[i] <= x[peak]) {
      if (x[i] < rightMin) {
        rightMin = x[i];
        right = i;
      }
      i++;
    }
    return { prominence: x[peak] - Math.max(leftMin, rightMin), left, right };
  });
}

/** Signals with ties and plateaus (quantised), smooth + noise, and staircases. */
function signal(c: number, rand: () => number): Float64Array {
  const n = 3 + Math.floor(rand() * (c % 10 === 0 ? 2000 : 90));
  const levels = 1 + Math.floor(rand() * 6);
  const kind = c % 4;
  return Float64Array.from({ length: n }, (_, i) =>
    kind === 0
      ? Math.floor(rand() * levels)
      : kind === 1
        ? Math.sin(i / (1 + rand() * 5)) * 3 + Math.floor(rand() * levels)
        : kind === 2
          ? Math.round((rand() - 0.5) * 4 + (i % 17 < 8 ? i % 17 : 17 - (i % 17)))
          : Math.floor(i / (1 + Math.floor(rand() * 4))) % 5,
  );
}

describe("findPeaks prominence paths agree with scipy's walk", () => {
  it('on 1500 random signals (wlen, minimum bounds, per-sample bounds, height filter, widths)', () => {
    let compared = 0;
    let zeroWarnings = 0;
    for (let c = 0; c < 1500; c++) {
      const rand = lcg(c * 104729 + 3);
      const x = signal(c, rand);
      const wlen = [undefined, 2, 3, 4, 5, 7, 10, 33, 101][Math.floor(rand() * 9)];
      const perSample = rand() < 0.25;
      const min = perSample
        ? Float64Array.from(x, () => Math.floor(rand() * 4) * 0.5)
        : [null, 0, 0.5, 1, 2][Math.floor(rand() * 5)];
      const max = rand() < 0.2 ? 3 : null;
      const opts: FindPeaksOptions = { prominence: [min, max] };
      if (rand() < 0.3) opts.height = 1;
      if (rand() < 0.3) opts.width = [null, null];
      if (wlen !== undefined) opts.wlen = wlen;
      const got = findPeaks(x, opts);
      const all = findPeaks(x, opts.height !== undefined ? { height: opts.height } : {}).peaks;
      const ref = scipyProminences(x, all, wlen ?? -1);
      const minOf = (p: number) => (min === null ? -Infinity : typeof min === 'number' ? min : min[p]);
      const kept = Array.from(all)
        .map((p, k) => ({ p, ...ref[k] }))
        .filter((r) => minOf(r.p) <= r.prominence && (max === null || r.prominence <= max));
      expect(Array.from(got.peaks)).toEqual(kept.map((r) => r.p));
      expect(Array.from(got.properties.prominences!)).toEqual(kept.map((r) => r.prominence));
      expect(Array.from(got.properties.leftBases!)).toEqual(kept.map((r) => r.left));
      expect(Array.from(got.properties.rightBases!)).toEqual(kept.map((r) => r.right));
      const zero = ref.some((r) => r.prominence === 0);
      expect(got.warnings.includes('some peaks have a prominence of 0')).toBe(zero);
      if (opts.width) {
        const w = peakWidths(x, got.peaks, 0.5, {
          prominences: got.properties.prominences!,
          leftBases: got.properties.leftBases!,
          rightBases: got.properties.rightBases!,
        });
        expect(Array.from(got.properties.widths!)).toEqual(Array.from(w.widths));
      }
      compared += kept.length;
      if (zero) zeroWarnings++;
    }
    expect(compared).toBeGreaterThan(10000);
    expect(zeroWarnings).toBeGreaterThan(50); // windows inside plateaus are exercised
  });

  it('on a long noisy signal with bumps, with and without a window', () => {
    const rand = lcg(777);
    const x = Float64Array.from(
      { length: 200_000 },
      (_, i) =>
        Math.exp(-0.5 * (((i % 1000) - 500) / 20) ** 2) * (1 + (((i / 1000) | 0) % 7) / 7) + 0.2 * (rand() - 0.5),
    );
    for (const wlen of [undefined, 401, 5001]) {
      const opts: FindPeaksOptions = wlen ? { prominence: 0.5, wlen } : { prominence: 0.5 };
      const got = findPeaks(x, opts);
      const all = findPeaks(x).peaks;
      const ref = scipyProminences(x, all, wlen ?? -1);
      const kept = Array.from(all).filter((_, k) => ref[k].prominence >= 0.5);
      expect(Array.from(got.peaks)).toEqual(kept);
      expect(got.peaks.length).toBe(200);
    }
  });
});
