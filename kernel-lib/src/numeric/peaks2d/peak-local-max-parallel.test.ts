// Needs the compiled dist/ twin of peaks2d-task.ts: run `npx tsc -p kernel-lib/tsconfig.build.json` first.
import { afterAll, describe, expect, it } from 'vitest';
import { isStagebookError } from '../../errors/stagebook-error';
import { closeWorkerPool } from '../parallel/pool';
import { peakLocalMax, peakLocalMaxParallel } from './index';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('peakLocalMaxParallel', () => {
  afterAll(() => closeWorkerPool());

  const cases = [
    // Quantised noise: thousands of tied candidates (NumPy introsort tie order) and plateaus.
    { name: 'f32 1000x900 tied levels, md 1', rows: 1000, cols: 900, f32: true, levels: 6, opts: {} },
    {
      name: 'f64 777x1031 tied levels, md 3, numPeaks 500',
      rows: 777,
      cols: 1031,
      f32: false,
      levels: 20,
      opts: { minDistance: 3, numPeaks: 500 },
    },
    {
      name: 'f32 1200x640 continuous, md 2, rel 0.5, border 0',
      rows: 1200,
      cols: 640,
      f32: true,
      levels: 0,
      opts: { minDistance: 2, thresholdRel: 0.5, excludeBorder: false },
    },
    {
      name: 'f64 513x515 tied, md 9 (doubling filter)',
      rows: 513,
      cols: 515,
      f32: false,
      levels: 4,
      opts: { minDistance: 9 },
    },
    // Bands extract above a lower bound of the threshold; the whole-image one is applied after.
    {
      name: 'f32 900x700 continuous, abs 0.3 + rel 0.6',
      rows: 900,
      cols: 700,
      f32: true,
      levels: 0,
      opts: { minDistance: 1, thresholdAbs: 0.3, thresholdRel: 0.6 },
    },
    {
      name: 'f64 600x800 continuous, abs 0.95 above most band maxima',
      rows: 600,
      cols: 800,
      f32: false,
      levels: 0,
      opts: { minDistance: 2, thresholdAbs: 0.95 },
    },
  ];
  it.each(cases)('returns exactly the serial result: $name', async ({ rows, cols, f32, levels, opts }) => {
    const rand = rng(rows * 7 + cols);
    const values = Float64Array.from({ length: rows * cols }, () => (levels ? Math.floor(rand() * levels) : rand()));
    const image = { data: f32 ? Float32Array.from(values) : values, shape: [rows, cols] as [number, number] };
    const serial = peakLocalMax(image, opts);
    expect(serial.length).toBeGreaterThan(100);
    for (const threads of [2, 3]) {
      const parallel = await peakLocalMaxParallel(image, opts, { threads });
      expect(parallel.length).toBe(serial.length);
      expect(Buffer.from(parallel.buffer).equals(Buffer.from(serial.buffer))).toBe(true);
    }
  });

  it('leaves the caller image untouched (workers read a shared copy)', async () => {
    const data = Float32Array.from({ length: 300 * 40 }, (_, i) => (i * 7919) % 101);
    const before = data.slice();
    await peakLocalMaxParallel({ data, shape: [300, 40] }, {}, { threads: 2 });
    expect(data.byteLength).toBe(before.byteLength);
    expect(Buffer.from(data.buffer).equals(Buffer.from(before.buffer))).toBe(true);
  });

  it('rejects NaN, naming the pixel', async () => {
    const data = new Float32Array(200 * 10).fill(1);
    data[1234] = NaN;
    const err = await peakLocalMaxParallel({ data, shape: [200, 10] }, {}, { threads: 2 }).catch((e) => e);
    expect(isStagebookError(err, 'E_NON_FINITE')).toBe(true);
    expect(err.message).toMatch(/^peakLocalMaxParallel: image pixel \[123, 4\] is NaN/);
  });

  it('names the first non-finite pixel when it lies in a worker band', async () => {
    const data = new Float64Array(300 * 20).fill(1);
    data[250 * 20 + 7] = Infinity;
    data[280 * 20 + 1] = NaN;
    const err = await peakLocalMaxParallel({ data, shape: [300, 20] }, {}, { threads: 3 }).catch((e) => e);
    expect(isStagebookError(err, 'E_NON_FINITE')).toBe(true);
    expect(err.message).toMatch(/^peakLocalMaxParallel: image pixel \[250, 7\] is Infinity/);
  });

  it('rejects a bad policy', async () => {
    const err = await peakLocalMaxParallel({ data: new Float64Array(4), shape: [2, 2] }, {}, { threads: 0 }).catch(
      (e) => e,
    );
    expect(isStagebookError(err, 'E_INVALID_ARGUMENT')).toBe(true);
    expect(err.message).toMatch(/policy.threads must be >= 1/);
  });
});
