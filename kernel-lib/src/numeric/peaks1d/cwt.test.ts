import { describe, expect, it } from 'vitest';
import { expectStagebookError } from '../../../../test/support/helpers';
import { cwtMatrix, filterRidgeLines, identifyRidgeLines, rickerWavelet, slidingPercentile } from './cwt';
import { findPeaksCwt } from './find-peaks-cwt';

/** scoreatpercentile by definition: sort the window, interpolate linearly at per/100 * (len - 1). */
function naivePercentile(values: number[], per: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const idx = (per / 100) * (s.length - 1);
  const i = Math.floor(idx);
  return i === idx ? s[i] : s[i] + (s[i + 1] - s[i]) * (idx - i);
}

describe('rickerWavelet', () => {
  it('is the Mexican hat, centred, with the scipy normalisation', () => {
    const w = rickerWavelet(11, 2);
    const amp = 2 / (Math.sqrt(6) * Math.PI ** 0.25);
    expect(w.length).toBe(11);
    expect(w[5]).toBeCloseTo(amp, 15);
    expect(w[3]).toBeCloseTo(0, 15); // t = -2 = -a: zero crossing
    for (let k = 0; k < 11; k++) expect(w[k]).toBeCloseTo(w[10 - k], 15);
  });

  it('takes ceil(points) samples for a fractional length (numpy.arange)', () => {
    const w = rickerWavelet(22.5, 2.25);
    expect(w.length).toBe(23);
    // Grid t = k - 10.75: the maximum sits at k = 11 (t = 0.25), not in the middle.
    expect(Array.from(w).indexOf(Math.max(...w))).toBe(11);
  });
});

describe('cwtMatrix', () => {
  it('equals a direct sum over the wavelet for each row', () => {
    const x = Float64Array.from({ length: 40 }, (_, i) => Math.sin(i / 3) + (i % 5) / 10);
    const rows = cwtMatrix(x, [1, 2.5]);
    for (const [r, width] of [1, 2.5].entries()) {
      const w = rickerWavelet(Math.min(10 * width, x.length), width);
      const left = w.length >> 1;
      for (let i = 0; i < x.length; i++) {
        let s = 0;
        for (let j = 0; j < w.length; j++) {
          const t = i - left + j;
          if (t >= 0 && t < x.length) s += x[t] * w[j];
        }
        expect(rows[r][i]).toBeCloseTo(s, 12);
      }
    }
  });
});

describe('slidingPercentile', () => {
  it('matches sort-and-interpolate on every window, odd and even sizes', () => {
    const row = Float64Array.from({ length: 57 }, (_, i) => Math.sin(i * 1.7) * 3 + (i % 4));
    for (const size of [0, 1, 4, 7, 20]) {
      for (const per of [0, 10, 37.5, 100]) {
        const got = slidingPercentile(row, size, per);
        const half = Math.floor(size / 2);
        const odd = size - 2 * half;
        for (let i = 0; i < row.length; i++) {
          const win = Array.from(row.subarray(Math.max(i - half, 0), Math.min(i + half + odd, row.length)));
          const want = naivePercentile(win, per);
          if (Number.isNaN(want)) expect(got[i]).toBeNaN();
          else expect(got[i]).toBeCloseTo(want, 12);
        }
      }
    }
  });
});

describe('ridge lines', () => {
  it('follows a maximum drifting by at most max_distances across rows', () => {
    const rows = [10, 11, 12, 12].map((peak) => Float64Array.from({ length: 30 }, (_, j) => -Math.abs(j - peak)));
    const lines = identifyRidgeLines(rows, [2, 2, 2, 2], 1);
    expect(lines.length).toBe(1);
    expect(Array.from(lines[0].rows)).toEqual([0, 1, 2, 3]);
    expect(Array.from(lines[0].cols)).toEqual([10, 11, 12, 12]);
    // A jump larger than max_distances starts a new line.
    const split = identifyRidgeLines(rows, [0.5, 0.5, 0.5, 0.5], 1);
    expect(split.length).toBe(3);
  });

  it('drops lines shorter than min_length', () => {
    const rows = [10, 11, 12, 12].map((peak) => Float64Array.from({ length: 30 }, (_, j) => 5 - Math.abs(j - peak)));
    const lines = identifyRidgeLines(rows, [2, 2, 2, 2], 1);
    expect(filterRidgeLines(rows, lines, { minLength: 5, minSnr: 0 }).length).toBe(0);
    expect(filterRidgeLines(rows, lines, { minLength: 4, minSnr: 0 }).length).toBe(1);
    // SNR = |cwt[0, 10]| / noise, noise = 10th percentile of row0[9..10] = [4, 5] -> 4.1
    // (window ceil(30/20) = 2): 5 / 4.1 = 1.2195...
    expect(filterRidgeLines(rows, lines, { minLength: 4, minSnr: 1.2 }).length).toBe(1);
    expect(filterRidgeLines(rows, lines, { minLength: 4, minSnr: 1.25 }).length).toBe(0);
  });
});

describe('findPeaksCwt', () => {
  it('finds well-separated gaussian bumps', () => {
    const x = Float64Array.from(
      { length: 300 },
      (_, i) => Math.exp(-(((i - 70) / 6) ** 2)) + Math.exp(-(((i - 200) / 6) ** 2)),
    );
    const peaks = Array.from(findPeaksCwt(x, [2, 4, 6, 8, 10]));
    // Both bumps are found (scipy also reports a ridge artefact half-way between them).
    expect(peaks.some((p) => Math.abs(p - 70) <= 1)).toBe(true);
    expect(peaks.some((p) => Math.abs(p - 200) <= 1)).toBe(true);
    expect(peaks).toEqual([...peaks].sort((a, b) => a - b));
  });

  it('rejects bad inputs with StagebookError', () => {
    const x = Float64Array.from({ length: 50 }, (_, i) => Math.sin(i / 4));
    expectStagebookError(() => findPeaksCwt(x, []), /widths.*empty/);
    expectStagebookError(() => findPeaksCwt(x, [0, 1]), /widths.*positive/);
    expectStagebookError(() => findPeaksCwt([], [1, 2]), /empty/);
    expectStagebookError(() => findPeaksCwt([0, NaN, 1], [1]), /NaN/);
    expectStagebookError(() => findPeaksCwt(x, [1, 2, 3], { maxDistances: [1] }), /max_distances/);
    expectStagebookError(() => findPeaksCwt(x, [1, 2], { noisePerc: 120 }), /noise_perc.*\[0, 100\]/);
    expectStagebookError(() => findPeaksCwt(x, [1, 2], { minSnr: 'high' as never }), /min_snr/);
    expectStagebookError(() => findPeaksCwt(x, [1, 2], { min_snr: 1 } as never), /not a known option/);
  });
});
