import { describe, expect, it } from 'vitest';
import { isStagebookError, type StagebookErrorCode } from '../../errors/stagebook-error';
import { numpyArgsort } from '../sort/numpy-argsort';
import { peakLocalMax, type PeakLocalMaxOptions } from './index';

/** Seeded LCG so failures are reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * Independent, literal transcription of skimage 0.19.3 peak_local_max (labels=None): naive
 * (2md+1)^2 maximum with zero padding, trivial-image rule, strict threshold (float32 rounding for
 * f32 images), border zeroing, np.argsort(-intensity), quadratic greedy spacing.
 */
function referencePeaks(
  data: Float32Array | Float64Array,
  rows: number,
  cols: number,
  o: Required<Omit<PeakLocalMaxOptions, 'thresholdAbs' | 'thresholdRel'>> & {
    thresholdAbs: number | null;
    thresholdRel: number | null;
  },
): number[][] {
  let min = Infinity,
    max = -Infinity;
  for (const v of data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  let thr = o.thresholdAbs ?? min;
  if (o.thresholdRel !== null) thr = Math.max(thr, o.thresholdRel * max);
  if (data instanceof Float32Array) thr = Math.fround(thr);
  const md = o.minDistance;
  const at = (r: number, c: number) => (r < 0 || c < 0 || r >= rows || c >= cols ? 0 : data[r * cols + c]);
  const isMax: boolean[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      let m = -Infinity;
      for (let dr = -md; dr <= md; dr++) for (let dc = -md; dc <= md; dc++) m = Math.max(m, at(r + dr, c + dc));
      isMax.push(data[r * cols + c] === m);
    }
  if (rows * cols === 1)
    isMax[0] = true; // image.size == 1: plain thresholding
  else if (isMax.every(Boolean)) isMax.fill(false);
  const bw = o.excludeBorder === true ? md : o.excludeBorder === false ? 0 : o.excludeBorder;
  const cand: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (isMax[i] && data[i] > thr && r >= bw && r < rows - bw && c >= bw && c < cols - bw) cand.push(i);
    }
  const order = numpyArgsort(cand.map((i) => -data[i]));
  const kept: number[][] = [];
  for (const k of order) {
    if (kept.length >= (o.numPeaks ?? Infinity)) break; // null: no limit, as in skimage
    const r = Math.floor(cand[k] / cols),
      c = cand[k] % cols;
    if (kept.every(([kr, kc]) => Math.max(Math.abs(kr - r), Math.abs(kc - c)) >= md)) kept.push([r, c]);
  }
  return kept;
}

function pairs(flat: Int32Array): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

