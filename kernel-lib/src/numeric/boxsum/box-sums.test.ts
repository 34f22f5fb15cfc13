import { describe, expect, it } from 'vitest';
import { boxSums } from '.';

/** ALEXIS' slice sum, written out: rows/cols from trunc(c - d) to trunc(c + d), clipped. */
function naive(data: ArrayLike<number>, h: number, w: number, x: number, y: number, d: number): number {
  const clip = (v: number, n: number): number => Math.min(n, Math.max(0, Math.trunc(v)));
  let s = 0;
  for (let r = clip(y - d, h); r < clip(y + d, h); r++)
    for (let c = clip(x - d, w); c < clip(x + d, w); c++) s += data[r * w + c];
  return s;
}

describe('boxSums', () => {
  const h = 64;
  const w = 80;
  const f64 = Float64Array.from({ length: h * w }, (_, i) => Math.sin(i * 0.37) * 10 + (i % w));
  it('sums data[int(y-d):int(y+d), int(x-d):int(x+d)] for every centre and half-width', () => {
    const centres: [number, number][] = [
      [40.7, 30.2],
      [10.5, 60.9],
      [-3, 2],
      [79.9, 0.4],
    ];
    const halves = [15, 10, 8, 5];
    const got = boxSums({ data: f64, shape: [h, w] }, centres, halves);
    centres.forEach(([x, y], c) =>
      halves.forEach((d, z) => expect(got[c][z]).toBeCloseTo(naive(f64, h, w, x, y, d), 9)),
    );
  });

  it('accumulates float32 images in float64', () => {
    const f32 = new Float32Array(h * w).fill(16777216);
    f32[0] = 1;
    // Rows and columns 0..1: 1 + 3 * 2^24, which a float32 accumulator would round to 3 * 2^24.
    const [[s]] = boxSums({ data: f32, shape: [h, w] }, [[1, 1]], [1]);
    expect(s).toBe(1 + 3 * 16777216);
    const [[big]] = boxSums({ data: f32, shape: [h, w] }, [[40, 30]], [10]);
    expect(big).toBe(400 * 16777216);
  });

  it('refuses a data length that does not match the shape', () => {
    expect(() => boxSums({ data: new Float64Array(10), shape: [3, 4] }, [[1, 1]], [1])).toThrow(/3 x 4/);
  });
});