describe('peakLocalMax', () => {
  it('matches an independent brute-force transcription of skimage on random images (ties included)', () => {
    const rand = rng(12345);
    for (let t = 0; t < 400; t++) {
      const rows = 1 + Math.floor(rand() * 14),
        cols = 1 + Math.floor(rand() * 14);
      const levels = rand() < 0.5 ? 0 : 2 + Math.floor(rand() * 4); // 0 = continuous, else integer levels (plateaus)
      const offset = rand() < 0.2 ? -10 : 0;
      const values = Array.from(
        { length: rows * cols },
        () => (levels ? Math.floor(rand() * levels) : rand()) + offset,
      );
      const data = rand() < 0.5 ? Float32Array.from(values) : Float64Array.from(values);
      const minDistance = 1 + Math.floor(rand() * 3);
      const eb = [true, false, 0, 1, 2][Math.floor(rand() * 5)];
      const thresholdAbs = rand() < 0.3 ? offset + rand() * 2 : null;
      const thresholdRel = rand() < 0.5 ? rand() : null;
      const numPeaks = rand() < 0.3 ? Math.floor(rand() * 5) : Infinity;
      const o = { minDistance, excludeBorder: eb, thresholdAbs, thresholdRel, numPeaks };
      const expected = referencePeaks(data, rows, cols, o);
      expect(pairs(peakLocalMax({ data, shape: [rows, cols] }, o)), JSON.stringify({ t, rows, cols, o })).toEqual(
        expected,
      );
    }
  });

  it('wide windows (doubling max filter) agree with the brute force', () => {
    const rand = rng(7);
    for (const md of [3, 4, 7, 12]) {
      const rows = 37,
        cols = 53;
      const data = Float64Array.from({ length: rows * cols }, () => Math.floor(rand() * 50));
      const o = { minDistance: md, excludeBorder: false, thresholdAbs: null, thresholdRel: null, numPeaks: Infinity };
      expect(pairs(peakLocalMax({ data, shape: [rows, cols] }, o))).toEqual(referencePeaks(data, rows, cols, o));
    }
  });

  it('compares float32 images in float32: fround(2.7) is not above fround(0.9 * 3)', () => {
    const data = new Float32Array(7 * 7);
    data[2 * 7 + 2] = 3;
    data[4 * 7 + 4] = 2.7; // float32(2.7) == float32(0.9 * 3.0), while 2.7 > 0.9 * 3.0 in float64
    expect(pairs(peakLocalMax({ data, shape: [7, 7] }, { thresholdRel: 0.9 }))).toEqual([[2, 2]]);
    const f64 = Float64Array.from(data);
    expect(0.9 * 3 < Math.fround(2.7)).toBe(true);
    expect(pairs(peakLocalMax({ data: f64, shape: [7, 7] }, { thresholdRel: 0.9 }))).toEqual([
      [2, 2],
      [4, 4],
    ]);
  });

  it('clears a trivial (constant non-negative) image but not a negative constant one (cval=0 padding)', () => {
    expect(
      peakLocalMax({ data: new Float64Array(25).fill(2), shape: [5, 5] }, { excludeBorder: false, thresholdAbs: 0 }),
    ).toHaveLength(0);
    const neg = pairs(
      peakLocalMax({ data: new Float64Array(25).fill(-2), shape: [5, 5] }, { excludeBorder: false, thresholdAbs: -5 }),
    );
    expect(neg).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
      [2, 2],
      [2, 3],
      [3, 1],
      [3, 2],
      [3, 3],
    ]);
  });

  it('keeps equal peaks exactly minDistance apart and suppresses closer ones', () => {
    const data = new Float64Array(12 * 12);
    for (const [r, c] of [
      [3, 3],
      [3, 6],
      [8, 4],
    ])
      data[r * 12 + c] = 1;
    data[8 * 12 + 6] = 1; // Chebyshev 2 from (8,4): suppressed with minDistance 3
    expect(pairs(peakLocalMax({ data, shape: [12, 12] }, { minDistance: 3, excludeBorder: false }))).toEqual([
      [3, 3],
      [3, 6],
      [8, 4],
    ]);
  });

  it('minDistance 0 is plain thresholding (skimage: footprint of size 1, no trivial-image rule)', () => {
    // skimage 0.19.3: peak_local_max(arange(1, 10).reshape(3, 3), min_distance=0) -> every pixel > min,
    // brightest first, border included (exclude_border=True means a width of min_distance = 0).
    const ramp = { data: Float64Array.from({ length: 9 }, (_, i) => i + 1), shape: [3, 3] as [number, number] };
    expect(pairs(peakLocalMax(ramp, { minDistance: 0 }))).toEqual([
      [2, 2],
      [2, 1],
      [2, 0],
      [1, 2],
      [1, 1],
      [1, 0],
      [0, 2],
      [0, 1],
    ]);
    expect(pairs(peakLocalMax(ramp, { minDistance: 0, excludeBorder: 1 }))).toEqual([[1, 1]]);
    // A constant image is not cleared: all 9 pixels exceed thresholdAbs 0.5 (ties in row-major order, n <= 16).
    expect(
      pairs(peakLocalMax({ data: new Float64Array(9).fill(1), shape: [3, 3] }, { minDistance: 0, thresholdAbs: 0.5 }))
        .length,
    ).toBe(9);
  });

  const bad: [string, () => unknown, StagebookErrorCode, RegExp][] = [
    [
      'NaN pixel',
      () => peakLocalMax({ data: Float64Array.of(1, NaN, 3, 4), shape: [2, 2] }),
      'E_NON_FINITE',
      /pixel \[0, 1\] is NaN/,
    ],
    [
      'Infinity pixel',
      () => peakLocalMax({ data: Float32Array.of(1, 2, 3, Infinity, 5, 6), shape: [2, 3] }),
      'E_NON_FINITE',
      /pixel \[1, 0\]/,
    ],
    ['NaN single pixel', () => peakLocalMax({ data: [NaN], shape: [1, 1] }), 'E_NON_FINITE', /pixel \[0, 0\]/],
    [
      '3-D shape',
      () => peakLocalMax({ data: new Float64Array(8), shape: [2, 2, 2] }),
      'E_INVALID_SHAPE',
      /image.shape must be \[rows, cols\]/,
    ],
    [
      'length mismatch',
      () => peakLocalMax({ data: new Float64Array(5), shape: [2, 3] }),
      'E_INVALID_SHAPE',
      /needs 6 values, image.data has 5/,
    ],
    [
      'empty image',
      () => peakLocalMax({ data: new Float64Array(0), shape: [0, 4] }),
      'E_EMPTY_INPUT',
      /image is empty/,
    ],
    [
      'minDistance -1',
      () => peakLocalMax({ data: new Float64Array(4), shape: [2, 2] }, { minDistance: -1 }),
      'E_INVALID_ARGUMENT',
      /minDistance must be >= 0/,
    ],
    [
      'minDistance 1.5',
      () => peakLocalMax({ data: new Float64Array(4), shape: [2, 2] }, { minDistance: 1.5 }),
      'E_INVALID_ARGUMENT',
      /minDistance must be an integer/,
    ],
    [
      'negative excludeBorder',
      () => peakLocalMax({ data: new Float64Array(4), shape: [2, 2] }, { excludeBorder: -1 }),
      'E_INVALID_ARGUMENT',
      /excludeBorder cannot be negative/,
    ],
    [
      'negative numPeaks',
      () => peakLocalMax({ data: new Float64Array(4), shape: [2, 2] }, { numPeaks: -1 }),
      'E_INVALID_ARGUMENT',
      /numPeaks must be >= 0/,
    ],
    [
      'NaN threshold',
      () => peakLocalMax({ data: new Float64Array(4), shape: [2, 2] }, { thresholdRel: NaN }),
      'E_INVALID_ARGUMENT',
      /thresholdRel must be a number/,
    ],
    [
      'string data',
      () => peakLocalMax({ data: ['a', 1] as unknown as number[], shape: [1, 2] }),
      'E_INVALID_ARGUMENT',
      /image.data\[0\] is string/,
    ],
  ];
  it.each(bad)('rejects %s with a StagebookError', (_name, call, code, message) => {
    let err: unknown;
    try {
      call();
    } catch (e) {
      err = e;
    }
    expect(isStagebookError(err, code)).toBe(true);
    expect((err as Error).message).toMatch(/^peakLocalMax: /);
    expect((err as Error).message).toMatch(message);
  });
});
